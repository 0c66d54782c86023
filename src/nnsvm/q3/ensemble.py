"""Several seeds of one Q3 model trained together, as one computation, into the models each trains alone.

A protocol's seeds are independent models of the same shapes. Stacked (the seeds on the
channel axis of grouped convolutions, on the batch axis of batched matrix products for
the dense layers), one forward and backward pass trains them all and keeps the cores
busier than one small model at a time. Each seed keeps what it has alone:

- its initial weights, ``models.build(spec, generator)`` with its own generator;
- its batch order and augmentation shifts, drawn from that generator in the same order
  as ``train.fit`` draws them, so it sees the same batches;
- its loss: the summed loss is the sum of each seed's mean loss, whose gradient for a
  seed's weights is that seed's own;
- its optimiser state: Adam is elementwise, and the schedule (constant or one-cycle) is
  the same function of the step for every seed.

So seed k's model equals the one ``train.fit`` trains alone with seed k's generator, up to
float rounding (a grouped convolution may sum in another order than a plain one); run to
run it is deterministic. After every epoch the stack is copied into ordinary models (the
classes of ``nnsvm.nets.models``), whose test accuracy ``train.accuracy`` measures as it does
for a model trained alone; those models are what :func:`fit` returns.

Speed: the stack does no better than the bare loop once per seed on a 2-core machine, so
``q3.ensemble`` is off by default. With freed memory reused and the heap never trimmed
(``nnsvm.memory``: trimming had made every step of a 5-seed stack fault 1.4 GB back in), 5 rounds of
``benchmarks/train_throughput.py --loops ensemble`` measured 1.01x the best bare loop for
lenet_published's 10 seeds and 0.81x for mlp_published's 5 (it was 0.68x and 0.43x). The profile:
the elementwise passes over the first layer's maps (``sigmoid_backward``, ``avg_pool2d``'s backward)
are bound by memory bandwidth, which a wider computation does not add.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.core.progress import progress
from nnsvm.nets import models, train
from nnsvm.nets.augment import random_shift
from nnsvm.nets.params import ModelParams

log = logging.getLogger(__name__)

# Seeds trained in one stack at most: the activations grow with the stack (lenet_published's
# first convolution keeps 77 MB per seed at batch 4096, and autograd keeps several such maps).
MAX_TOGETHER = 5
CONVS, DENSES = ("conv1", "conv2"), ("fc1", "fc2", "fc3")


class Stacked(nn.Module):
    """``len(nets)`` models of one architecture as one module; ``forward`` gives ``(seeds, batch, 10)``.

    Input: a LeNet stack takes ``(batch, seeds, 28, 28)`` (seed s's images on channel s),
    an MLP stack ``(seeds, batch, 784)``. Convolution weights are the seeds' concatenated
    on the output-channel axis (``groups = seeds``); dense weights stacked ``(seeds, out, in)``.
    """

    def __init__(self, nets: Sequence[nn.Module]) -> None:
        super().__init__()
        first = nets[0]
        self.size, self.is_lenet = len(nets), isinstance(first, models.LeNet)
        self.act: Callable[[torch.Tensor], torch.Tensor] = first.act  # type: ignore[assignment]
        self.pool: Callable[..., torch.Tensor] | None = first.pool if self.is_lenet else None  # type: ignore[assignment]
        self.softmax_output = bool(first.softmax_output)
        self.conv_geometry: dict[str, tuple[Any, Any]] = {}
        for name in CONVS if self.is_lenet else ():
            conv = getattr(first, name)
            self.conv_geometry[name] = (conv.stride, conv.padding)
            self.register_parameter(f"{name}_weight", nn.Parameter(torch.cat([getattr(n, name).weight for n in nets])))
            self.register_parameter(f"{name}_bias", nn.Parameter(torch.cat([getattr(n, name).bias for n in nets])))
        for name in DENSES:
            self.register_parameter(
                f"{name}_weight", nn.Parameter(torch.stack([getattr(n, name).weight for n in nets]))
            )
            self.register_parameter(f"{name}_bias", nn.Parameter(torch.stack([getattr(n, name).bias for n in nets])))

    def _conv(self, name: str, x: torch.Tensor) -> torch.Tensor:
        stride, padding = self.conv_geometry[name]
        weight, bias = getattr(self, f"{name}_weight"), getattr(self, f"{name}_bias")
        return F.conv2d(x, weight, bias, stride=stride, padding=padding, groups=self.size)

    def _dense(self, name: str, x: torch.Tensor) -> torch.Tensor:
        weight, bias = getattr(self, f"{name}_weight"), getattr(self, f"{name}_bias")
        return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.is_lenet:
            assert self.pool is not None
            x = self.pool(self.act(self._conv("conv1", x)), 2)
            x = self.pool(self.act(self._conv("conv2", x)), 2)
            x = x.reshape(len(x), self.size, -1).transpose(0, 1)  # (seeds, batch, 400): each seed's flatten(1)
        x = self.act(self._dense("fc2", self.act(self._dense("fc1", x))))
        out = self._dense("fc3", x)
        return out.softmax(-1) if self.softmax_output else out

    @torch.no_grad()
    def copy_into(self, nets: Sequence[nn.Module]) -> None:
        """Write each seed's slice of the stack into its own model (same classes as ``models.build``)."""
        for name in (CONVS if self.is_lenet else ()) + DENSES:
            weight, bias = getattr(self, f"{name}_weight"), getattr(self, f"{name}_bias")
            per_seed = len(weight) // self.size if name in CONVS else 1
            for s, net in enumerate(nets):
                layer = getattr(net, name)
                if name in CONVS:
                    layer.weight.copy_(weight[s * per_seed : (s + 1) * per_seed])
                    layer.bias.copy_(bias[s * per_seed : (s + 1) * per_seed])
                else:
                    layer.weight.copy_(weight[s])
                    layer.bias.copy_(bias[s])


def stack_batches(batches: Sequence[torch.Tensor], lenet: bool) -> torch.Tensor:
    """Each seed's ``(batch, 1, 28, 28)`` images as a stack's input (see :class:`Stacked`).

    A LeNet's comes in channels-last memory (seed on the fastest axis) on the CPU, as
    ``models.place`` keeps a LeNet there; an MLP's is ``(seeds, batch, 784)``.
    """
    if not lenet:
        return torch.stack([b.flatten(1) for b in batches])
    if batches[0].device.type == "cpu":
        return torch.stack([b[:, 0] for b in batches], dim=-1).permute(0, 3, 1, 2)
    return torch.cat(list(batches), dim=1)


def train_step(stacked: Stacked, optimizer: torch.optim.Optimizer, xb: torch.Tensor, yb: torch.Tensor) -> list[float]:
    """One optimiser step for every seed; ``yb`` is ``(seeds, batch)``. Returns each seed's batch loss before it."""
    out = stacked(xb)
    seeds, batch = yb.shape
    losses = F.cross_entropy(out.reshape(seeds * batch, -1), yb.reshape(-1), reduction="none").view(seeds, batch)
    per_seed = losses.mean(1)
    optimizer.zero_grad(set_to_none=True)
    per_seed.sum().backward()
    optimizer.step()
    return per_seed.tolist()


def train_epoch(
    stacked: Stacked,
    optimizer: torch.optim.Optimizer,
    scheduler: object | None,
    data: tuple[torch.Tensor, torch.Tensor],
    spec: ModelParams,
    generators: Sequence[torch.Generator],
    desc: str = "",
) -> list[float]:
    """One pass over ``x`` for every seed, each in its own random order; returns each seed's mean batch loss."""
    x, y = data
    stacked.train()
    orders = [torch.randperm(len(x), generator=g).to(x.device) for g in generators]
    totals = [0.0] * len(generators)
    for start in progress(range(0, len(x), spec.batch_size), desc=desc, unit="batch"):
        idx = [order[start : start + spec.batch_size] for order in orders]
        xb = [random_shift(x[i], spec.shift_augment, g) for i, g in zip(idx, generators, strict=True)]
        yb = torch.stack([y[i] for i in idx])
        losses = train_step(stacked, optimizer, stack_batches(xb, stacked.is_lenet), yb)
        totals = [t + loss * len(idx[0]) for t, loss in zip(totals, losses, strict=True)]
        if scheduler is not None:
            scheduler.step()  # type: ignore[attr-defined]
    return [t / len(x) for t in totals]


def fit(
    spec: ModelParams, data: tuple[torch.Tensor, ...], generators: Sequence[torch.Generator], name: str = ""
) -> list[train.Fit]:
    """One model of ``spec`` per generator, trained together; as ``train.fit`` with each generator alone.

    Each fit's ``seconds`` is its share of the wall time (the total over the seeds is the time they took).
    """
    x, y, x_test, y_test = data
    nets = [models.place(models.build(spec, g), x.device) for g in generators]
    stacked = Stacked(nets).to(x.device)
    if stacked.is_lenet and x.device.type == "cpu":
        stacked = stacked.to(memory_format=torch.channels_last)
    steps_per_epoch = -(-len(x) // spec.batch_size)
    optimizer, scheduler = train.make_optimizer(stacked, spec, spec.epochs * steps_per_epoch)
    histories: list[list[train.Epoch]] = [[] for _ in nets]
    start = time.perf_counter()
    for epoch in range(1, spec.epochs + 1):
        desc = f"{name} epoch {epoch}/{spec.epochs}"
        losses = train_epoch(stacked, optimizer, scheduler, (x, y), spec, generators, desc=desc)
        stacked.copy_into(nets)
        for k, (net, loss) in enumerate(zip(nets, losses, strict=True)):
            histories[k].append(train.Epoch(epoch, loss, train.accuracy(net, x_test, y_test)))
            log.info(
                "%s model %d of %d epoch %d/%d: train loss %.4f, test accuracy %.4f",
                name,
                k + 1,
                len(nets),
                epoch,
                spec.epochs,
                loss,
                histories[k][-1].test_accuracy,
            )
    share = (time.perf_counter() - start) / len(nets)
    return [train.Fit(net.eval(), history, share) for net, history in zip(nets, histories, strict=True)]


def fit_seeds(
    spec: ModelParams, data: tuple[torch.Tensor, ...], seeds: Sequence[int], name: str = "", together: bool = True
) -> dict[int, train.Fit]:
    """Each seed's model of ``spec``, from ``torch.Generator().manual_seed(seed)``: what ``train.fit`` gives it.

    ``together``: up to :data:`MAX_TOGETHER` seeds at a time in one stack; else one after another.
    """
    if not together or len(seeds) == 1:
        return {s: train.fit(spec, data, torch.Generator().manual_seed(s), name=f"{name} seed {s}") for s in seeds}
    fits: dict[int, train.Fit] = {}
    for i in range(0, len(seeds), MAX_TOGETHER):
        group = list(seeds[i : i + MAX_TOGETHER])
        generators = [torch.Generator().manual_seed(s) for s in group]
        label = f"{name} seeds {group[0]}-{group[-1]}"
        fits |= dict(zip(group, fit(spec, data, generators, name=label), strict=True))
    return fits
