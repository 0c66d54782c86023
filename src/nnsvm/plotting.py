"""Figures: one function per kind of plot, each returning a matplotlib Figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display here or in CI
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnsvm.io import atomic_path  # noqa: E402

MARKERS = {-1: ("tab:red", "_"), 1: ("tab:blue", "+"), 2: ("tab:green", "x"), 3: ("tab:purple", "^")}


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` as PNG atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png", metadata={"Software": None})
    plt.close(fig)
    return Path(path)


def scatter_labelled(x, y, title: str) -> Figure:
    """Scatter 1-D or 2-D labelled points, one colour and marker per label."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5) if x.shape[1] == 2 else (6, 1.8))
    for label in sorted(set(y.tolist())):
        colour, marker = MARKERS.get(label, ("black", "o"))
        pts = x[y == label]
        ys = pts[:, 1] if x.shape[1] == 2 else [0.0] * len(pts)
        ax.scatter(pts[:, 0], ys, c=colour, marker=marker, s=60, label=f"y = {label:+d}" if label in (-1, 1) else f"class {label}")
    if x.shape[1] == 2:
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_ylabel("$x_2$")
    else:
        ax.set_yticks([])
    ax.set_xlabel("$x_1$")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig
