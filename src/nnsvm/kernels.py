"""The kernel functions, one definition for Q5 and Q6: linear, polynomial and RBF.

Kernels use scikit-learn's (and libsvm's) parameterisation (``gamma``,
``coef0``, ``degree``), so the matrices equal ``pairwise_kernels`` and what
``SVC(kernel=...)`` computes. Points are ``(n, d)`` float64. Q5's identities on
these kernels are in :mod:`nnsvm.q5.identities`; Q6's grid search builds its
precomputed matrices here (:mod:`nnsvm.q6.grid`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAMES = ("linear", "poly", "rbf")


@dataclass(frozen=True)
class Kernel:
    """``name`` is scikit-learn's metric name, one of NAMES; ``degree`` only for ``poly``."""

    name: str
    gamma: float = 1.0
    coef0: float = 0.0
    degree: int = 1

    def __post_init__(self) -> None:
        if self.name not in NAMES:
            raise ValueError(f"unknown kernel {self.name!r}; use one of {', '.join(NAMES)}")

    @property
    def label(self) -> str:
        return f"poly{self.degree}" if self.name == "poly" else self.name

    def sklearn_kwargs(self) -> dict:
        if self.name == "linear":
            return {}
        if self.name == "rbf":
            return {"gamma": self.gamma}
        return {"gamma": self.gamma, "coef0": self.coef0, "degree": self.degree}


def gram(k: Kernel, x: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
    """The kernel matrix ``K[i, j] = k(x_i, z_j)`` (``z`` defaults to ``x``), computed from the formulas."""
    z = x if z is None else z
    dots = x @ z.T
    if k.name == "linear":
        return dots
    if k.name == "poly":
        return (k.gamma * dots + k.coef0) ** k.degree
    sq = (x * x).sum(1)[:, None] + (z * z).sum(1)[None, :] - 2 * dots
    return np.exp(-k.gamma * np.maximum(sq, 0.0))
