"""Integer shifts with zero fill (no wrap-around), and shift-invariance measures.

Convention: ``dx > 0`` moves the image right, ``dy > 0`` moves it down; pixels
shifted out of the frame are lost, pixels shifted in are 0. The random shifts of
training, and batched prediction, are ``nnsvm.nets.augment``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from nnsvm.core.progress import progress
from nnsvm.nets.augment import predict


def shift(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Every image of ``x`` ``(..., H, W)`` shifted by the same ``(dx, dy)``."""
    h, w = x.shape[-2:]
    out = torch.zeros_like(x)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    src_y, dst_y = slice(max(0, -dy), h - max(0, dy)), slice(max(0, dy), h - max(0, -dy))
    src_x, dst_x = slice(max(0, -dx), w - max(0, dx)), slice(max(0, dx), w - max(0, -dx))
    out[..., dst_y, dst_x] = x[..., src_y, src_x]
    return out


def consistency(base: torch.Tensor, shifted: torch.Tensor) -> float:
    """Share of images whose predicted class is the same with and without the shift."""
    return float((base == shifted).float().mean())


@dataclass(frozen=True)
class ShiftGrid:
    """Accuracy and consistency at every ``(dx, dy)`` of ``[-S, S]^2``, keyed ``"dx,dy"``."""

    accuracy: dict[str, float]
    consistency: dict[str, float]

    def by_distance(self, which: str) -> dict[int, float]:
        """Mean over each ring of Chebyshev distance ``max(|dx|, |dy|) = r``."""
        values = getattr(self, which)
        rings: dict[int, list[float]] = {}
        for key, value in values.items():
            dx, dy = (int(v) for v in key.split(","))
            rings.setdefault(max(abs(dx), abs(dy)), []).append(value)
        return {r: sum(v) / len(v) for r, v in sorted(rings.items())}


def offsets(max_shift: int) -> Iterator[tuple[int, int]]:
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            yield dx, dy


def shift_grid(model: nn.Module, x: torch.Tensor, y: torch.Tensor, max_shift: int, batch_size: int) -> ShiftGrid:
    """Measure ``model`` on ``x`` shifted by every integer ``(dx, dy)`` with ``|dx|, |dy| <= max_shift``."""
    base = predict(model, x, batch_size)
    accuracy, agree = {}, {}
    for dx, dy in progress(list(offsets(max_shift)), desc="shifts"):
        pred = predict(model, shift(x, dx, dy), batch_size)
        accuracy[f"{dx},{dy}"] = float((pred == y).float().mean())
        agree[f"{dx},{dy}"] = consistency(base, pred)
    return ShiftGrid(accuracy, agree)


def first_of_each_class(y: torch.Tensor, classes: range = range(10)) -> list[int]:
    """Index of the first image of each class in ``y`` (a class absent from ``y`` is an error)."""
    found = []
    for label in classes:
        hits = torch.nonzero(y == label)
        if len(hits) == 0:
            raise ValueError(f"no image of class {label}")
        found.append(int(hits[0]))
    return found
