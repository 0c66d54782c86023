"""Q2 figures: the objective of SGD and Newton, as derived and as the answer writes them."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnsvm.plotting import plt


def optimisers(histories: dict[str, list[float]], optimum: float, title: str) -> Figure:
    """Left: objective per iteration. Right: f - f* on a log scale (non-finite values dropped)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, values in histories.items():
        v = np.asarray(values, float)
        it = np.arange(len(v))
        left.plot(it, v, "o-" if len(v) < 60 else "-", ms=3, label=name)
        gap = v - optimum
        keep = np.isfinite(gap) & (gap > 0)
        right.semilogy(it[keep], gap[keep], "o-" if len(v) < 60 else "-", ms=3, label=name)
    # The answer's SGD climbs to ~1e260 before it overflows: clip the view, not the data.
    left.set(
        title=title,
        xlabel="iteration (SGD: epoch)",
        ylabel="f(theta) (log; clipped at 100)",
        yscale="log",
        ylim=(optimum / 1.5, 100),
    )
    right.set(
        title="gap to the minimum f - f*",
        xlabel="iteration (SGD: epoch)",
        ylabel="f - f* (clipped at 100)",
        ylim=(1e-16, 100),
    )
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def figure(o: dict) -> Figure:
    hist = {k: [np.nan if v is None else v for v in h] for k, h in o["histories"].items()}
    return optimisers(hist, o["f_star"], f"Q2-B: {o['problem']}")
