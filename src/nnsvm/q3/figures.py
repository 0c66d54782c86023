"""Q3 figures: shift heat-maps, invariance curves, training curves and the shift demonstrations."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnsvm.plotting import plt
from nnsvm.q3.demo import Demo
from nnsvm.q3.shift import ShiftGrid


def heatmap(grid: ShiftGrid, name: str, max_shift: int) -> Figure:
    """Accuracy and consistency over (dx, dy), one panel each."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    span = range(-max_shift, max_shift + 1)
    for ax, which in zip(axes, ("accuracy", "consistency")):
        values = getattr(grid, which)
        image = np.array([[values[f"{dx},{dy}"] for dx in span] for dy in span])
        shown = ax.imshow(
            image,
            vmin=0,
            vmax=1,
            cmap="viridis",
            origin="upper",
            extent=(-max_shift - 0.5, max_shift + 0.5, max_shift + 0.5, -max_shift - 0.5),
        )
        ax.set_xlabel("dx (pixels, + = right)")
        ax.set_ylabel("dy (pixels, + = down)")
        ax.set_title(f"{name}: {which}")
        fig.colorbar(shown, ax=ax, fraction=0.046)
    return fig


def invariance_curves(grids: dict[str, ShiftGrid]) -> Figure:
    """Mean accuracy and consistency against shift distance max(|dx|, |dy|), all models together."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, which in zip(axes, ("accuracy", "consistency")):
        for name, grid in grids.items():
            ring = grid.by_distance(which)
            ax.plot(
                list(ring), list(ring.values()), marker="o", label=name, linestyle="--" if "published" in name else "-"
            )
        ax.set_xlabel("shift distance max(|dx|, |dy|) (pixels)")
        ax.set_ylabel(f"mean test {which}")
        ax.set_ylim(0, 1.01)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8)
    return fig


def training_curves(trained: dict[str, dict]) -> Figure:
    """Train loss and test accuracy per epoch of each model's first seed (``train/<model>.json`` contents)."""
    histories = {name: t["history"][next(iter(t["history"]))] for name, t in trained.items()}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    fig.suptitle("training curves (first seed of each model)", fontsize=10)
    for name, rows in histories.items():
        epochs, loss, acc = zip(*rows)
        style = "--" if "published" in name else "-"
        axes[0].plot(epochs, loss, style, marker=".", label=name)
        axes[1].plot(epochs, acc, style, marker=".", label=name)
    axes[0].set(xlabel="epoch", ylabel="train loss", yscale="log")
    axes[1].set(xlabel="epoch", ylabel="test accuracy")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8)
    return fig


def demo(original: np.ndarray, shifted: np.ndarray, probs: dict[str, np.ndarray], label: int, dx: int) -> Figure:
    """The original and shifted image, then each model's class probabilities on the shifted one."""
    fig, axes = plt.subplots(1, 2 + len(probs), figsize=(2.6 * (2 + len(probs)), 2.8))
    axes[0].imshow(original, cmap="gray_r")
    axes[0].set_title(f"test image, label {label}")
    axes[1].imshow(shifted, cmap="gray_r")
    axes[1].set_title(f"shifted {dx:+d} px right")
    for ax in axes[:2]:
        ax.set_xticks([]), ax.set_yticks([])
    for ax, (name, p) in zip(axes[2:], probs.items()):
        colours = ["tab:green" if k == label else "tab:gray" for k in range(10)]
        colours[int(p.argmax())] = "tab:green" if int(p.argmax()) == label else "tab:red"
        ax.bar(range(10), p, color=colours)
        ax.set_xticks(range(10))
        ax.set_ylim(0, 1)
        ax.set_title(f"{name}: says {int(p.argmax())}", fontsize=9)
    return fig


def demo_per_class(shifted: np.ndarray, labels: list[int], predictions: dict[str, list[int]], dx: int) -> Figure:
    """One shifted image per class with every model's prediction (red when wrong)."""
    fig, axes = plt.subplots(1, len(labels), figsize=(1.9 * len(labels), 2.2 + 0.22 * len(predictions)))
    for i, (ax, label) in enumerate(zip(np.atleast_1d(axes), labels)):
        ax.imshow(shifted[i], cmap="gray_r")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"label {label}", fontsize=9)
        for j, (name, preds) in enumerate(predictions.items()):
            ax.text(
                0.0,
                -0.08 - 0.13 * j,
                f"{name}: {preds[i]}",
                transform=ax.transAxes,
                fontsize=7,
                va="top",
                color="black" if preds[i] == label else "tab:red",
            )
    fig.suptitle(f"the first test image of each class shifted {dx:+d} px right")
    return fig


def shift_figures(grids: dict[str, ShiftGrid], shown: Demo, label: int, dx: int, max_shift: int) -> dict[str, Figure]:
    """Every figure of stage q3_shift, by file stem."""
    probs = {name: seeds[0][label] for name, seeds in shown.probs.items()}
    return {
        "demo": demo(shown.originals[label], shown.shifted[label], probs, label, dx),
        "demo_classes": demo_per_class(shown.shifted, list(range(10)), shown.first_seed_predictions(), dx),
        "invariance": invariance_curves(grids),
    } | {f"heatmap_{name}": heatmap(g, name, max_shift) for name, g in grids.items()}
