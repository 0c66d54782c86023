"""Determinism in one place."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and (if imported by the stage) torch; return a fresh NumPy generator.

    Library code never touches global random state: it takes the returned
    generator (or a ``torch.Generator``) explicitly.
    """
    random.seed(seed)
    np.random.seed(seed)
    import sys

    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(seed)
