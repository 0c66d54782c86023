"""Q1-A, claim 1: without non-linear activations depth adds nothing; a deep net of identities is one linear map.

Three models per data set, same optimiser (Adam), budget, batch order and seed:
``linear`` (one linear layer: softmax regression), ``deep_identity`` (``depth``
hidden layers, no activation) and ``deep_relu`` (the same with ReLU).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from nnsvm.nets.train import Epoch
from nnsvm.q1.deepnet import Activation, DeepMLP, collapse_error, deep_mlp, fit_classifier
from nnsvm.q1.params import CollapseParams, LinearParams, RingsParams

MODELS: dict[str, tuple[int, Activation]] = {  # name -> (hidden layers: 0 or depth, activation)
    "linear": (0, "identity"),
    "deep_identity": (1, "identity"),
    "deep_relu": (1, "relu"),
}


@dataclass(frozen=True)
class Trained:
    model: DeepMLP
    history: list[Epoch]

    @property
    def accuracy(self) -> float:
        return self.history[-1].test_accuracy


def rings(p: RingsParams, rng: np.random.Generator) -> tuple[torch.Tensor, ...]:
    """Two noisy concentric rings (class 0 inner, class 1 outer), shuffled and split.

    Returns ``(x_train, y_train, x_test, y_test)``: ``(n, 2)`` float32 and ``(n,)`` int64.
    """
    label = np.arange(p.n_points) % 2
    radius = np.asarray(p.radii)[label] + rng.normal(0.0, p.noise, p.n_points)
    angle = rng.uniform(0.0, 2 * np.pi, p.n_points)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]).astype(np.float32)
    order = rng.permutation(p.n_points)
    n_test = max(1, round(p.test_fraction * p.n_points))
    test, train = order[:n_test], order[n_test:]
    return (
        torch.from_numpy(x[train]),
        torch.from_numpy(label[train]),
        torch.from_numpy(x[test]),
        torch.from_numpy(label[test]),
    )


def train_three(
    data: tuple[torch.Tensor, ...], p: LinearParams, epochs: int, lr: float, name: str = ""
) -> dict[str, Trained]:
    """The three models of :data:`MODELS` on ``data``, each from a generator seeded ``p.seed``."""
    inputs, outputs = data[0][0].numel(), int(data[1].max()) + 1
    out = {}
    for model_name, (deep, activation) in MODELS.items():
        generator = torch.Generator().manual_seed(p.seed)
        model = deep_mlp(inputs, outputs, deep * p.depth, p.width, activation, generator)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        history = fit_classifier(model, optimizer, data, epochs, p.batch_size, generator, f"{name} {model_name}")
        out[model_name] = Trained(model.eval(), history)
    return out


def random_collapse(p: CollapseParams, x: torch.Tensor, seed: int) -> dict[str, float]:
    """:func:`collapse_error` of a random float64 net of ``p.layers`` linear layers (identity activations) on ``x``."""
    outputs = 10
    model = deep_mlp(x[0].numel(), outputs, p.layers - 1, p.width, "identity", torch.Generator().manual_seed(seed))
    return collapse_error(model.double(), x)


def result(trained: dict[str, Trained], epochs: int, lr: float, n_test: int) -> dict:
    """The JSON record of one data set's three models."""
    return {
        "test_points": n_test,
        "epochs": epochs,
        "lr": lr,
        "accuracy": {name: t.accuracy for name, t in trained.items()},
        "history": {name: [[e.epoch, e.train_loss, e.test_accuracy] for e in t.history] for name, t in trained.items()},
        "parameters": {name: sum(w.numel() for w in t.model.parameters()) for name, t in trained.items()},
    }


def region_grid(models: dict[str, Trained], x: torch.Tensor, points: int) -> tuple[np.ndarray, ...]:
    """``(gx, gy, classes)`` with ``classes[name]`` each model's predicted class on a ``points``-square grid
    around ``x`` ``(n, 2)``."""
    lo, hi = float(x.min()) - 0.3, float(x.max()) + 0.3
    gx, gy = np.meshgrid(np.linspace(lo, hi, points), np.linspace(lo, hi, points))
    grid = torch.from_numpy(np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32))
    with torch.no_grad():
        classes = np.stack([t.model(grid).argmax(1).reshape(gx.shape).numpy() for t in models.values()])
    return gx, gy, classes


def measure(
    p: LinearParams, mnist: tuple[torch.Tensor, ...]
) -> tuple[dict, dict[str, Trained], tuple[torch.Tensor, ...]]:
    """The three models on the rings and on ``mnist`` ``(x_train, y_train, x_test, y_test)``, and both collapse
    checks: the JSON record, the ring models and the ring data (for the figure)."""
    ring_data = rings(p.rings, np.random.default_rng(p.seed))
    ring_models = train_three(ring_data, p, p.rings.epochs, p.rings.lr, "rings")
    mnist_models = train_three(mnist, p, p.mnist.epochs, p.mnist.lr, "mnist")
    x_test = mnist[2]
    record = {
        "depth": p.depth,
        "width": p.width,
        "batch_size": p.batch_size,
        "optimizer": "Adam",
        "collapse": {
            "random": random_collapse(p.collapse, x_test, p.seed),
            "mnist_deep_identity": collapse_error(mnist_models["deep_identity"].model, x_test),
        },
        "rings": result(ring_models, p.rings.epochs, p.rings.lr, len(ring_data[3])),
        "mnist": result(mnist_models, p.mnist.epochs, p.mnist.lr, len(mnist[3])),
    }
    return record, ring_models, ring_data
