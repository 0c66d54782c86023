"""Figures of stage q3_rotate: accuracy and consistency against the angle, and rotated test digits with the answers."""

from __future__ import annotations

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnsvm.nets.params import ModelParams
from nnsvm.plotting import plt
from nnsvm.q3.figures import seed_note
from nnsvm.q3.rotate import RotationSweep


def kind(spec: ModelParams, name: str) -> str:
    """What set-up a model was trained with, for legends: original protocol, shift-trained or corrected."""
    if "published" in name:
        return "original protocol"
    return f"trained on shifts up to {spec.shift_augment} px" if spec.shift_augment else "corrected set-up"


def styles(specs: dict[str, ModelParams]) -> dict[str, dict]:
    """One colour per model (in the order of q3.models); dashed: original protocol, dotted: shift-trained."""
    out = {}
    for i, (name, spec) in enumerate(specs.items()):
        line = "--" if "published" in name else ":" if spec.shift_augment else "-"
        out[name] = {"color": f"C{i}", "linestyle": line, "marker": "o" if spec.arch == "lenet" else "s"}
    return out


def curves(found: RotationSweep, specs: dict[str, ModelParams], seeds: dict[str, list[int]]) -> Figure:
    """Accuracy and consistency against the angle, one curve per model (circles: CNNs, squares: MLPs)."""
    style = styles({name: specs[name] for name in found.accuracy})
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    meaning = {"accuracy": "classified correctly", "consistency": "same class as unrotated"}
    for ax, which in zip(axes, ("accuracy", "consistency")):
        for name, values in getattr(found, which).items():
            label = f"{name} ({kind(specs[name], name)})"
            ax.plot(list(values), list(values.values()), label=label, ms=3.5, lw=1.4, **style[name])
        ax.set(xlabel="rotation angle (degrees, + = counter-clockwise)", ylim=(0, 1.01))
        ax.set_ylabel(f"{which}: fraction of the {found.n:,} test images\n({meaning[which]}, 0-1)")
        ax.axvline(0, color="gray", lw=0.6)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower center")
    note = seed_note(seeds)
    fig.suptitle(
        "every model on the test set rotated (bilinear, corners filled with background)"
        + (f"; {note}" if note else ""),
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def _answers(ax: Axes, said: dict[str, int], label: int) -> None:
    """One line per model under ``ax``: its class for the image, red when wrong."""
    for j, (name, guess) in enumerate(said.items()):
        colour = "black" if guess == label else "tab:red"
        ax.text(0.0, -0.06 - 0.16 * j, f"{name}: {guess}", transform=ax.transAxes, fontsize=7, va="top", color=colour)


def examples(
    images: dict[int, torch.Tensor],
    said: dict[str, dict[int, list[int]]],
    labels: list[int],
    index: list[int],
    seeds: dict[str, list[int]] | None = None,
) -> Figure:
    """One row per angle, one column per test image; under each, every model's class (red when wrong)."""
    turns = sorted(images)
    rows, cols = len(turns), len(labels)
    fig, axes = plt.subplots(rows, cols, figsize=(1.75 * cols, 1.3 * (1 + 0.2 * len(said)) * rows), squeeze=False)
    for r, angle in enumerate(turns):
        for c, label in enumerate(labels):
            ax = axes[r, c]
            ax.imshow(images[angle][c].cpu().numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if r == 0:
                ax.set_title(f"test #{index[c]}, label {label}", fontsize=8)
            if c == 0:
                ax.set_ylabel(f"{angle:+d}°", fontsize=10)
            _answers(ax, {name: by_angle[angle][c] for name, by_angle in said.items()}, label)
    note = seed_note({name: own for name, own in (seeds or {}).items() if name in said})
    fig.suptitle(
        "the first test image of each class rotated (degrees, + = counter-clockwise), and what each model says"
        + (f"\n({note})" if note else "")
    )
    # Room under each row for one line per model (tight_layout ignores text drawn below an axes).
    fig.subplots_adjust(hspace=0.05 + 0.18 * len(said), wspace=0.08, top=0.92)
    return fig
