"""Q1-A, claim 2: ReLU's zeros in the trained Q3 models, and whether they make the forward pass faster.

A model is cut into *blocks*, each ending at a hidden activation (the last block
ends at the output): ``model(x) == blocks[-1](...blocks[1](blocks[0](x)))``.
The outputs of all blocks but the last are the hidden activations; the later
blocks are the computation that reads them. Timing those blocks on the real
activations and on a dense copy (every zero replaced by :data:`DENSE_FILL`: the
same shapes, ops and magnitudes) shows whether the zeros buy any speed.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import scipy.stats
import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.core.errors import NnsvmError
from nnsvm.nets import checkpoint
from nnsvm.nets.models import MLP, LeNet

DENSE_FILL = 1e-6  # a normal float32 (no denormal slow path), negligible beside the activations
MIN_TIMING = 0.1  # seconds: each timing repeats a pass until it lasts about this long

Block = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Parts:
    blocks: list[Block]
    names: list[str]  # the layer whose activation each hidden block ends with
    linear_after: dict[int, tuple[str, nn.Linear]]  # hidden activation index -> the Linear layer reading it


def parts(model: nn.Module) -> Parts:
    """The blocks of a Q3 :class:`MLP` or :class:`LeNet` (see the module docstring)."""
    head: Block = (lambda z: z.softmax(1)) if getattr(model, "softmax_output", False) else (lambda z: z)
    if isinstance(model, MLP):
        m = model
        return Parts(
            [lambda x: m.act(m.fc1(x.flatten(1))), lambda h: m.act(m.fc2(h)), lambda h: head(m.fc3(h))],
            ["fc1", "fc2"],
            {0: ("fc2", m.fc2), 1: ("fc3", m.fc3)},
        )
    if isinstance(model, LeNet):
        n = model
        return Parts(
            [
                lambda x: n.act(n.conv1(x)),
                lambda h: n.act(n.conv2(n.pool(h, 2))),
                lambda h: n.act(n.fc1(n.pool(h, 2).flatten(1))),
                lambda h: n.act(n.fc2(h)),
                lambda h: head(n.fc3(h)),
            ],
            ["conv1", "conv2", "fc1", "fc2"],
            {2: ("fc2", n.fc2), 3: ("fc3", n.fc3)},
        )
    raise TypeError(f"no blocks known for {type(model).__name__}")


@torch.inference_mode()
def hidden_activations(blocks: list[Block], x: torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    """The output of every block but the last on all of ``x``, computed in batches of ``batch_size``."""
    per_batch = []
    for start in range(0, len(x), batch_size):
        h, outs = x[start : start + batch_size], []
        for block in blocks[:-1]:
            h = block(h)
            outs.append(h)
        per_batch.append(outs)
    return [torch.cat(layer) for layer in zip(*per_batch)]


def zero_stats(acts: list[torch.Tensor], names: list[str]) -> dict:
    """Zeros of hidden activations ``acts`` (each ``(n, ...)``, one unit per non-batch element).

    ``zero_share``: all layers pooled (every unit of every image counts once);
    ``active_share_per_image``: mean over images of the share of its units that are non-zero;
    ``dead``: units zero on every image (per layer; a feature map's units are its channel-position pairs).
    """
    flat = [a.flatten(1) == 0 for a in acts]
    zeros = sum(int(z.sum()) for z in flat)
    total = sum(z.numel() for z in flat)
    units = sum(z.shape[1] for z in flat)
    active_per_image = torch.stack([(~z).sum(1) for z in flat]).sum(0).double() / units
    return {
        "zero_share": zeros / total,
        "units": units,
        "images": len(acts[0]),
        "active_share_per_image": float(active_per_image.mean()),
        "active_units_per_image": float(active_per_image.mean()) * units,
        "layers": {name: _layer_stats(a, z) for name, a, z in zip(names, acts, flat)},
        "dead": sum(int(z.all(0).sum()) for z in flat),
    }


def _layer_stats(a: torch.Tensor, zero: torch.Tensor) -> dict:
    """One layer's zero share and dead units; for a feature map ``(n, C, H, W)`` also its dead channels."""
    stats = {"units": zero.shape[1], "zero_share": float(zero.double().mean()), "dead": int(zero.all(0).sum())}
    if a.dim() == 4:
        stats["channels"] = a.shape[1]
        stats["dead_channels"] = int((a == 0).all(0).flatten(1).all(1).sum())
    return stats


def densify(h: torch.Tensor) -> torch.Tensor:
    """``h`` with every exact zero replaced by :data:`DENSE_FILL`."""
    return torch.where(h == 0, torch.full_like(h, DENSE_FILL), h)


@torch.inference_mode()
def consumer_seconds(blocks: list[Block], acts: list[torch.Tensor], batch_size: int, passes: int = 1) -> float:
    """Wall time of ``blocks[i + 1]`` on ``acts[i]`` for every hidden activation, in batches: the mean of
    ``passes`` passes."""
    start = time.perf_counter()
    for _ in range(passes):
        for block, h in zip(blocks[1:], acts):
            for s in range(0, len(h), batch_size):
                block(h[s : s + batch_size])
    return (time.perf_counter() - start) / passes


def passes_for(blocks: list[Block], acts: list[torch.Tensor], batch_size: int) -> int:
    """Passes that make one timing last about :data:`MIN_TIMING` seconds (a short one is mostly noise)."""
    once = consumer_seconds(blocks, acts, batch_size)
    return max(1, math.ceil(MIN_TIMING / max(once, 1e-6)))


def interleaved(timers: Mapping[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Each timer run once per round for ``repeats`` rounds, the order reversed every other round so that drift
    and warm caches hit every timer alike; one untimed warm-up round first."""
    for timer in timers.values():
        timer()
    names = list(timers)
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            out[name].append(timers[name]())
    return out


def mean_interval(values: np.ndarray, level: float = 0.99) -> tuple[float, float, float]:
    """Mean of ``values`` and its Student t ``level`` confidence interval."""
    mean, n = float(values.mean()), len(values)
    half = float(scipy.stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def _ratio(dense: list[float], sparse: list[float]) -> dict:
    ratios = np.array(dense) / np.array(sparse)
    mean, low, high = mean_interval(ratios)
    return {
        "seconds": {"sparse": float(np.mean(sparse)), "dense": float(np.mean(dense))},
        "ratios": ratios.tolist(),
        "mean": mean,
        "low": low,
        "high": high,
    }


def speed(models: dict[str, tuple[list[Block], list[torch.Tensor]]], batch_size: int, repeats: int) -> dict:
    """Dense kernels on each model's real (sparse) hidden activations vs their dense copies, all timings
    interleaved: seconds per pass and ``t_dense / t_sparse`` per round (> 1: the zeros make it faster), per model
    and for all models together (each round's times summed)."""
    timers, passes = {}, {}
    for name, (blocks, acts) in models.items():
        passes[name] = passes_for(blocks, acts, batch_size)
        timers[f"{name}/sparse"] = partial(consumer_seconds, blocks, acts, batch_size, passes[name])
        timers[f"{name}/dense"] = partial(
            consumer_seconds, blocks, [densify(h) for h in acts], batch_size, passes[name]
        )
    times = interleaved(timers, repeats)
    total = {
        kind: np.sum([times[f"{name}/{kind}"] for name in models], axis=0).tolist() for kind in ("sparse", "dense")
    }
    return {
        "models": {
            name: _ratio(times[f"{name}/dense"], times[f"{name}/sparse"]) | {"passes_per_timing": passes[name]}
            for name in models
        },
        "all": _ratio(total["dense"], total["sparse"]),
    }


def _csr_batches(h: torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    with warnings.catch_warnings():  # "Sparse CSR tensor support is in beta state": known, and measured here
        warnings.simplefilter("ignore", UserWarning)
        return [h[s : s + batch_size].to_sparse_csr() for s in range(0, len(h), batch_size)]


@torch.inference_mode()
def csr_speed(parts_: Parts, acts: list[torch.Tensor], batch_size: int, repeats: int) -> dict:
    """The products ``h @ W.T`` of the Linear layers that read hidden activations ``h`` directly (bias left out),
    dense and as a sparse CSR matmul (``torch.sparse.mm``) of the same ``h``; conversion to CSR timed apart."""
    pairs = [(acts[i], layer.weight.T.contiguous()) for i, (_, layer) in parts_.linear_after.items()]
    csr = [_csr_batches(h, batch_size) for h, _ in pairs]

    def dense() -> float:
        start = time.perf_counter()
        for h, w in pairs:
            for s in range(0, len(h), batch_size):
                h[s : s + batch_size] @ w
        return time.perf_counter() - start

    def sparse() -> float:
        start = time.perf_counter()
        for batches, (_, w) in zip(csr, pairs):
            for b in batches:
                torch.sparse.mm(b, w)
        return time.perf_counter() - start

    def convert() -> float:
        start = time.perf_counter()
        for h, _ in pairs:
            _csr_batches(h, batch_size)
        return time.perf_counter() - start

    times = interleaved({"dense": dense, "csr": sparse, "to_csr": convert}, repeats)
    ratios = np.array(times["csr"]) / np.array(times["dense"])
    return {
        "layers": [name for name, _ in parts_.linear_after.values()],
        "seconds": {k: float(np.mean(v)) for k, v in times.items()},
        "csr_over_dense": float(ratios.mean()),
        "csr_with_conversion_over_dense": float(np.mean(times["csr"]) + np.mean(times["to_csr"]))
        / float(np.mean(times["dense"])),
    }


def measure(models: dict[str, nn.Module], x: torch.Tensor, batch_size: int, repeats: int) -> tuple[dict, dict]:
    """Each model's hidden activations on ``x``: ``(zeros, timings)``, two JSON records.

    The zeros are a rerun's same numbers; the timings (dense kernels on real vs densified
    activations, CSR vs dense) are wall times, different on every run, so they are kept apart.
    """
    found = {name: parts(model) for name, model in models.items()}
    acts = {name: hidden_activations(pr.blocks, x, batch_size) for name, pr in found.items()}
    zeros = {
        "test_images": len(x),
        "batch_size": batch_size,
        "zeros": {name: zero_stats(acts[name], pr.names) for name, pr in found.items()},
    }
    timings = {
        "threads": torch.get_num_threads(),
        "dense_fill": DENSE_FILL,
        "repeats": repeats,
        "speed": speed({name: (pr.blocks, acts[name]) for name, pr in found.items()}, batch_size, repeats),
        "csr": {name: csr_speed(pr, acts[name], batch_size, repeats) for name, pr in found.items()},
    }
    return zeros, timings


def relu_models(names: tuple[str, ...], folder: Path) -> dict[str, nn.Module]:
    """The first seed of each trained Q3 model ``folder/<name>.pt``, on the CPU; each must use ReLU."""
    out = {}
    for name in names:
        path = folder / f"{name}.pt"
        if not path.exists():
            raise NnsvmError(f"{path} not found (q1.sparsity.models names {name}); run `dvc repro q3_train@{name}`")
        model = checkpoint.load(str(path), torch.device("cpu"))[0]
        if getattr(model, "act", None) is not F.relu:
            raise NnsvmError(f"q1.sparsity.models: {name} does not use ReLU; name only ReLU models of q3.models")
        out[name] = model
    return out
