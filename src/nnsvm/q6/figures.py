"""Q6 figures: CV heat-maps, confusion matrices, digits, and the one-image viewer."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
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
    ax.set_xlabel("gamma")
    ax.set_ylabel("C")
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, label="CV accuracy")
    return fig


def confusion_figure(matrices: dict[str, np.ndarray], title: str) -> Figure:
    """Confusion matrices side by side (row = true digit, column = predicted)."""
    fig, axes = plt.subplots(1, len(matrices), figsize=(4.6 * len(matrices), 4.4))
    for ax, (name, m) in zip(np.atleast_1d(axes), matrices.items()):
        ax.imshow(np.log1p(m), cmap="Blues")
        for (i, j), v in np.ndenumerate(m):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=5.5, color="w" if i == j else "k")
        ax.set_xticks(range(10))
        ax.set_yticks(range(10))
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(name, fontsize=9)
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
    protocol: str, raw_test: np.ndarray, y_test: np.ndarray, models: dict, found: np.ndarray, n_shown: int = 24
) -> dict[str, Figure]:
    """Confusion matrices, the test digits logistic regression gets wrong and the SVM right, and the first of them."""
    svm, lr = models["svm"].test_pred, models["logreg"].test_pred
    captions = [f"true {y_test[i]}  LR {lr[i]}\nSVM {svm[i]}" for i in found[:n_shown]]
    matrices = {
        "SVM": confusion_matrix(y_test, svm, labels=np.arange(10)),
        "logistic regression": confusion_matrix(y_test, lr, labels=np.arange(10)),
    }
    return {
        "confusion": confusion_figure(matrices, f"Q6 {protocol}: test confusion matrices"),
        "digits": digit_grid(
            raw_test[found[:n_shown]],
            captions,
            f"Q6 {protocol}: test digits logistic regression gets wrong and the SVM right ({len(found)} in all)",
        ),
        "one_digit": show_digit(
            raw_test[found[0]] if len(found) else raw_test[0], captions[0] if len(found) else "none found"
        ),
    }
