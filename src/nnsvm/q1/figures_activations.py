"""Q1-A figures (stage q1_activations): the three models' decision regions and MNIST accuracies; ReLU's zeros."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from nnsvm.plotting import plt
from nnsvm.q1.linear import Trained, region_grid

TITLES = {"linear": "one linear layer", "deep_identity": "deep, identity", "deep_relu": "deep, ReLU"}
GRID = 200  # decision-region resolution per axis


def linear_figure(ring_data: tuple[torch.Tensor, ...], models: dict[str, Trained], record: dict) -> Figure:
    """Decision regions of the three models on the rings' test points, then the MNIST test accuracies."""
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
    x, y = ring_data[2].numpy(), ring_data[3].numpy()
    gx, gy, classes = region_grid(models, ring_data[0], GRID)
    for ax, (name, t), regions in zip(axes, models.items(), classes):
        ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5], colors=["#dbe9f6", "#f6e0db"], alpha=0.9)
        for label, colour in ((0, "tab:blue"), (1, "tab:red")):
            ax.scatter(*x[y == label].T, s=4, c=colour, label=f"class {label}")
        ax.set(title=f"{TITLES[name]}: test {t.accuracy:.1%}", aspect="equal", xticks=[], yticks=[])
    axes[0].legend(fontsize=7, loc="upper right")
    acc = record["mnist"]["accuracy"]
    bars = axes[3].bar([TITLES[n] for n in acc], [100 * v for v in acc.values()], color=["#999", "#69c", "#c66"])
    axes[3].bar_label(bars, fmt="%.2f%%", fontsize=8)
    low = min(acc.values()) * 100
    axes[3].set(title=f"MNIST, {record['mnist']['epochs']} epochs", ylabel="test accuracy (%)", ylim=(low - 3, 100))
    axes[3].tick_params(axis="x", labelsize=8)
    fig.suptitle(f"Q1-A: depth without non-linearity ({record['depth']} hidden layers of {record['width']})")
    fig.tight_layout()
    return fig


def sparsity_figure(record: dict) -> Figure:
    """Per-layer zero shares of each model's hidden ReLU outputs."""
    fig, left = plt.subplots(figsize=(6.5, 4.2))
    for i, (name, zeros) in enumerate(record["zeros"].items()):
        layers = zeros["layers"]
        xs = np.arange(len(layers)) + 5 * i
        left.bar(xs, [100 * s["zero_share"] for s in layers.values()], label=name)
        for xpos, layer in zip(xs, layers):
            left.text(float(xpos), 2, layer, rotation=90, ha="center", fontsize=7, color="white")
    left.set(title="ReLU outputs exactly 0, per hidden layer (test set)", ylabel="zero share (%)", xticks=[])
    left.legend(fontsize=8)
    fig.tight_layout()
    return fig


def speed_figure(record: dict) -> Figure:
    """The dense kernels' time on the real vs densified activations, per model (one run's timings)."""
    fig, right = plt.subplots(figsize=(6.5, 4.2))
    models = record["speed"]["models"]
    xs = np.arange(len(models))
    for offset, kind in ((-0.2, "sparse"), (0.2, "dense")):
        values = [1e3 * m["seconds"][kind] for m in models.values()]
        right.bar(xs + offset, values, width=0.4, label="real activations" if kind == "sparse" else "zeros filled")
    right.set_xticks(xs, [f"{n}\n{m['mean']:.2f}x" for n, m in models.items()])
    right.set(title="layers after each ReLU, dense kernels (ratio dense/real)", ylabel="ms per test-set pass")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figures(ring_data: tuple[torch.Tensor, ...], models: dict[str, Trained], linear: dict, sparsity: dict) -> dict:
    return {"linear": linear_figure(ring_data, models, linear), "sparsity": sparsity_figure(sparsity)}
