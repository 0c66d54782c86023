"""Q2 of the assignment."""
