"""Figures: one function per kind of plot, each returning a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # no display here or in CI
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnsvm.core.io import atomic_path  # noqa: E402

__all__ = ["MARKERS", "curves", "loglog", "plt", "save_figure", "scatter_labelled", "scatter_points"]

MARKERS = {-1: ("tab:red", "_"), 1: ("tab:blue", "+"), 2: ("tab:green", "x"), 3: ("tab:purple", "^")}


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` as PNG atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png", metadata={"Software": None})
    plt.close(fig)
    return Path(path)


def scatter_points(ax, x2d: np.ndarray, y: np.ndarray) -> None:
    """2-D labelled points on ``ax``, one colour and marker per label (+-1 or class indices)."""
    labels = sorted(set(y.tolist()))
    for label in labels:
        colour, marker = MARKERS.get(label, ("black", "o"))
        pts = x2d[y == label]
        name = f"y = {label:+d}" if set(labels) <= {-1, 1} else f"class {label}"
        ax.scatter(pts[:, 0], pts[:, 1], c=colour, marker=marker, s=60, label=name, zorder=3)


def scatter_labelled(x: np.ndarray, y: np.ndarray, title: str) -> Figure:
    """Scatter 1-D (on a line) or 2-D labelled points, one colour and marker per label."""
    two_d = x.shape[1] == 2
    fig, ax = plt.subplots(figsize=(4.5, 4.5) if two_d else (6, 1.8))
    scatter_points(ax, x if two_d else np.column_stack([x[:, 0], np.zeros(len(x))]), y)
    if two_d:
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_ylabel("$x_2$")
    else:
        ax.set_yticks([])
    ax.set_xlabel("$x_1$")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def curves(xs: np.ndarray, series: dict[str, np.ndarray], title: str, xlabel: str = "x", ylabel: str = "y") -> Figure:
    fig, ax = plt.subplots(figsize=(6, 4))
    for (name, ys), style in zip(series.items(), ("-", "--", ":", "-.")):
        ax.plot(xs, ys, style, lw=2, label=name)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def loglog(
    series: dict[str, tuple[list, list]], title: str, xlabel: str, ylabel: str, reference_slope: float | None = None
) -> Figure:
    """Log-log lines; optionally a reference line of the given slope through the first series' last point."""
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name, (xs, ys) in series.items():
        ax.loglog(xs, ys, "o-", label=name)
    if reference_slope is not None:
        first_x, first_y = next(iter(series.values()))
        ref = np.asarray(first_x, float)
        ax.loglog(ref, first_y[-1] * (ref / ref[-1]) ** reference_slope, "k:", label=f"slope {reference_slope:g}")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig
