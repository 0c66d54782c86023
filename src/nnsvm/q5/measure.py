"""Q5 measured: Cauchy-Schwarz for kernels and the norm of the mapped mean, checked on random data."""

from __future__ import annotations

import numpy as np

from nnsvm import kernels
from nnsvm.q5 import identities
from nnsvm.q5.params import Q5Params
from nnsvm.stats import loglog_slope


def kernel_list(p: Q5Params) -> list[kernels.Kernel]:
    polys = [kernels.Kernel("poly", p.gamma, p.poly_coef0, d) for d in p.poly_degrees]
    return [kernels.Kernel("linear"), *polys, kernels.Kernel("rbf", gamma=p.gamma)]


def sample(p: Q5Params, rng: np.random.Generator) -> np.ndarray:
    """The random points, ``(n_points, dim)`` standard normal."""
    return rng.normal(size=(p.n_points, p.dim))


def run(x: np.ndarray, p: Q5Params, rng: np.random.Generator) -> dict:
    """``kernels.json``: per kernel, the largest CS ratio, ||mu_phi|| two ways, PSD and scikit-learn checks."""
    out = {"n_points": len(x), "dim": x.shape[1], "pairs": len(x) * (len(x) - 1), "kernels": {}}
    input_mean = identities.mean_norm_from_features(x)
    for k in kernel_list(p):
        kmat = kernels.gram(k, x)
        row = {
            "cs_max_ratio": identities.cauchy_schwarz_ratio(kmat),
            "mu_norm_kernel": identities.mean_norm_from_kernel(kmat),
            "sklearn_max_abs_err": identities.sklearn_error(k, x, kmat),
            "input_mean_norm": input_mean,
        } | identities.psd_check(kmat)
        if k.name != "rbf":
            phi = identities.feature_map(k, x)
            row |= {"feature_dim": phi.shape[1], "mu_norm_features": identities.mean_norm_from_features(phi)}
            row["mu_norm_abs_err"] = abs(row["mu_norm_features"] - row["mu_norm_kernel"])
        out["kernels"][k.label] = row
    errors = identities.rff_errors(x, p.gamma, p.rff_features, p.rff_repeats, rng)
    out["rbf_rff"] = {
        "features": list(p.rff_features),
        "mean_abs_err": errors,
        "loglog_slope": loglog_slope(p.rff_features, errors),
    }
    return out
