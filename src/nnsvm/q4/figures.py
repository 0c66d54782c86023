"""Q4 figures: the maximum-margin line with its support vectors, and each data set before and after its map."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnsvm.data.toy import ToySet
from nnsvm.plotting import plt, scatter_points
from nnsvm.q4 import feature_maps, svm


def _circle(ax, points: np.ndarray, colour: str, style: str, label: str) -> None:
    """Open circles around ``points`` (n, 2)."""
    ax.scatter(points[:, 0], points[:, 1], s=300, facecolors="none", edgecolors=colour, ls=style, lw=2, label=label)


def svm_margins(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, support: np.ndarray, on_margin: np.ndarray, title: str
) -> Figure:
    """Points, the line w.x + b = 0, both margins (= +-1), support vectors circled."""
    fig, ax = plt.subplots(figsize=(5, 5))
    scatter_points(ax, x, y)
    lo, hi = x.min() - 1.5, x.max() + 1.5
    xs = np.linspace(lo, hi, 2)
    for level, style in ((0, "-"), (1, "--"), (-1, "--")):
        ax.plot(
            xs,
            (level - b - w[0] * xs) / w[1],
            "k" + style,
            lw=1.2 if level == 0 else 0.9,
            label="w.x + b = 0" if level == 0 else ("margins w.x + b = +-1" if level == 1 else None),
        )
    _circle(ax, x[support], "tab:orange", "-", "support vectors (alpha > 0)")
    degenerate = np.setdiff1d(on_margin, support)
    if len(degenerate):
        _circle(ax, x[degenerate], "grey", ":", "on the margin, alpha = 0")
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    return fig


def feature_map(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, threshold: float | None, title: str, zlabel: str
) -> Figure:
    """Left: the data in input space. Right: each point against its mapped value, with the threshold line."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    xy = x if x.shape[1] == 2 else np.column_stack([x[:, 0], np.zeros(len(x))])
    scatter_points(left, xy, y)
    left.set(title="input space: no separating line", xlabel="$x_1$", ylabel="$x_2$" if x.shape[1] == 2 else "")
    if x.shape[1] == 2:
        left.set_aspect("equal", adjustable="datalim")
    pos = x[:, 0] if x.shape[1] == 1 else np.hypot(x[:, 0], x[:, 1])
    scatter_points(right, np.column_stack([pos, z[:, 0]]), y)
    if threshold is not None:
        right.axhline(threshold, color="k", lw=1.2, label=f"separating line {zlabel} = {threshold:.3g}")
    right.set(title=title, xlabel="$x_1$" if x.shape[1] == 1 else "radius $\\sqrt{x_1^2 + x_2^2}$", ylabel=zlabel)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def hard_margin(x: np.ndarray, y: np.ndarray, fit: svm.SvmFit) -> Figure:
    w, b, _ = fit.solution()
    title = f"Q4-A: {fit.method}, w = [{w[0]:.4f}, {w[1]:.4f}], b = {b:.4f}"
    return svm_margins(x, y, w, b, np.asarray(fit.support), np.asarray(fit.on_margin), title)


def mapped(name: str, data: ToySet, m: feature_maps.MappedSet, result: dict) -> Figure:
    sep = result["mapped"]
    if sep["separable"]:
        verdict = f"margin {sep['margin']:.3g}"
    else:  # not separable, or no verdict (the solver did not finish)
        verdict = "still NOT separable" if sep["separable"] is False else sep["status"]
    params = ", ".join(f"{k} = {v:.4g}" for k, v in m.params.items())
    title = f"{name}: {m.formula}" + (f" ({params})" if params else "") + f"\n{verdict}"
    return feature_map(data.x, data.y, m.z, sep.get("threshold"), title, "phi(x)")
