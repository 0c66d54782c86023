"""Q5 figures: the RBF mean norm by random Fourier features against the kernel formula."""

from __future__ import annotations

from matplotlib.figure import Figure

from nnsvm.plotting import loglog


def figures(result: dict) -> dict[str, Figure]:
    rff = result["rbf_rff"]
    return {
        "rff": loglog(
            {"| ||mu|| by RFF - ||mu|| by kernel |": (rff["features"], rff["mean_abs_err"])},
            "Q5: RBF mean norm, random Fourier features vs the kernel formula",
            "random features D",
            "mean absolute error",
            reference_slope=-0.5,
        )
    }
