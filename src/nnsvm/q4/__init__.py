"""Q4 of the assignment."""
