"""Q5 of the assignment."""
