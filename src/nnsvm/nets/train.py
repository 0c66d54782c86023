"""Training on MNIST held in memory as one float tensor (no DataLoader, no per-sample Python).

``x`` tensors are ``(n, 1, 28, 28)`` float32 in [0, 1]; ``y`` are ``(n,)`` int64.
Randomness (initial weights, batch order, augmentation shifts) comes only from
the ``torch.Generator`` passed in, so the same inputs give the same model on CPU.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.core.errors import NnsvmError
from nnsvm.core.progress import progress
from nnsvm.data.mnist import Mnist
from nnsvm.memory import reuse_freed_memory
from nnsvm.nets import models
from nnsvm.nets.augment import predict, random_shift
from nnsvm.nets.params import ModelParams

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Epoch:
    epoch: int  # 1-based
    train_loss: float  # mean CrossEntropyLoss over the epoch's batches, as the optimiser saw it
    test_accuracy: float  # in [0, 1]


@dataclass(frozen=True)
class Fit:
    model: nn.Module
    history: list[Epoch]
    seconds: float  # wall time of training (per-epoch test evaluation included)


def resolve_device(device: str) -> torch.device:
    """``auto`` picks CUDA when available; asking for CUDA without it is the user's to fix."""
    if device == "cuda" and not torch.cuda.is_available():
        raise NnsvmError("q3.device is cuda but torch sees no CUDA device; set q3.device: auto or cpu")
    return torch.device("cuda" if device == "cuda" or (device == "auto" and torch.cuda.is_available()) else "cpu")


def set_threads(threads: int) -> None:
    """Torch's CPU threads (0 leaves torch's default), and freed tensors' memory kept for the next
    (``nnsvm.memory.reuse_freed_memory``): what a training or evaluation stage sets before its first tensor."""
    reuse_freed_memory()
    if threads:
        torch.set_num_threads(threads)


def to_tensors(images: np.ndarray, labels: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 ``(n, 28, 28)`` images and labels -> float ``(n, 1, 28, 28)`` in [0, 1] and int64, on ``device``."""
    x = (
        torch.from_numpy(np.require(images, requirements=["C", "W"]))
        .to(device=device, dtype=torch.float32)
        .div_(255)
        .unsqueeze(1)
    )
    return x, torch.from_numpy(labels.astype(np.int64)).to(device)


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, xb: torch.Tensor, yb: torch.Tensor) -> float:
    """One optimiser step on one batch; returns the batch loss before the step."""
    loss = F.cross_entropy(model(xb), yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def make_optimizer(model: nn.Module, spec: ModelParams, steps: int) -> tuple[torch.optim.Optimizer, object | None]:
    optimizer = torch.optim.Adam(model.parameters(), lr=spec.lr)
    if spec.schedule == "constant":
        return optimizer, None
    return optimizer, torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=spec.lr, total_steps=steps)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 2000) -> float:
    return float((predict(model, x, batch_size) == y).float().mean())


def train_epoch(
    model, optimizer, scheduler, x, y, spec: ModelParams, generator: torch.Generator, desc: str = ""
) -> float:
    """One pass over ``x`` in a random order; returns the mean batch loss."""
    model.train()
    order = torch.randperm(len(x), generator=generator).to(x.device)
    total, batches = 0.0, range(0, len(x), spec.batch_size)
    for start in progress(batches, desc=desc, unit="batch"):
        idx = order[start : start + spec.batch_size]
        xb = random_shift(x[idx], spec.shift_augment, generator)
        total += train_step(model, optimizer, xb, y[idx]) * len(idx)
        if scheduler is not None:
            scheduler.step()
    return total / len(x)


def fit(spec: ModelParams, data: tuple[torch.Tensor, ...], generator: torch.Generator, name: str = "") -> Fit:
    """Train a fresh model of ``spec`` on ``data = (x_train, y_train, x_test, y_test)``."""
    x, y, x_test, y_test = data
    model = models.place(models.build(spec, generator), x.device)
    steps_per_epoch = -(-len(x) // spec.batch_size)
    optimizer, scheduler = make_optimizer(model, spec, spec.epochs * steps_per_epoch)
    history, start = [], time.perf_counter()
    for epoch in range(1, spec.epochs + 1):
        loss = train_epoch(
            model, optimizer, scheduler, x, y, spec, generator, desc=f"{name} epoch {epoch}/{spec.epochs}"
        )
        history.append(Epoch(epoch, loss, accuracy(model, x_test, y_test)))
        log.info(
            "%s epoch %d/%d: train loss %.4f, test accuracy %.4f",
            name,
            epoch,
            spec.epochs,
            loss,
            history[-1].test_accuracy,
        )
    return Fit(model.eval(), history, time.perf_counter() - start)


def mnist_tensors(data: Mnist, max_train: int, device: torch.device) -> tuple[torch.Tensor, ...]:
    """``(x_train, y_train, x_test, y_test)`` on ``device``; ``max_train`` > 0 keeps the first N training images."""
    n = max_train or len(data.y_train)
    return (*to_tensors(data.x_train[:n], data.y_train[:n], device), *to_tensors(data.x_test, data.y_test, device))
