"""nnsvm: a reproducible pipeline for the neural-network and SVM assignment."""

__version__ = "0.1.0"
