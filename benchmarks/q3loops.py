"""The Q3 loops the benchmarks time: the project's (as its stages call them) and bare PyTorch ones.

Every function sets torch's thread count itself, so contenders with different
settings can alternate in one process; each returns the seconds it measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.nets import models, train
from nnsvm.nets.params import ModelParams
from nnsvm.q3 import ensemble, frame
from nnsvm.q3.shift import offsets

DEFAULT_THREADS = torch.get_num_threads()  # torch's own choice at start-up (OMP_NUM_THREADS, else one per core)


def load_data(n: int) -> tuple[torch.Tensor, torch.Tensor, str]:
    """The first ``n`` MNIST training images ``(n, 1, 28, 28)`` float32 from data/mnist; random ones without it."""
    try:
        from nnsvm.data import mnist

        data = mnist.load("data/mnist")
        x, y = train.to_tensors(data.x_train[:n], data.y_train[:n], torch.device("cpu"))
        return x, y, f"MNIST ({data.source}), first {len(x)} training images"
    except Exception:  # noqa: BLE001 - no data here: random images of the same shape cost the same
        g = torch.Generator().manual_seed(0)
        return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g), f"{n} random images"


def project_threads(configured: int) -> int:
    """The threads a stage runs with: ``q3.threads``, or torch's default when it is 0 (``train.set_threads``)."""
    return configured or DEFAULT_THREADS


@dataclass(frozen=True)
class Bare:
    """A bare PyTorch setting: torch threads, and channels-last memory format for the model and images."""

    threads: int
    channels_last: bool = False

    @property
    def name(self) -> str:
        return f"bare {'channels-last' if self.channels_last else 'fp32'} {self.threads}t"

    def prepare(self, model: nn.Module, x: torch.Tensor) -> tuple[nn.Module, torch.Tensor]:
        """Threads set; model and images in this setting's memory format (done once, before any timing)."""
        torch.set_num_threads(self.threads)
        if not self.channels_last:
            return model, x
        return model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)


def bare_settings(arch: str, cores: int) -> list[Bare]:
    """One thread and every core, fp32; channels-last beside them for LeNet (an MLP has no 4-d tensors)."""
    threads = sorted({1, cores})
    formats = (False, True) if arch == "lenet" else (False,)
    return [Bare(t, cl) for cl in formats for t in threads]


def project_epoch(spec: ModelParams, x: torch.Tensor, y: torch.Tensor, seed: int, threads: int) -> float:
    """One training epoch as stage q3_train runs it: ``train.fit`` for one epoch (its test set: 10 images).

    ``fit`` wraps ``train_epoch`` with the model, optimiser and schedule set-up the stage uses, so
    whatever the project does there (memory format, batching) is timed too.
    """
    torch.set_num_threads(threads)
    one = spec.model_copy(update={"epochs": 1, "report_epochs": []})
    start = time.perf_counter()
    train.fit(one, (x, y, x[:10], y[:10]), torch.Generator().manual_seed(seed))
    return time.perf_counter() - start


def bare_epoch(spec: ModelParams, x: torch.Tensor, y: torch.Tensor, seed: int, setting: Bare) -> float:
    """The loop a PyTorch user would write: shuffle, forward, loss, backward, step (same model, optimiser, batch)."""
    g = torch.Generator().manual_seed(seed)
    model, x = setting.prepare(models.build(spec, g), x)
    optimizer, scheduler = train.make_optimizer(model, spec, -(-len(x) // spec.batch_size))
    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(x), generator=g)
    for i in range(0, len(x), spec.batch_size):
        idx = order[i : i + spec.batch_size]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return time.perf_counter() - start


def ensemble_epoch(spec: ModelParams, x: torch.Tensor, y: torch.Tensor, seeds: list[int], threads: int) -> float:
    """One epoch of every seed as stage q3_train trains them: ``ensemble.fit_seeds`` (its test set: 10 images)."""
    torch.set_num_threads(threads)
    one = spec.model_copy(update={"epochs": 1, "report_epochs": []})
    start = time.perf_counter()
    ensemble.fit_seeds(one, (x, y, x[:10], y[:10]), seeds)
    return time.perf_counter() - start


def bare_epochs(spec: ModelParams, x: torch.Tensor, y: torch.Tensor, seeds: list[int], setting: Bare) -> float:
    """The bare loop's epoch once per seed, one model after another: what the seeds cost without the ensemble."""
    return sum(bare_epoch(spec, x, y, seed, setting) for seed in seeds)


def shift_passes(max_shift: int) -> int:
    """Forward passes over the test images in q3_shift's loop: one per shift, and the unshifted one."""
    return len(list(offsets(max_shift))) + 1


def project_shift(
    spec: ModelParams, x: torch.Tensor, y: torch.Tensor, max_shift: int, batch: int, threads: int
) -> float:
    """Stage q3_shift's loop for one model (fresh weights): ``frame.grids``, every shift, all and in-frame images."""
    torch.set_num_threads(threads)
    # placed as checkpoint.load places the stage's models (channels-last for a LeNet on the CPU)
    model = models.place(models.build(spec, torch.Generator().manual_seed(0)), x.device)
    start = time.perf_counter()
    frame.grids(model, x, y, max_shift, batch)
    return time.perf_counter() - start


@torch.inference_mode()
def bare_forward(spec: ModelParams, x: torch.Tensor, passes: int, batch: int, setting: Bare) -> float:
    """``passes`` batched forward passes (argmax included) over ``x``: the work of the shift loop, nothing else."""
    model, x = setting.prepare(models.build(spec, torch.Generator().manual_seed(0)).eval(), x)
    start = time.perf_counter()
    for _ in range(passes):
        for i in range(0, len(x), batch):
            model(x[i : i + batch]).argmax(1)
    return time.perf_counter() - start
