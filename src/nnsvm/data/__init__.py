"""Data sets: MNIST (fetched and verified) and the assignment's toy sets."""
