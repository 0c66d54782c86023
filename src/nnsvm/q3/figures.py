"""Q3 figures: shift heat-maps, invariance curves, training curves and the shift demonstrations.

Each figure says what it shows on its own: colour bars and axes carry the quantity and
its unit, and a figure that shows one seed of a multi-seed model names that seed.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from nnsvm.plotting import plt
from nnsvm.q3.demo import Demo, Outcomes
from nnsvm.q3.frame import InFrameGrid
from nnsvm.q3.shift import ShiftGrid

MEANING = {"accuracy": "classified correctly", "consistency": "prediction unchanged by the shift"}


def seed_note(seeds: dict[str, list[int]]) -> str:
    """``"first seed (seed N) of models with several seeds"``, N read from ``seeds``; empty if every model has one."""
    firsts = sorted({s[0] for s in seeds.values() if len(s) > 1})
    if not firsts:
        return ""
    return f"first seed ({', '.join(f'seed {s}' for s in firsts)}) of the models with several seeds"


def model_note(name: str, seeds: dict[str, list[int]]) -> str:
    """``" (first seed (seed N) of k)"`` for a model with several seeds, else empty."""
    own = seeds.get(name, [])
    return f" (first seed (seed {own[0]}) of {len(own)})" if len(own) > 1 else ""


def styles(names: list[str]) -> dict[str, dict]:
    """One colour per model (the same in every panel); the original protocols dashed."""
    return {name: {"color": f"C{i}", "linestyle": "--" if "published" in name else "-"} for i, name in enumerate(names)}


def _grid_image(values: dict[str, float | None], max_shift: int) -> np.ndarray:
    span = range(-max_shift, max_shift + 1)
    return np.array([[np.nan if (v := values[f"{dx},{dy}"]) is None else v for dx in span] for dy in span])


def _heat(fig: Figure, ax: Axes, image: np.ndarray, label: str, max_shift: int) -> None:
    r = max_shift + 0.5
    shown = ax.imshow(image, vmin=0, vmax=1, cmap="viridis", origin="upper", extent=(-r, r, r, -r))
    ax.set_xlabel("dx (pixels, + = right)")
    ax.set_ylabel("dy (pixels, + = down)")
    fig.colorbar(shown, ax=ax, fraction=0.046).set_label(label, fontsize=8)


def heatmap(
    grid: ShiftGrid, name: str, max_shift: int, inframe: InFrameGrid | None = None, seeds: list[int] | None = None
) -> Figure:
    """Accuracy and consistency over (dx, dy), one panel each; a second row over the in-frame images if given."""
    rows = [("all test images", "test images", grid)] + (
        [("in-frame images only", "in-frame test images", inframe)] if inframe else []
    )
    fig, axes = plt.subplots(len(rows), 2, figsize=(10, 4.2 * len(rows)), squeeze=False)
    for (title, images, g), pair in zip(rows, axes):
        for ax, which in zip(pair, ("accuracy", "consistency")):
            label = f"{which}: fraction of {images} (0-1)"
            _heat(fig, ax, _grid_image(getattr(g, which), max_shift), label, max_shift)
            ax.set_title(f"{name}: {which}, {title}\n({MEANING[which]})", fontsize=9)
    note = model_note(name, {name: seeds or []})
    blank = "; blank: no test image stays in frame" if inframe else ""
    fig.suptitle(f"{name}{note} under every shift (dx, dy){blank}", fontsize=10)
    fig.tight_layout()
    return fig


def _rings(ax: Axes, grids: dict, which: str, style: dict[str, dict]) -> None:
    for name, grid in grids.items():
        ring = grid.by_distance(which)
        ax.plot(list(ring), list(ring.values()), marker="o", label=name, **style[name])
    ax.set_xlabel("shift distance max(|dx|, |dy|) (pixels)")
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)


def invariance_curves(
    grids: dict[str, ShiftGrid],
    inframe: dict[str, InFrameGrid] | None = None,
    seeds: dict[str, list[int]] | None = None,
) -> Figure:
    """Mean accuracy and consistency against shift distance max(|dx|, |dy|), every model; all images, then in frame."""
    rows: list[tuple[str, str, dict]] = [("all test images", "test images", grids)]
    if inframe:
        n = next(iter(inframe.values())).by_distance("n")
        span = f"mean n per shift {n[min(n)]:.0f} at {min(n)} px, {n[max(n)]:.0f} at {max(n)} px"
        rows.append((f"in-frame images only ({span})", "in-frame test images", inframe))
    style = styles(list(grids))
    fig, axes = plt.subplots(len(rows), 2, figsize=(12, 4.3 * len(rows)), squeeze=False)
    for (title, images, table), pair in zip(rows, axes):
        for ax, which in zip(pair, ("accuracy", "consistency")):
            _rings(ax, table, which, style)
            ax.set_ylabel(f"mean {which}\n(fraction of {images}, 0-1)")
            ax.set_title(f"{which}, {title}", fontsize=9)
    axes[0, 1].legend(fontsize=8, loc="lower left")
    note = seed_note(seeds or {})
    fig.suptitle("mean over the shifts of each distance" + (f"; {note}" if note else ""), fontsize=10)
    fig.tight_layout()
    return fig


def training_curves(trained: dict[str, dict]) -> Figure:
    """Train loss and test accuracy per epoch of every seed of each model (``train/<model>.json`` contents), and
    each seed's accuracy at the report epochs of the models with several seeds, with their median.

    A model with several seeds draws one thin line per seed, one legend entry for them all.
    """
    style = styles(list(trained))
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    for name, t in trained.items():
        histories = list(t["history"].values())
        several = len(histories) > 1
        for i, rows in enumerate(histories):
            epochs, loss, acc = zip(*rows)
            label = (f"{name} ({len(histories)} seeds)" if several else name) if i == 0 else None
            kw = {"lw": 0.8, "alpha": 0.7} if several else {"lw": 1.6, "marker": "."}
            axes[0].plot(epochs, loss, label=label, **style[name], **kw)
            axes[1].plot(epochs, acc, label=label, **style[name], **kw)
    _seed_points(axes[2], {n: t for n, t in trained.items() if len(t["history"]) > 1 and "by_epoch" in t}, style)
    axes[0].set(xlabel="epoch", ylabel="train loss (mean cross-entropy per image)", yscale="log")
    axes[1].set(xlabel="epoch", ylabel="test accuracy (fraction of test images, 0-1)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8, loc="best")
    fig.suptitle(
        "training curves: every seed (thin lines where a model has several); right: each seed at the "
        "report epochs, bar = median",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def _seed_points(ax: Axes, trained: dict[str, dict], style: dict[str, dict]) -> None:
    """One dot per seed at each report epoch of each multi-seed model, a bar at the median."""
    ticks, labels = [], []
    for k, (name, t) in enumerate(trained.items()):
        for j, (epochs, block) in enumerate(t["by_epoch"].items()):
            x = k * (len(t["by_epoch"]) + 1) + j
            values = np.asarray(list(block["seeds"].values()))
            jitter = np.linspace(-0.2, 0.2, len(values)) if len(values) > 1 else np.zeros(1)
            ax.scatter(x + jitter, values, s=14, color=style[name]["color"], alpha=0.8)
            ax.hlines(np.median(values), x - 0.35, x + 0.35, color="black", lw=1.5)
            ticks.append(x)
            labels.append(f"{name}\n{epochs} ep" if j == 0 else f"{epochs} ep")
    ax.set_xticks(ticks, labels, fontsize=7)
    ax.set_ylabel("test accuracy after that many epochs (0-1)")


def _bars(ax: Axes, p: np.ndarray, label: int) -> None:
    said = int(p.argmax())
    colours = ["tab:green" if k == label else "tab:gray" for k in range(10)]
    colours[said] = "tab:green" if said == label else "tab:red"
    ax.bar(range(10), p, color=colours)
    ax.set_xticks(range(10))
    ax.set_ylim(0, 1)
    ax.set_xlabel("class")
    ax.set_ylabel("probability")


def demo(
    original: np.ndarray,
    shifted: np.ndarray,
    probs: dict[str, np.ndarray],
    label: int,
    dx: int,
    index: int | None = None,
    seeds: dict[str, list[int]] | None = None,
) -> Figure:
    """The original and shifted image, then each model's class probabilities on the shifted one."""
    seeds = seeds or {}
    fig, axes = plt.subplots(1, 2 + len(probs), figsize=(2.9 * (2 + len(probs)), 3.2))
    axes[0].imshow(original, cmap="gray_r")
    axes[0].set_title(f"test image {'' if index is None else f'#{index}, '}label {label}", fontsize=9)
    axes[1].imshow(shifted, cmap="gray_r")
    axes[1].set_title(f"shifted {dx:+d} px right", fontsize=9)
    for ax in axes[:2]:
        ax.set_xticks([]), ax.set_yticks([])
    for ax, (name, p) in zip(axes[2:], probs.items()):
        _bars(ax, p, label)
        ax.set_title(f"{name}{model_note(name, seeds)}:\nsays {int(p.argmax())}", fontsize=8)
    axes[2].legend(
        handles=[Patch(color="tab:green", label=f"class {label}"), Patch(color="tab:red", label="wrong answer")],
        fontsize=7,
        loc="upper right",
    )
    fig.suptitle(f"the first test {label} whose ink stays in the frame shifted {dx:+d} px right", fontsize=10)
    fig.tight_layout()
    return fig


def demo_per_class(
    shifted: np.ndarray,
    labels: list[int],
    predictions: dict[str, list[int]],
    dx: int,
    index: list[int] | None = None,
    seeds: dict[str, list[int]] | None = None,
) -> Figure:
    """One shifted image per class with every model's prediction (red when wrong)."""
    fig, axes = plt.subplots(1, len(labels), figsize=(1.9 * len(labels), 2.4 + 0.22 * len(predictions)))
    for i, (ax, label) in enumerate(zip(np.atleast_1d(axes), labels)):
        ax.imshow(shifted[i], cmap="gray_r")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"label {label}" + ("" if index is None else f"\ntest #{index[i]}"), fontsize=9)
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
    note = seed_note(seeds or {})
    fig.suptitle(
        f"the first test image of each class whose ink stays in the frame, shifted {dx:+d} px right"
        + (f"\n(answers of the {note})" if note else "")
    )
    return fig


def demo_in_frame(found: Outcomes) -> Figure:
    """Share of the class's in-frame test images each model predicts as each class: mean over seeds, min-max bars."""
    shares = found.shares()
    style = styles(list(shares))
    width = 0.8 / max(len(shares), 1)
    fig, ax = plt.subplots(figsize=(11, 4))
    for i, (name, by_seed) in enumerate(shares.items()):
        values = np.array(by_seed).reshape(-1, 10)
        mean = values.mean(0)
        error = np.stack([mean - values.min(0), values.max(0) - mean])
        label = f"{name} ({len(values)} seeds)" if len(values) > 1 else name
        x = np.arange(10) - 0.4 + width * (i + 0.5)
        ax.bar(x, mean, width, yerr=error, capsize=2, label=label, color=style[name]["color"])
    ax.set_xticks(range(10))
    ax.set(xlabel="predicted class", ylabel="fraction of the images (0-1)", ylim=(0, 1))
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(
        f"all {len(found.index)} test {found.label}s (of {found.of_class}) whose ink stays in the frame shifted "
        f"{found.dx:+d} px right: what each model says (mean over seeds, bars: min-max)",
        fontsize=9,
    )
    return fig


def shift_figures(
    grids: dict[str, ShiftGrid],
    shown: Demo,
    label: int,
    dx: int,
    max_shift: int,
    inframe: dict[str, InFrameGrid] | None = None,
    found: Outcomes | None = None,
    seeds: dict[str, list[int]] | None = None,
) -> dict[str, Figure]:
    """Every figure of stage q3_shift, by file stem."""
    seeds = seeds or {}
    inframe = inframe or {}
    probs = {name: by_seed[0][label] for name, by_seed in shown.probs.items()}
    figs = {
        "demo": demo(shown.originals[label], shown.shifted[label], probs, label, dx, shown.index[label], seeds),
        "demo_classes": demo_per_class(
            shown.shifted, list(range(10)), shown.first_seed_predictions(), dx, shown.index, seeds
        ),
        "invariance": invariance_curves(grids, inframe or None, seeds),
    } | {
        f"heatmap_{name}": heatmap(g, name, max_shift, inframe.get(name), seeds.get(name)) for name, g in grids.items()
    }
    if found is not None:
        figs["demo_in_frame"] = demo_in_frame(found)
    return figs
