"""Deep fully connected nets of one activation, their training, and their weight gradients (Q1-A, Q1-B).

Inputs are ``(n, ...)`` float tensors, flattened to ``(n, d)``; outputs are logits
``(n, classes)``. Randomness (initial weights, batch order) comes only from the
``torch.Generator`` passed in.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.core.progress import progress
from nnsvm.nets.models import reset_parameters
from nnsvm.nets.train import Epoch, accuracy, train_step

Activation = Literal["identity", "relu", "sigmoid"]
Init = Literal["pytorch", "he"]
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {"identity": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
EPS64 = float(np.finfo(np.float64).eps)

log = logging.getLogger(__name__)


class DeepMLP(nn.Module):
    """``inputs`` -> ``depth`` hidden layers of ``width`` units, each followed by ``activation`` -> ``outputs``.

    ``depth = 0`` is one linear layer (softmax regression when trained with cross-entropy).
    """

    def __init__(self, inputs: int, outputs: int, depth: int, width: int, activation: Activation) -> None:
        super().__init__()
        sizes = [inputs] + [width] * depth + [outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.act = ACTIVATIONS[activation]()

    def linears(self) -> list[nn.Linear]:
        return [layer for layer in self.layers if isinstance(layer, nn.Linear)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)


def deep_mlp(
    inputs: int,
    outputs: int,
    depth: int,
    width: int,
    activation: Activation,
    generator: torch.Generator,
    init: Init = "pytorch",
) -> DeepMLP:
    """A :class:`DeepMLP` with PyTorch's default init drawn from ``generator``; ``init="he"`` then redraws the
    weights N(0, 2 / fan_in) (He et al., 2015: the variance a ReLU layer keeps)."""
    model = DeepMLP(inputs, outputs, depth, width, activation)
    reset_parameters(model, generator)
    if init == "he":
        for layer in model.linears():
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)
    return model


def weighted_layers(model: nn.Module) -> list[nn.Linear | nn.Conv2d]:
    """The Linear and Conv2d layers of ``model``, input side first (definition order)."""
    return [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


# --- a net of identity activations is one linear map -------------------------


def collapse(layers: Sequence[nn.Linear]) -> tuple[torch.Tensor, torch.Tensor]:
    """The one affine map ``x -> W x + b`` (float64) that the chain ``layers`` computes without activations.

    W = W_L ... W_1, b = W_L (... (W_2 b_1 + b_2) ...) + b_L.
    """
    weight = torch.eye(layers[0].in_features, dtype=torch.float64)
    bias = torch.zeros(layers[0].in_features, dtype=torch.float64)
    for layer in layers:
        w, b = layer.weight.detach().double(), layer.bias.detach().double()
        weight, bias = w @ weight, w @ bias + b
    return weight, bias


@torch.no_grad()
def collapse_error(model: DeepMLP, x: torch.Tensor) -> dict[str, float]:
    """How far ``model`` (identity activations) is from its collapsed map on ``x``, in float64.

    ``relative_err`` = max |model(x) - (W x + b)| / max |model(x)|; ``rounding_bound`` is what float64 rounding
    alone can make it: 2 u sum of the fan-ins (u the unit roundoff, one gamma_n per matrix product, both sides).
    ``agreement``: share of ``x`` whose predicted class (argmax) ``model`` in its own precision and the collapsed
    map share.
    """
    layers = model.linears()
    weight, bias = collapse(layers)
    deep = copy.deepcopy(model).double()(x.double())
    flat = x.double().flatten(1) @ weight.T + bias
    err, scale = float((deep - flat).abs().max()), float(deep.abs().max())
    own = model(x.to(layers[0].weight.dtype))
    return {
        "max_abs_err": err,
        "output_scale": scale,
        "relative_err": err / scale,
        "rounding_bound": EPS64 * sum(layer.in_features for layer in layers),
        "agreement": float((own.argmax(1) == flat.argmax(1)).float().mean()),
        "layers": len(layers),
        "points": len(x),
    }


# --- training ----------------------------------------------------------------


def fit_classifier(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    data: tuple[torch.Tensor, ...],
    epochs: int,
    batch_size: int,
    generator: torch.Generator,
    name: str = "",
    on_epoch: Callable[[nn.Module], object] | None = None,
) -> list[Epoch]:
    """Train with cross-entropy on ``data = (x_train, y_train, x_test, y_test)``; one :class:`Epoch` per epoch.

    ``on_epoch(model)`` is called after each epoch (the model in eval mode), e.g. to probe its gradients.
    """
    x, y, x_test, y_test = data
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(x), generator=generator).to(x.device)
        total = 0.0
        for start in progress(range(0, len(x), batch_size), desc=f"{name} epoch {epoch}/{epochs}", unit="batch"):
            idx = order[start : start + batch_size]
            total += train_step(model, optimizer, x[idx], y[idx]) * len(idx)
        history.append(Epoch(epoch, total / len(x), accuracy(model.eval(), x_test, y_test)))
        log.info("%s epoch %d/%d: train loss %.4f, test accuracy %.4f", name, epoch, epochs, *_last(history))
        if on_epoch is not None:
            on_epoch(model)
    return history


def _last(history: list[Epoch]) -> tuple[float, float]:
    return history[-1].train_loss, history[-1].test_accuracy


# --- weight gradients ------------------------------------------------------------


def layer_grad_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Frobenius norm of d loss / d W of each weighted layer (input side first), the loss the mean
    cross-entropy of ``model(x)`` (as training computes it: on the output as it is, softmax or logits)."""
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    norms = [
        float(layer.weight.grad.norm()) if layer.weight.grad is not None else 0.0 for layer in weighted_layers(model)
    ]
    model.zero_grad(set_to_none=True)
    return np.array(norms)


def init_grad_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batches: int, batch_size: int) -> np.ndarray:
    """Mean over the first ``batches`` batches of ``(x, y)`` of :func:`layer_grad_norms`: the gradients training
    starts with (no step taken between batches)."""
    starts = range(0, batches * batch_size, batch_size)
    return np.mean([layer_grad_norms(model, x[s : s + batch_size], y[s : s + batch_size]) for s in starts], axis=0)
