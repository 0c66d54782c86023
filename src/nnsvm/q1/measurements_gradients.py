"""Q1-B measurements for the report (stage q1_gradients): vanishing gradients, sigmoid vs ReLU.

Each value is answer-independent (claims/answer.yaml says what the answer states
of it); the interval beside a value is the measurement's own tolerance.
"""

from __future__ import annotations

import numpy as np

from nnsvm.measurement import Measurement, around, measure, pct
from nnsvm.q1.gradients import LENET_COMBOS, geometric
from nnsvm.stats import difference_halfwidth, paired_share_halfwidth, z_two_sided

LEVEL = 0.99
GEOMETRIC = "99% prediction interval over seeds, on log10"
DEEP_NAMES = {"sigmoid": "sigmoid", "relu": "ReLU", "relu_he": "ReLU, He init"}
INITS = {"relu": "PyTorch's default init", "relu_he": "He init for ReLU, PyTorch's default for sigmoid"}


def measurements(g: dict, figs: dict[str, str]) -> dict[str, Measurement]:
    deep, lenet = g["deep"], g["lenet"]
    found = {f"q1b.{name}.grad_ratio": grad_ratio(deep, name, figs["gradients"]) for name in DEEP_NAMES}
    found["q1b.relu_over_sigmoid"] = relu_over_sigmoid(deep, figs["gradients"])
    found["q1b.relu_accuracy_gain"] = accuracy_gain(deep, "relu", figs["gradients_training"])
    found["q1b.relu_he_accuracy_gain"] = accuracy_gain(deep, "relu_he", figs["gradients_training"])
    for name in lenet["history"]:
        found[f"q1b.lenet.{name}.epoch{lenet['epochs']}"] = lenet_accuracy(lenet, name, figs["gradients_training"])
    for name in ("relu_softmax", "sigmoid_logits"):
        found[f"q1b.lenet.{name}_gain.epoch{lenet['epochs']}"] = lenet_gain(lenet, name, figs["gradients_training"])
    for combo in LENET_COMBOS:
        found[f"q1b.lenet.grad_conv1.{combo}"] = conv1_norm(lenet, combo, figs["gradients"])
    return found


def _over_seeds(values, text: str, note: str, fig: str) -> Measurement:
    """``values`` (one per seed) as their geometric mean with the 99% prediction interval on log10; ``text`` may
    use ``{value}``."""
    value, low, high = geometric(values, LEVEL)
    return measure(value, "e", spread=(low, high, GEOMETRIC), text=text.format(value=value), note=note, figures=(fig,))


def _difference(a: float, b: float, n: int, seeds: str, text: str, note: str, fig: str) -> Measurement:
    """Accuracy ``a`` minus ``b`` (both on ``n`` test images) with its 99% interval; ``seeds`` says what it
    leaves out."""
    return around(
        a - b,
        difference_halfwidth(a, b, n, LEVEL),
        "pct",
        f"99% interval of a difference of two accuracies, {n} test images each; {seeds}",
        text=text,
        note=note,
        figures=(fig,),
    )


def _deep_setup(deep: dict, init: str = "PyTorch's default init") -> str:
    return f"{deep['depth']} hidden layers of {deep['width']}, {init}, cross-entropy, batch {deep['batch_size']}"


def grad_ratio(deep: dict, name: str, fig: str) -> Measurement:
    """First hidden layer's weight-gradient norm over the output layer's at initialisation, over seeds."""
    ratios = deep["ratios"][name]
    norms = np.exp(np.log(np.array(deep["init_norms"][name])).mean(0))
    setup = _deep_setup(deep, "He init") if name == "relu_he" else _deep_setup(deep)
    return _over_seeds(
        ratios,
        f"||dL/dW_1|| / ||dL/dW_out|| = {{value:.1e}} ({DEEP_NAMES[name]})",
        f"{DEEP_NAMES[name]} MLP, {setup}; Frobenius norms, mean over the first {deep['init_batches']} batches, "
        f"geometric mean over {len(ratios)} seeds (range {min(ratios):.1e} to {max(ratios):.1e}); per layer, input "
        f"side first: {', '.join(f'{v:.1e}' for v in norms)}",
        fig,
    )


def relu_over_sigmoid(deep: dict, fig: str) -> Measurement:
    paired = np.array(deep["ratios"]["relu"]) / np.array(deep["ratios"]["sigmoid"])
    return _over_seeds(
        paired,
        "ReLU's first-layer share of the gradient is {value:.1e} x sigmoid's",
        f"per seed (same initial weights and batches) the ReLU MLP's first/output gradient-norm ratio over the "
        f"sigmoid MLP's, geometric mean over {len(paired)} seeds; > 1: ReLU's first layer keeps more of the gradient; "
        f"{_deep_setup(deep)}",
        fig,
    )


def _accuracy(run: dict, epoch: int) -> float:
    return run["history"][epoch - 1][2]


def accuracy_gain(deep: dict, name: str, fig: str) -> Measurement:
    """Test accuracy of the deep MLP ``name`` minus the sigmoid one's after the last epoch of plain SGD."""
    runs, last = deep["runs"], deep["epochs"]
    a, b = _accuracy(runs[name], last), _accuracy(runs["sigmoid"], last)
    each = "; ".join(
        f"{DEEP_NAMES[n]}: epoch 1 {pct(_accuracy(r, 1))}, epoch {last} {pct(_accuracy(r, last))}, train loss "
        f"{r['history'][-1][1]:.3f}"
        for n, r in runs.items()
    )
    return _difference(
        a,
        b,
        deep["test_images"],
        "one seed",
        f"{100 * (a - b):+.2f} points after {last} epochs ({pct(a)} vs {pct(b)})",
        f"{DEEP_NAMES[name]} vs sigmoid MLP, {_deep_setup(deep, INITS[name])}, plain SGD lr {deep['lr']} "
        f"(no momentum: Adam rescales each weight's step and would hide a vanishing gradient), seed {deep['seed']}; "
        f"{each}",
        fig,
    )


LENET_NAMES = {
    "original": "the original (sigmoid, softmax before the loss), as q3_train@lenet_published recorded it",
    "sigmoid_logits": "the original with logits into the loss (sigmoid kept)",
    "relu_softmax": "the original with ReLU (double softmax kept)",
}


def lenet_accuracy(lenet: dict, name: str, fig: str) -> Measurement:
    history, n = lenet["history"][name], lenet["test_images"]
    acc = history[lenet["epochs"] - 1][2]
    half = z_two_sided(LEVEL) * float(np.sqrt(acc * (1 - acc) / n))
    return around(
        acc,
        half,
        "pct",
        f"99% binomial interval of one accuracy on {n} test images",
        text=f"{pct(acc)} after {lenet['epochs']} epochs",
        note=f"LeNet-5, {LENET_NAMES[name]}; q3.models.lenet_published's set-up (avg pooling, Adam lr "
        f"{lenet['lr']}, batch {lenet['batch_size']}), seed {lenet['seed']}: the same initial weights and batch "
        f"order; test accuracy per epoch {', '.join(f'{100 * e[2]:.1f}' for e in history)}",
        figures=(fig,),
    )


def lenet_gain(lenet: dict, name: str, fig: str) -> Measurement:
    """Test accuracy of LeNet variant ``name`` minus the original's, after the same epochs from the same seed,
    on the same test images: a paired difference (McNemar's normal approximation)."""
    n, at = lenet["test_images"], lenet["epochs"] - 1
    a, b = lenet["history"][name][at][2], lenet["original_retrained"][at][2]
    share = lenet["discordant"][name]
    half = paired_share_halfwidth(a - b, share, n, LEVEL)
    same = (
        "retrained here with the same code and seed, epoch for epoch the curve q3_train@lenet_published recorded"
        if lenet["original_is_recorded"]
        else f"retrained here with the same seed; its curve differs from q3_train@lenet_published's "
        f"({pct(lenet['history']['original'][at][2])} recorded after {lenet['epochs']} epochs)"
    )
    return around(
        a - b,
        half,
        "pct",
        f"99% paired interval on the same {n} test images ({pct(share)} right in one model only); one seed (the "
        "same initial weights and batch order), so the seed-to-seed spread of the original protocol is not in it",
        text=f"{100 * (a - b):+.2f} points after {lenet['epochs']} epochs: {LENET_NAMES[name].split(' (')[0]} "
        f"{pct(a)}, the original {pct(b)}",
        note=f"LeNet-5 with q3.models.lenet_published's set-up, seed {lenet['seed']}; only "
        f"{'the activation' if name == 'relu_softmax' else 'the loss input'} differs; the original is {same}",
        figures=(fig,),
    )


def conv1_norm(lenet: dict, combo: str, fig: str) -> Measurement:
    norms = lenet["conv1_init"][combo]
    act, loss = combo.split("_")
    into = "softmax before the loss" if loss == "softmax" else "logits into the loss"
    return _over_seeds(
        norms,
        "||dL/dW_conv1|| = {value:.1e} at initialisation",
        f"LeNet-5 (avg pooling), {act}, {into}; PyTorch's default init, mean over the first "
        f"{lenet['init_batches']} batches of {lenet['init_batch_size']}, "
        f"geometric mean over {len(norms)} seeds (range {min(norms):.1e} to {max(norms):.1e})",
        fig,
    )
