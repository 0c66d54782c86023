"""Q1-B: does sigmoid make gradients vanish and ReLU keep them?

* A deep MLP, sigmoid vs ReLU, PyTorch's default init (and ReLU with He init for
  reference), trained with plain SGD: per-layer weight-gradient norms at
  initialisation over seeds and after each epoch on a fixed probe batch, and the
  training curves. No momentum, no Adam: Adam divides each weight's step by its
  own gradient scale, so a vanishing gradient would not slow it down.
* The original LeNet mixes two changes from the corrected one, sigmoid and a
  double softmax (softmax before ``CrossEntropyLoss``); one is undone at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nnsvm.core.errors import NnsvmError
from nnsvm.nets import models
from nnsvm.nets.params import ModelParams
from nnsvm.nets.train import Epoch, fit
from nnsvm.q1.deepnet import Init, deep_mlp, fit_classifier, init_grad_norms, layer_grad_norms
from nnsvm.q1.params import GradientsParams
from nnsvm.stats import prediction_interval

# The deep MLPs: name -> (activation, init).
DEEP: dict[str, tuple[str, Init]] = {
    "sigmoid": ("sigmoid", "pytorch"),
    "relu": ("relu", "pytorch"),
    "relu_he": ("relu", "he"),
}
# The LeNet variants trained beside the original: name -> what changes in q3.models.lenet_published.
LENET_TRAINED: dict[str, dict] = {
    "sigmoid_logits": {"softmax_before_loss": False},  # the original's sigmoid, logits into the loss
    "relu_softmax": {"activation": "relu"},  # ReLU, the original's double softmax
}
# Every activation x loss combination, for the first convolution's gradient at initialisation.
LENET_COMBOS: dict[str, dict] = {
    f"{act}_{loss}": {"activation": act, "softmax_before_loss": loss == "softmax"}
    for act in ("sigmoid", "relu")
    for loss in ("softmax", "logits")
}


def build_deep(name: str, p: GradientsParams, generator: torch.Generator) -> nn.Module:
    activation, init = DEEP[name]
    return deep_mlp(784, 10, p.depth, p.width, activation, generator, init)  # type: ignore[arg-type]


def first_batches(x: torch.Tensor, y: torch.Tensor, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` training images drawn without replacement by a generator seeded ``seed``."""
    idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n]
    return x[idx], y[idx]


def deep_init_norms(x: torch.Tensor, y: torch.Tensor, p: GradientsParams) -> dict[str, np.ndarray]:
    """Per-layer gradient norms at initialisation, ``(seeds, layers)`` per deep MLP; seed ``s`` gives every
    MLP the same batches and (one init scheme) the same initial weights, so seeds pair up."""
    out: dict[str, list[np.ndarray]] = {name: [] for name in DEEP}
    for seed in range(p.seed, p.seed + p.seeds):
        xb, yb = first_batches(x, y, p.init_batches * p.batch_size, seed)
        for name in DEEP:
            model = build_deep(name, p, torch.Generator().manual_seed(seed)).to(x.device)
            out[name].append(init_grad_norms(model, xb, yb, p.init_batches, p.batch_size))
    return {name: np.stack(v) for name, v in out.items()}


def first_over_last(norms: np.ndarray) -> np.ndarray:
    """First hidden layer's gradient norm over the output layer's, per row of ``norms`` ``(seeds, layers)``."""
    return norms[:, 0] / norms[:, -1]


def geometric(values: Sequence[float] | np.ndarray, level: float = 0.99) -> tuple[float, float, float]:
    """Geometric mean of positive ``values`` and the ``level`` prediction interval over them, both formed on
    log10 and exponentiated (ratios of gradient norms spread over decades)."""
    logs = np.log10(np.asarray(values, float))
    low, high = prediction_interval(logs, level)
    return float(10 ** logs.mean()), float(10**low), float(10**high)


@dataclass(frozen=True)
class DeepRun:
    history: list[Epoch]
    probe_norms: list[list[float]]  # per-layer gradient norms on the probe batch: at init, then after each epoch


def train_deep(name: str, data: tuple[torch.Tensor, ...], p: GradientsParams) -> DeepRun:
    """One deep MLP trained with plain SGD from seed ``p.seed``; probe norms on the first ``probe_size``
    training images."""
    generator = torch.Generator().manual_seed(p.seed)
    model = build_deep(name, p, generator).to(data[0].device)
    optimizer = torch.optim.SGD(model.parameters(), lr=p.lr)
    probe = data[0][: p.probe_size], data[1][: p.probe_size]
    norms = [layer_grad_norms(model, *probe).tolist()]
    history = fit_classifier(
        model,
        optimizer,
        data,
        p.epochs,
        p.batch_size,
        generator,
        f"deep {name}",
        on_epoch=lambda m: norms.append(layer_grad_norms(m, *probe).tolist()),
    )
    return DeepRun(history, norms)


@dataclass(frozen=True)
class LenetRun:
    history: list[Epoch]
    right: torch.Tensor  # (n_test,) bool: which test images the model gets right after the last epoch


def train_lenets(original: ModelParams, epochs: int, data: tuple[torch.Tensor, ...], seed: int) -> dict[str, LenetRun]:
    """The original and each variant of :data:`LENET_TRAINED` trained as ``original`` was (seed ``seed``: the
    same initial weights and batch order) for ``epochs`` epochs: the same test images right or wrong, for a
    paired comparison."""
    out = {}
    for name, change in ({"original": {}} | LENET_TRAINED).items():
        spec = original.model_copy(update=change | {"epochs": epochs})
        found = fit(spec, data, torch.Generator().manual_seed(seed), name=f"lenet {name}")
        with torch.no_grad():
            right = torch.cat([found.model(x).argmax(1) for x in data[2].split(2000)]) == data[3]
        out[name] = LenetRun(found.history, right.cpu())
    return out


def discordant(a: torch.Tensor, b: torch.Tensor) -> float:
    """Share of images right in exactly one of ``a``, ``b`` (bool, the same images)."""
    return float((a != b).float().mean())


def lenet_conv1_norms(original: ModelParams, x: torch.Tensor, y: torch.Tensor, p: GradientsParams) -> dict:
    """conv1's weight-gradient norm at initialisation, per seed, for every combination of :data:`LENET_COMBOS`."""
    out: dict[str, list[float]] = {name: [] for name in LENET_COMBOS}
    for seed in range(p.seed, p.seed + p.seeds):
        xb, yb = first_batches(x, y, p.init_batches * p.batch_size, seed)
        for name, change in LENET_COMBOS.items():
            model = models.place(
                models.build(original.model_copy(update=change), torch.Generator().manual_seed(seed)), x.device
            )
            out[name].append(float(init_grad_norms(model, xb, yb, p.init_batches, p.batch_size)[0]))
    return out


def layer_names(p: GradientsParams) -> list[str]:
    return [f"hidden{i}" for i in range(1, p.depth + 1)] + ["output"]


def _rows(history: list[Epoch]) -> list[list[float]]:
    return [[e.epoch, e.train_loss, e.test_accuracy] for e in history]


def measure_deep(data: tuple[torch.Tensor, ...], p: GradientsParams) -> dict:
    """The deep MLPs of :data:`DEEP` on ``data = (x_train, y_train, x_test, y_test)``: the JSON record."""
    init = deep_init_norms(data[0], data[1], p)
    runs = {name: train_deep(name, data, p) for name in DEEP}
    return {
        "depth": p.depth,
        "width": p.width,
        "lr": p.lr,
        "batch_size": p.batch_size,
        "epochs": p.epochs,
        "seed": p.seed,
        "seeds": list(range(p.seed, p.seed + p.seeds)),
        "init_batches": p.init_batches,
        "probe_size": p.probe_size,
        "test_images": len(data[3]),
        "layers": layer_names(p),
        "init_norms": {name: v.tolist() for name, v in init.items()},
        "ratios": {name: first_over_last(v).tolist() for name, v in init.items()},
        "runs": {name: {"history": _rows(r.history), "probe_norms": r.probe_norms} for name, r in runs.items()},
    }


def measure_lenet(
    original: ModelParams, recorded: list[list[float]], data: tuple[torch.Tensor, ...], seed: int, p: GradientsParams
) -> dict:
    """The LeNet variants beside the original's ``recorded`` curve ``[[epoch, train_loss, test_accuracy], ...]``
    (q3_train@lenet_published, seed ``seed``), and conv1's gradient at init: the JSON record."""
    if p.lenet_epochs > len(recorded):
        raise NnsvmError(
            f"q1.gradients.lenet_epochs is {p.lenet_epochs} but lenet_published's recorded curve has {len(recorded)} "
            "epochs; lower lenet_epochs or raise q3.models.lenet_published.epochs"
        )
    trained = train_lenets(original, p.lenet_epochs, data, seed)
    base = trained.pop("original")
    again = _rows(base.history)
    return {
        "epochs": p.lenet_epochs,
        "seed": seed,
        "lr": original.lr,
        "batch_size": original.batch_size,
        "test_images": len(data[3]),
        "history": {"original": recorded[: p.lenet_epochs]} | {name: _rows(r.history) for name, r in trained.items()},
        # the original retrained here for the paired comparison: its curve, and whether it is the recorded one
        "original_retrained": again,
        "original_is_recorded": again == recorded[: p.lenet_epochs],
        # per variant: share of test images right in exactly one of it and the retrained original
        "discordant": {name: discordant(r.right, base.right) for name, r in trained.items()},
        "init_batches": p.init_batches,
        "init_batch_size": p.batch_size,
        "conv1_init": lenet_conv1_norms(original, data[0], data[1], p),
    }
