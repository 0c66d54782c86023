"""Q3-B, part by part: what carries the shift invariance a trained LeNet shows.

The answer credits two parts of the architecture: the convolution (shared weights
detect a pattern "regardless of its position or angle") and pooling (max pooling
keeps the prominent features "even if their positions vary slightly"). Three
measurements take them apart:

* the first convolution alone: shift the input and compare its feature maps with
  the maps of the unshifted input, shifted (*equivariance*); the same for a 90 degree
  rotation, which a grid rotates exactly;
* the pooling layer alone: how much a one-pixel shift changes the first layer's
  output after max pooling, average pooling, or plain stride-2 subsampling, on
  the same trained feature maps;
* whole networks (from q3_shift's in-frame tables): the max-pooled LeNet against
  the same LeNet with average pooling or with stride in place of pooling, the MLP,
  and the LeNet trained on shifted images (what the data does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.q3.shift import shift
from nnsvm.stats import difference_halfwidth

POOLING = {
    "max": lambda m: F.max_pool2d(m, 2),
    "avg": lambda m: F.avg_pool2d(m, 2),
    "stride": lambda m: m[..., ::2, ::2],  # what a stride-2 layer keeps: every other position
}


def _margin(conv: nn.Conv2d) -> int:
    """Output pixels this close to the frame read zero padding: left out of every comparison."""
    pad = conv.padding[0] if isinstance(conv.padding, tuple) else 0
    return int(pad)


def valid_region(size: int, d: int, margin: int) -> slice:
    """Output positions, along one axis, where the map of a ``d``-shifted input and the shifted map both come from
    the same input pixels: inside the part the shift moved (not the zeros it shifted in), ``margin`` from the frame."""
    return slice(max(0, d) + margin, size - max(0, -d) - margin)


@torch.inference_mode()
def shift_equivariance_error(conv: nn.Conv2d, x: torch.Tensor, dx: int, dy: int) -> float:
    """max |conv(shift(x)) - shift(conv(x))| over the valid region, relative to max |conv(x)|.

    A stride-1 convolution is shift-equivariant: this is 0 up to float rounding.
    """
    a, b = conv(shift(x, dx, dy)), shift(conv(x), dx, dy)
    h, w = a.shape[-2:]
    m = _margin(conv)
    rows, cols = valid_region(h, dy, m), valid_region(w, dx, m)
    return float((a - b)[..., rows, cols].abs().max() / b.abs().max())


@torch.inference_mode()
def rotation_equivariance_error(conv: nn.Conv2d, x: torch.Tensor) -> float:
    """||conv(rot90(x)) - rot90(conv(x))|| / ||conv(x)||, the bias taken out: 0 only for rotation-symmetric filters.

    A 90 degree rotation of a square grid is exact (no interpolation), so any
    difference is the convolution's, not the rotation's.
    """
    bias = conv.bias.view(1, -1, 1, 1) if conv.bias is not None else 0.0
    a = conv(torch.rot90(x, 1, (-2, -1))) - bias
    b = torch.rot90(conv(x) - bias, 1, (-2, -1))
    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b))


def filter_asymmetry(conv: nn.Conv2d) -> float:
    """||w - rot90(w)|| / ||w|| of the filters: what the rotation error of the convolution comes from."""
    w = conv.weight.detach()
    return float(torch.linalg.vector_norm(w - torch.rot90(w, 1, (-2, -1))) / torch.linalg.vector_norm(w))


@torch.inference_mode()
def pooled_change(
    conv: nn.Conv2d, act, x: torch.Tensor, dx: int, dy: int, batch_size: int = 1000
) -> dict[str, np.ndarray]:
    """Per image, ||P(f(shift(x))) - P(f(x))|| / ||P(f(x))|| with ``f = act(conv(.))`` and ``P`` each pooling of
    :data:`POOLING` (images whose pooled map is all zero are dropped)."""
    out: dict[str, list[np.ndarray]] = {name: [] for name in POOLING}
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size]
        before, after = act(conv(xb)), act(conv(shift(xb, dx, dy)))
        for name, pool in POOLING.items():
            p, q = pool(before).flatten(1), pool(after).flatten(1)
            norm = torch.linalg.vector_norm(p, dim=1)
            keep = norm > 0
            out[name].append((torch.linalg.vector_norm(q - p, dim=1)[keep] / norm[keep]).cpu().numpy())
    return {name: np.concatenate(v) for name, v in out.items()}


@dataclass(frozen=True)
class Gain:
    """Shift consistency of ``better`` minus that of ``than``, averaged over shift distances 1..R."""

    better: str
    than: str
    by_distance: dict[int, float]  # distance -> consistency(better) - consistency(than)
    value: float
    half_width: float  # of the 99% two-sample binomial interval
    n: int  # fewest in-frame images per shift over the distances


def consistency_gain(
    rings: dict[str, dict],
    better: str,
    than: str,
    distances: Sequence[int],
    half_width: Callable[[float, float, int], float] = difference_halfwidth,
) -> Gain:
    """``rings``: shift_inframe_by_distance.json ({model: {"consistency": {r: v}, "n": {r: mean count}}}).

    ``half_width(p1, p2, n)`` gives the interval of a difference of two shares on ``n`` images: taken with the
    fewest in-frame images per shift over the distances, as if the mean came from one shift (conservative).
    """
    cons = {m: {int(r): v for r, v in rings[m]["consistency"].items()} for m in (better, than)}
    by = {r: cons[better][r] - cons[than][r] for r in distances}
    n = int(min(min(rings[m]["n"][str(r)] for r in distances) for m in (better, than)))
    p1, p2 = (float(np.mean([cons[m][r] for r in distances])) for m in (better, than))
    return Gain(better, than, by, float(np.mean(list(by.values()))), half_width(p1, p2, n), n)


def conv_parts(conv: nn.Conv2d, x: torch.Tensor, max_shift: int, tol: float, model: str) -> dict:
    """The first convolution's equivariance: worst shift error over shifts of 1..``max_shift`` px along each axis
    and direction, the 90-degree rotation error, and the filters' asymmetry."""
    shifts = [(dx, dy) for d in range(1, max_shift + 1) for dx, dy in ((d, 0), (0, d), (-d, 0), (0, -d))]
    return {
        "model": model,
        "n": len(x),
        "shifts": len(shifts),
        "tol": tol,
        "shift_err": max(shift_equivariance_error(conv, x, dx, dy) for dx, dy in shifts),
        "rotation_err": rotation_equivariance_error(conv, x),
        "asymmetry": filter_asymmetry(conv),
    }


def pooled_changes(
    conv: nn.Conv2d, act, x: torch.Tensor, distances: Sequence[int], batch_size: int
) -> dict[int, dict[str, np.ndarray]]:
    """:func:`pooled_change` per image for a horizontal and a vertical shift of each distance, averaged."""
    out = {}
    for d in distances:
        across, down = pooled_change(conv, act, x, d, 0, batch_size), pooled_change(conv, act, x, 0, d, batch_size)
        out[d] = {how: (across[how] + down[how]) / 2 for how in POOLING}
    return out


def record(conv: dict, changed: dict[int, dict[str, np.ndarray]], gains: dict[str, Gain]) -> dict:
    """``reports/q3/invariance/invariance.json``: the three parts' numbers (per-image changes as their means)."""
    return {
        "conv1": conv,
        "pooled_change": {str(d): {how: float(v.mean()) for how, v in by.items()} for d, by in changed.items()},
        "consistency_gain": {
            key: {"model": g.better, "than": g.than, "mean": g.value, "by_distance": g.by_distance, "n": g.n}
            for key, g in gains.items()
        },
    }
