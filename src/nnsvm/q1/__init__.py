"""Q1 of the assignment."""
