"""Figures of Q1, Q2, Q4 and Q5: one function per figure, each returning a matplotlib Figure."""

from __future__ import annotations

import numpy as np

from nnsvm.plotting import MARKERS, plt  # Agg backend already selected there


def _scatter(ax, x2d: np.ndarray, y: np.ndarray) -> None:
    labels = sorted(set(y.tolist()))
    for label in labels:
        colour, marker = MARKERS.get(label, ("black", "o"))
        pts = x2d[y == label]
        name = f"y = {label:+d}" if set(labels) <= {-1, 1} else f"class {label}"
        ax.scatter(pts[:, 0], pts[:, 1], c=colour, marker=marker, s=60, label=name, zorder=3)


def svm_margins(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, support: np.ndarray, on_margin: np.ndarray, title: str):
    """Points, the line w.x + b = 0, both margins (= +-1), support vectors circled."""
    fig, ax = plt.subplots(figsize=(5, 5))
    _scatter(ax, x, y)
    lo, hi = x.min() - 1.5, x.max() + 1.5
    xs = np.linspace(lo, hi, 2)
    for level, style in ((0, "-"), (1, "--"), (-1, "--")):
        ax.plot(xs, (level - b - w[0] * xs) / w[1], "k" + style, lw=1.2 if level == 0 else 0.9,
                label="w.x + b = 0" if level == 0 else ("margins w.x + b = +-1" if level == 1 else None))
    ax.scatter(*x[support].T, s=300, facecolors="none", edgecolors="tab:orange", lw=2, label="support vectors (alpha > 0)")
    degenerate = np.setdiff1d(on_margin, support)
    if len(degenerate):
        ax.scatter(*x[degenerate].T, s=300, facecolors="none", edgecolors="grey", ls=":", lw=2, label="on the margin, alpha = 0")
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", title=title, aspect="equal")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    return fig


def feature_map(x: np.ndarray, y: np.ndarray, z: np.ndarray, threshold: float | None, title: str, zlabel: str):
    """Left: the data in input space. Right: each point against its mapped value, with the threshold line."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    xy = x if x.shape[1] == 2 else np.column_stack([x[:, 0], np.zeros(len(x))])
    _scatter(left, xy, y)
    left.set(title="input space: no separating line", xlabel="$x_1$", ylabel="$x_2$" if x.shape[1] == 2 else "")
    if x.shape[1] == 2:
        left.set_aspect("equal", adjustable="datalim")
    pos = x[:, 0] if x.shape[1] == 1 else np.hypot(x[:, 0], x[:, 1])
    _scatter(right, np.column_stack([pos, z[:, 0]]), y)
    if threshold is not None:
        right.axhline(threshold, color="k", lw=1.2, label=f"separating line {zlabel} = {threshold:.3g}")
    right.set(title=title, xlabel="$x_1$" if x.shape[1] == 1 else "radius $\\sqrt{x_1^2 + x_2^2}$", ylabel=zlabel)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def decision_regions(x: np.ndarray, y: np.ndarray, grid: tuple[np.ndarray, np.ndarray, np.ndarray], title: str):
    """Predicted class over a grid (filled) with the data on top."""
    fig, ax = plt.subplots(figsize=(5, 5))
    gx, gy, classes = grid
    ax.contourf(gx, gy, classes, levels=[0.5, 1.5, 2.5, 3.5], colors=["#dbe9f6", "#e2f3df", "#eee0f3"], alpha=0.9)
    _scatter(ax, x, y)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def curves(xs: np.ndarray, series: dict[str, np.ndarray], title: str, xlabel: str = "x", ylabel: str = "y"):
    fig, ax = plt.subplots(figsize=(6, 4))
    for (name, ys), style in zip(series.items(), ("-", "--", ":", "-.")):
        ax.plot(xs, ys, style, lw=2, label=name)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def loglog(series: dict[str, tuple[list, list]], title: str, xlabel: str, ylabel: str, reference_slope: float | None = None):
    """Log-log lines; optionally a reference line of the given slope through the first series' last point."""
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name, (xs, ys) in series.items():
        ax.loglog(xs, ys, "o-", label=name)
    if reference_slope is not None:
        xs, ys = next(iter(series.values()))
        xs = np.asarray(xs, float)
        ax.loglog(xs, ys[-1] * (xs / xs[-1]) ** reference_slope, "k:", label=f"slope {reference_slope:g}")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig


def optimisers(histories: dict[str, list[float]], optimum: float, title: str):
    """Left: objective per iteration. Right: f - f* on a log scale (non-finite values dropped)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, values in histories.items():
        v = np.asarray(values, float)
        it = np.arange(len(v))
        left.plot(it, v, "o-" if len(v) < 60 else "-", ms=3, label=name)
        gap = v - optimum
        keep = np.isfinite(gap) & (gap > 0)
        right.semilogy(it[keep], gap[keep], "o-" if len(v) < 60 else "-", ms=3, label=name)
    # The seed's SGD climbs to ~1e260 before it overflows: clip the view, not the data.
    left.set(title=title, xlabel="iteration (SGD: epoch)", ylabel="f(theta) (log; clipped at 100)", yscale="log", ylim=(optimum / 1.5, 100))
    right.set(title="gap to the minimum f - f*", xlabel="iteration (SGD: epoch)", ylabel="f - f* (clipped at 100)", ylim=(1e-16, 100))
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig
