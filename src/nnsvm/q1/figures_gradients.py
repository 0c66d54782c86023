"""Q1-B figures (stage q1_gradients): per-layer gradient norms of the deep MLPs; the training curves."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnsvm.plotting import plt

DEEP_LABELS = {"sigmoid": "sigmoid", "relu": "ReLU", "relu_he": "ReLU, He init"}
COLOURS = {"sigmoid": "tab:orange", "relu": "tab:blue", "relu_he": "tab:green"}
LENET_LABELS = {
    "original": "original: sigmoid + double softmax",
    "sigmoid_logits": "sigmoid, logits into the loss",
    "relu_softmax": "ReLU, double softmax",
}


def gradients_figure(deep: dict) -> Figure:
    """Left: per-layer weight-gradient norms at init (geometric mean over seeds, min-max band); right: on the
    probe batch at init and after each epoch."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), sharey=True)
    layers = np.arange(1, len(deep["layers"]) + 1)
    for name, norms in deep["init_norms"].items():
        n = np.array(norms)
        left.plot(layers, np.exp(np.log(n).mean(0)), "o-", color=COLOURS[name], label=DEEP_LABELS[name])
        left.fill_between(layers, n.min(0), n.max(0), color=COLOURS[name], alpha=0.2)
    left.set(title=f"at initialisation ({len(deep['seeds'])} seeds)", ylabel="||dL/dW|| (Frobenius)")
    for name, run in deep["runs"].items():
        probe = np.array(run["probe_norms"])
        for epoch, row in enumerate(probe):
            alpha = 0.3 + 0.7 * epoch / max(1, len(probe) - 1)
            label = DEEP_LABELS[name] if epoch == len(probe) - 1 else None
            right.plot(layers, row, "-", color=COLOURS[name], alpha=alpha, label=label)
    right.set(title=f"probe batch at init, then after each of {deep['epochs']} epochs (darker = later)")
    for ax in (left, right):
        ax.set(yscale="log", xlabel="layer (1 = first hidden, last = output)", xticks=layers)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(f"Q1-B: {deep['depth']} hidden layers of {deep['width']}, plain SGD lr {deep['lr']}")
    fig.tight_layout()
    return fig


def training_figure(deep: dict, lenet: dict) -> Figure:
    """Test accuracy per epoch: the deep MLPs (plain SGD) and the three LeNet variants."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    for name, run in deep["runs"].items():
        h = np.array(run["history"])
        left.plot(h[:, 0], 100 * h[:, 2], "o-", color=COLOURS[name], label=DEEP_LABELS[name])
    left.set(title=f"deep MLP ({deep['depth']} hidden layers), plain SGD", xlabel="epoch", ylabel="test accuracy (%)")
    for name, history in lenet["history"].items():
        h = np.array(history)
        right.plot(h[:, 0], 100 * h[:, 2], "o-", label=LENET_LABELS[name])
    right.set(title=f"LeNet-5, original set-up (Adam lr {lenet['lr']}, batch {lenet['batch_size']})", xlabel="epoch")
    for ax in (left, right):
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figures(g: dict) -> dict[str, Figure]:
    return {"gradients": gradients_figure(g["deep"]), "gradients_training": training_figure(g["deep"], g["lenet"])}
