"""Q5: the two kernel identities of the answer, checked numerically.

* Cauchy-Schwarz: ``K(x, y)^2 <= K(x, x) K(y, y)`` for a valid kernel.
* The mean of the mapped points: ``||mu_phi|| = (1/Q) sqrt(sum_m sum_n K(x_m, x_n))``.

The kernels themselves are :mod:`nnsvm.kernels` (shared with Q6). Points are
``(n, d)`` float64.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

from nnsvm.kernels import Kernel, gram


def feature_map(k: Kernel, x: np.ndarray) -> np.ndarray:
    """An explicit phi with <phi(x), phi(z)> = K(x, z), for linear and polynomial kernels.

    Polynomial: the degree-fold tensor power of ``[sqrt(gamma) x, sqrt(coef0)]``,
    since (a.b)^d = <a^(x)d, b^(x)d>; shape ``(n, (d + 1)^degree)``.
    """
    if k.name == "linear":
        return x
    if k.name != "poly":
        raise ValueError(f"no finite explicit feature map for kernel {k.name!r}; use random_fourier_features")
    a = np.hstack([np.sqrt(k.gamma) * x, np.full((len(x), 1), np.sqrt(k.coef0))])
    return reduce(lambda acc, _: np.einsum("ni,nj->nij", acc, a).reshape(len(x), -1), range(k.degree - 1), a)


def random_fourier_features(x: np.ndarray, gamma: float, n_features: int, rng: np.random.Generator) -> np.ndarray:
    """Random Fourier features z(x) with E[z(x).z(y)] = exp(-gamma ||x - y||^2) (Rahimi and Recht)."""
    w = rng.normal(0.0, np.sqrt(2.0 * gamma), (x.shape[1], n_features))
    b = rng.uniform(0.0, 2 * np.pi, n_features)
    return np.sqrt(2.0 / n_features) * np.cos(x @ w + b)


def cauchy_schwarz_ratio(kmat: np.ndarray) -> float:
    """The largest K(x,y)^2 / (K(x,x) K(y,y)) over all pairs x != y (<= 1 for a valid kernel)."""
    d = np.diag(kmat)
    ratio = kmat**2 / np.outer(d, d)
    np.fill_diagonal(ratio, -np.inf)  # x = y gives exactly 1, which proves nothing
    return float(ratio.max())


def mean_norm_from_kernel(kmat: np.ndarray) -> float:
    """The answer's formula: ||mu_phi|| = (1/Q) sqrt(sum_m sum_n K(x_m, x_n))."""
    return float(np.sqrt(kmat.sum()) / len(kmat))


def mean_norm_from_features(phi: np.ndarray) -> float:
    """||(1/Q) sum_i phi(x_i)||, from the explicit features."""
    return float(np.linalg.norm(phi.mean(axis=0)))


def psd_check(kmat: np.ndarray) -> dict[str, float]:
    """Symmetry error and smallest eigenvalue (relative to the largest)."""
    eig = np.linalg.eigvalsh((kmat + kmat.T) / 2)
    return {
        "asymmetry": float(np.max(np.abs(kmat - kmat.T))),
        "min_eig": float(eig[0]),
        "min_eig_rel": float(eig[0] / eig[-1]),
    }


def sklearn_error(k: Kernel, x: np.ndarray, kmat: np.ndarray) -> float:
    """Largest |K - pairwise_kernels(x)|."""
    from sklearn.metrics.pairwise import pairwise_kernels

    return float(np.max(np.abs(kmat - pairwise_kernels(x, metric=k.name, **k.sklearn_kwargs()))))


def rff_errors(
    x: np.ndarray, gamma: float, sizes: tuple[int, ...], repeats: int, rng: np.random.Generator
) -> list[float]:
    """Mean |RFF ||mu|| - kernel ||mu|||| over ``repeats`` draws, for each feature count in ``sizes``."""
    exact = mean_norm_from_kernel(gram(Kernel("rbf", gamma=gamma), x))
    errors = []
    for size in sizes:
        draws = [mean_norm_from_features(random_fourier_features(x, gamma, size, rng)) for _ in range(repeats)]
        errors.append(float(np.mean(np.abs(np.asarray(draws) - exact))))
    return errors
