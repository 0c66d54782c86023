"""What every stage shares: params loading, tracking, atomic I/O, errors, seeding, logging."""
