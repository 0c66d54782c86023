"""Q6 figures: CV heat-maps, confusion matrices, digits, the one-image viewer, and the zeros-as-6 diagnosis."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from matplotlib.colors import SymLogNorm
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import PercentFormatter
from sklearn.metrics import confusion_matrix

from nnsvm.plotting import plt


def show_digit(image: np.ndarray, title: str = "", ax=None) -> Figure:
    """Show one MNIST image (784 or 28x28 pixels) in grey; the assignment's show-one-image function."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.6, 2.8))
    ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray_r")
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax.figure


def cv_heatmap(rows: list[dict], title: str) -> Figure:
    """Mean CV accuracy over (C, gamma) of one kernel's candidates (dicts with C, gamma, cv_accuracy)."""
    cs = sorted({r["C"] for r in rows})
    gs = sorted({r["gamma"] for r in rows}, key=lambda g: -1 if g is None else g)
    grid = np.full((len(cs), len(gs)), np.nan)
    for r in rows:
        grid[cs.index(r["C"]), gs.index(r["gamma"])] = r["cv_accuracy"]
    fig, ax = plt.subplots(figsize=(1.1 * len(gs) + 2.5, 0.5 * len(cs) + 1.8))
    im = ax.imshow(grid, cmap="viridis", aspect="auto", vmin=np.nanmin(grid), vmax=np.nanmax(grid))
    for (i, j), v in np.ndenumerate(grid):
        if not np.isnan(v):
            ax.text(
                j,
                i,
                f"{100 * v:.1f}",
                ha="center",
                va="center",
                fontsize=7,
                color="w" if v < np.nanmax(grid) - 0.02 else "k",
            )
    ax.set_xticks(range(len(gs)), ["-" if g is None else f"{g:.3g}" for g in gs], fontsize=7)
    ax.set_yticks(range(len(cs)), [f"{c:.3g}" for c in cs], fontsize=7)
    ax.set_xlabel("gamma (- : the kernel has none)" if None in gs else "gamma")
    ax.set_ylabel("C")
    blank = ", blank: not searched" if np.isnan(grid).any() else ""
    ax.set_title(title + f"\n(cells: mean accuracy over the folds, %{blank})", fontsize=9)
    fig.colorbar(im, ax=ax, label="mean CV accuracy (%)", format=PercentFormatter(xmax=1, decimals=1))
    return fig


def confusion_figure(matrices: dict[str, np.ndarray], title: str) -> Figure:
    """Confusion matrices side by side (row = true digit, column = predicted)."""
    fig, axes = plt.subplots(1, len(matrices), figsize=(5.2 * len(matrices), 4.4))
    top = max(int(m.max()) for m in matrices.values())
    for ax, (name, m) in zip(np.atleast_1d(axes), matrices.items()):
        # Log colours, so the few off-diagonal errors show beside a thousand correct ones.
        im = ax.imshow(m, cmap="Blues", norm=SymLogNorm(linthresh=1, vmin=0, vmax=max(top, 1)))
        for (i, j), v in np.ndenumerate(m):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=5.5, color="w" if i == j else "k")
        ax.set_xticks(range(10))
        ax.set_yticks(range(10))
        ax.set_xlabel("predicted digit")
        ax.set_ylabel("true digit")
        ax.set_title(name, fontsize=9)
        ticks = [0] + [10**k for k in range(6) if 10**k <= max(top, 1)]
        bar = fig.colorbar(im, ax=ax, label="test images (count, log scale)", shrink=0.85, ticks=ticks)
        bar.ax.set_yticklabels([str(t) for t in ticks])
    fig.suptitle(title, fontsize=10)
    return fig


def digit_grid(images: np.ndarray, captions: list[str], title: str, cols: int = 8) -> Figure:
    """A grid of digits, each with its caption."""
    rows = max(1, -(-len(images) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.35 * cols, 1.55 * rows))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, image, caption in zip(np.ravel(axes), images, captions):
        show_digit(image, caption, ax=ax)
        ax.axis("on")
    fig.suptitle(title, fontsize=10)
    return fig


def final_figures(
    protocol: str,
    raw_test: np.ndarray,
    y_test: np.ndarray,
    models: dict,
    found: np.ndarray,
    svm_name: str = "SVM",
    n_shown: int = 24,
) -> dict[str, Figure]:
    """Confusion matrices, the test digits logistic regression gets wrong and the SVM right, and the first of them.

    ``svm_name`` names the SVM in titles (e.g. ``rbf C=10 gamma=0.001``).
    """
    svm, lr = models["svm"].test_pred, models["logreg"].test_pred
    captions = [f"true {y_test[i]}  LR {lr[i]}\nSVM {svm[i]}" for i in found[:n_shown]]
    matrices = {
        f"SVM ({svm_name})": confusion_matrix(y_test, svm, labels=np.arange(10)),
        "logistic regression": confusion_matrix(y_test, lr, labels=np.arange(10)),
    }
    where = f"{protocol} protocol, one split, {len(y_test)} test images"
    one = f"Q6 {protocol}: first test digit LR gets wrong, SVM right\n" if len(found) else ""
    return {
        "confusion": confusion_figure(matrices, f"Q6 {where}: confusion matrices (row = true digit)"),
        "digits": digit_grid(
            raw_test[found[:n_shown]],
            captions,
            f"Q6 {where}: digits logistic regression (LR) gets wrong and the SVM ({svm_name}) right "
            f"({len(found)} in all, first {min(n_shown, len(found))} shown)",
        ),
        "one_digit": show_digit(
            raw_test[found[0]] if len(found) else raw_test[0], one + (captions[0] if len(found) else "none found")
        ),
    }


def _zero_counts(ax, result: dict[str, Any]) -> None:
    predicted = result["predicted_digit"]
    """Bars: test zeros predicted 6 by each model, by the engine and by libsvm's rule (and with floored std)."""
    bars: list[tuple[str, int, str]] = []
    for name, b in result["svms"].items():
        bars += [(f"{name}\nengine's predict", b["zero_as_six_engine"], "tab:red")]
        bars += [(f"{name}\nlibsvm rule", b["zero_as_six_reference"], "tab:blue")]
        if b["zero_as_six_floored_engine"] is not None:
            bars += [(f"{name}, std floored\nengine's predict", b["zero_as_six_floored_engine"], "salmon")]
            bars += [(f"{name}, std floored\nlibsvm rule", b["zero_as_six_floored_reference"], "lightblue")]
    bars += [("logistic regression", result["logreg"]["zero_as_six"], "tab:gray")]
    y = np.arange(len(bars))[::-1]  # the first bar on top
    ax.barh(y, [b[1] for b in bars], color=[b[2] for b in bars])
    for i, (_, v, _) in zip(y, bars):
        ax.text(v, i, f" {v}", ha="left", va="center", fontsize=7)
    ax.set_yticks(y, [b[0].replace("\n", ": ") for b in bars], fontsize=7)
    ax.set_ylabel("model, and how its prediction is computed")
    ax.set_xlabel(f"test zeros predicted {predicted} (count)")
    ax.set_xlim(0, 1.15 * max(max(b[1] for b in bars), 1))
    ax.set_title(f"Zeros predicted {predicted}, of {result['test_zeros']} test zeros", fontsize=9)


def _pair_gaps(ax, fig: Figure | SubFigure, diag: Any, name: str, tolerance: float) -> None:
    """Heat map: per one-vs-one pair, the largest |engine - libsvm rule| decision value over the test zeros."""
    gaps = diag.svms[name].gaps
    im = ax.imshow(gaps, cmap="magma_r", vmin=0, vmax=max(float(gaps.max()), 1e-9))
    for i, j in itertools.combinations(range(len(gaps)), 2):
        if gaps[i, j] > tolerance:
            light = gaps[i, j] < 0.5 * gaps.max()
            ax.text(j, i, f"{gaps[i, j]:.1f}", ha="center", va="center", fontsize=7, color="k" if light else "w")
    labels = [str(c) for c in diag.svms[name].classes]
    ax.set_xticks(range(len(gaps)), labels)
    ax.set_yticks(range(len(gaps)), labels)
    ax.set_xlabel("class j of the pair classifier")
    ax.set_ylabel("class i of the pair classifier")
    ax.set_title(
        f"{name} ({diag.svms[name].model}): per pair,\nengine vs libsvm rule on its own coefficients", fontsize=9
    )
    fig.colorbar(im, ax=ax, label="largest |difference| of decision values\nover the test zeros", shrink=0.8)


def _as_image(values: np.ndarray) -> np.ndarray:
    """``(784,)`` -> ``(28, 28)``; a length that is no square (hand-made data) -> one row."""
    side = int(round(np.sqrt(len(values))))
    return values.reshape(side, side) if side * side == len(values) else values.reshape(1, -1)


def _std_map(ax, fig: Figure | SubFigure, diag: Any) -> None:
    """The training std of every pixel, near-constant pixels marked."""
    im = ax.imshow(_as_image(diag.std), cmap="viridis")
    rows, cols = np.nonzero(_as_image(diag.near_constant))
    ax.scatter(cols, rows, s=5, c="r", marker="s", label=f"std < {diag.std_floor:g} ({len(rows)} pixels)")
    ax.set_xlabel("pixel column")
    ax.set_ylabel("pixel row")
    ax.set_title("Training std per pixel", fontsize=9)
    ax.legend(loc="lower center", fontsize=6, framealpha=0.9)
    fig.colorbar(im, ax=ax, label="std (grey levels, 0-255)", shrink=0.8)


def _extremes(ax, diag: Any, name: str, true: int, predicted: int) -> None:
    """Histograms: the largest |feature| of the test zeros the engine calls 6 and of those it calls 0."""
    d = diag.svms[name]
    top = max(float(np.max(d.as_six_max_abs, initial=0)), float(np.max(d.as_zero_max_abs, initial=0)), 1.0)
    bins = np.linspace(0, top, 30)
    for values, label, colour in ((d.as_zero_max_abs, true, "tab:blue"), (d.as_six_max_abs, predicted, "tab:red")):
        weights = np.full(len(values), 1 / max(len(values), 1))
        ax.hist(values, bins=bins, weights=weights, alpha=0.6, color=colour, label=f"called {label} ({len(values)})")
    ax.set_yscale("log")
    ax.set_xlabel("largest |feature| of the image" + (" (z-score)" if diag.scaling == "standard" else ""))
    ax.set_ylabel("fraction of those zeros")
    ax.set_title(f"Test zeros, by what the {name}'s engine calls them", fontsize=9)
    ax.legend(loc="upper right", fontsize=7)


def zero_as_six_figure(diag: Any, result: dict[str, Any], zeros_as_six: np.ndarray, n_shown: int = 8) -> Figure:
    """The diagnosis of the test zeros predicted 6 (one split, one protocol): counts, the pair classifiers where
    the engine departs from libsvm's rule, the pixel std map, how extreme those zeros' features are, and a few of them.

    ``diag`` is a ``nnsvm.q6.diagnose.Diagnosis`` and ``result`` its ``to_dict()`` (not imported here, so the
    grid stages, which use this module too, do not depend on the diagnosis code); ``zeros_as_six`` are raw
    ``(n, 784)`` test zeros the engine predicts 6, in test order.
    """
    fig = plt.figure(figsize=(18, 7.4), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[3.0, 1.0])
    top, bottom = fig.add_subfigure(grid[0]), fig.add_subfigure(grid[1])
    axes = top.subplots(1, 4, gridspec_kw={"width_ratios": [1.25, 1, 1, 1.1]})
    _zero_counts(axes[0], result)
    _pair_gaps(axes[1], top, diag, "svm", result["gap_tolerance"])
    _std_map(axes[2], top, diag)
    true, predicted = result["true_digit"], result["predicted_digit"]
    _extremes(axes[3], diag, "svm", true, predicted)
    cells = bottom.subplots(1, n_shown)
    ref = diag.svms["svm"].reference_pred[(diag.y_test == true) & (diag.svms["svm"].engine_pred == predicted)]
    for k, ax in enumerate(np.ravel(cells)):
        ax.axis("off")
        if k < len(zeros_as_six):
            show_digit(zeros_as_six[k], f"engine: {predicted}\nlibsvm rule: {ref[k]}", ax=ax)
            ax.axis("on")
    bottom.suptitle(f"The first test zeros the SVM's engine calls {predicted} ({len(zeros_as_six)} in all)", fontsize=9)
    fig.suptitle(
        f"Q6 {diag.protocol} protocol ({diag.scaling} scaling, {diag.engine}), one split: "
        f"why test zeros are predicted {predicted}",
        fontsize=11,
    )
    return fig
