"""Which test images stay inside the frame when shifted, and the shift grid measured on those only.

The assignment's rule: a shifted test digit must stay inside the 28 x 28 frame.
Ink is every pixel > 0 of the uint8 image (> 0 of the float image in [0, 1] is
the same set). An image is *in frame* at ``(dx, dy)`` when no ink pixel is
shifted out (same convention as ``nnsvm.q3.shift``: ``dx > 0`` right, ``dy > 0`` down).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from nnsvm.core.errors import NnsvmError
from nnsvm.core.progress import progress
from nnsvm.nets.augment import predict
from nnsvm.q3.shift import ShiftGrid, offsets, shift

RING_KEYS = ("accuracy", "consistency", "n", "base_accuracy", "discordant")


@dataclass(frozen=True)
class InkBox:
    """The bounding box of each image's ink: rows ``top..bottom``, columns ``left..right`` (inclusive), ``(n,)`` int64.

    An image without ink has ``top = left = size`` and ``bottom = right = -1``: always in frame.
    """

    top: torch.Tensor
    bottom: torch.Tensor
    left: torch.Tensor
    right: torch.Tensor
    height: int
    width: int

    def in_frame(self, dx: int, dy: int) -> torch.Tensor:
        """``(n,)`` bool: image ``i`` shifted by ``(dx, dy)`` keeps all its ink."""
        return (
            (self.left + dx >= 0)
            & (self.right + dx < self.width)
            & (self.top + dy >= 0)
            & (self.bottom + dy < self.height)
        )


def _first_true(mask: torch.Tensor, empty: int) -> torch.Tensor:
    """Index of the first True of each row of ``mask`` ``(n, k)``, ``empty`` where a row has none."""
    first = mask.to(torch.uint8).argmax(1)  # argmax returns the first maximum
    return torch.where(mask.any(1), first, torch.full_like(first, empty))


def ink_box(x: torch.Tensor) -> InkBox:
    """The ink bounding box of each image of ``x`` ``(n, H, W)`` or ``(n, 1, H, W)``, uint8 or float."""
    ink = (x > 0).reshape(len(x), *x.shape[-2:])
    h, w = ink.shape[-2:]
    rows, cols = ink.any(2), ink.any(1)  # (n, H), (n, W)
    return InkBox(
        top=_first_true(rows, h),
        bottom=h - 1 - _first_true(rows.flip(1), h),
        left=_first_true(cols, w),
        right=w - 1 - _first_true(cols.flip(1), w),
        height=h,
        width=w,
    )


def ink_kept(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """``(n,)`` float: the share of each image's ink pixels still in the frame after the shift (1 without ink)."""
    before = (x > 0).flatten(1).sum(1)
    after = (shift(x, dx, dy) > 0).flatten(1).sum(1)
    return torch.where(before > 0, after / before.clamp(min=1), torch.ones_like(before, dtype=torch.float32))


def first_in_frame(x: torch.Tensor, y: torch.Tensor, dx: int, dy: int = 0, classes: range = range(10)) -> list[int]:
    """Index of the first image of each class whose ink stays in the frame shifted by ``(dx, dy)``."""
    inside = ink_box(x).in_frame(dx, dy)
    found = []
    for label in classes:
        hits = torch.nonzero((y == label) & inside)
        if len(hits) == 0:
            raise NnsvmError(
                f"no test image of class {label} keeps its ink in the frame shifted ({dx}, {dy}); "
                "use a smaller q3.shift.demo_shift or more test images (q3.shift.max_test)"
            )
        found.append(int(hits[0]))
    return found


@dataclass(frozen=True)
class InFrameGrid:
    """Accuracy and consistency at each ``(dx, dy)`` (keyed ``"dx,dy"``) over the ``n[key]`` images in frame there.

    ``base_accuracy``: the unshifted accuracy of those same images; ``discordant``: the share of them right
    shifted or unshifted but not both (what a paired difference of the two accuracies needs). A shift with
    no image in frame has ``None`` for all four (and ``n = 0``).
    """

    accuracy: dict[str, float | None]
    consistency: dict[str, float | None]
    n: dict[str, int]
    base_accuracy: dict[str, float | None]
    discordant: dict[str, float | None]

    def by_distance(self, which: str) -> dict[int, float]:
        """Mean over each ring ``max(|dx|, |dy|) = r`` of the shifts that have images in frame (as ShiftGrid's).

        For ``which == "n"``: the mean number of images in frame per shift of the ring.
        """
        values: dict[str, float | None] = getattr(self, which)
        rings: dict[int, list[float]] = {}
        for key, value in values.items():
            dx, dy = (int(v) for v in key.split(","))
            if value is not None:
                rings.setdefault(max(abs(dx), abs(dy)), []).append(value)
        return {r: sum(v) / len(v) for r, v in sorted(rings.items())}


def _share(hits: torch.Tensor) -> float | None:
    return float(hits.float().mean()) if len(hits) else None


def grids(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, max_shift: int, batch_size: int
) -> tuple[ShiftGrid, InFrameGrid]:
    """``model`` on ``x`` shifted by every ``(dx, dy)`` of ``[-max_shift, max_shift]^2``: all images, and in-frame only.

    One prediction per image and shift serves both: the all-image grid equals ``shift.shift_grid``'s.
    """
    box = ink_box(x)
    base = predict(model, x, batch_size)
    base_right = base == y
    accuracy, agree, in_accuracy, in_agree, n, in_base, in_discordant = {}, {}, {}, {}, {}, {}, {}
    for dx, dy in progress(list(offsets(max_shift)), desc="shifts"):
        key, pred, inside = f"{dx},{dy}", predict(model, shift(x, dx, dy), batch_size), box.in_frame(dx, dy)
        right, same = pred == y, pred == base
        accuracy[key], agree[key] = float(right.float().mean()), float(same.float().mean())
        in_accuracy[key], in_agree[key], n[key] = _share(right[inside]), _share(same[inside]), int(inside.sum())
        in_base[key], in_discordant[key] = _share(base_right[inside]), _share((right != base_right)[inside])
    return ShiftGrid(accuracy, agree), InFrameGrid(in_accuracy, in_agree, n, in_base, in_discordant)


def tables(found: dict[str, InFrameGrid]) -> tuple[dict, dict]:
    """``shift_inframe.json`` (every ``(dx, dy)``) and ``shift_inframe_by_distance.json`` (ring means), per model.

    Schema of both: ``{model: {"accuracy": {key: value}, "consistency": {...}, "n": {...}}}``; keys ``"dx,dy"``
    in the first, the distance ``"r"`` in the second (where ``n`` is the ring's mean count per shift).
    """
    full = {name: {which: getattr(g, which) for which in RING_KEYS} for name, g in found.items()}
    rings = {
        name: {which: {str(r): v for r, v in g.by_distance(which).items()} for which in RING_KEYS}
        for name, g in found.items()
    }
    return full, rings


def in_frame_of_class(x: torch.Tensor, y: torch.Tensor, label: int, dx: int, dy: int = 0) -> torch.Tensor:
    """Indices ``(m,)`` of every image of class ``label`` whose ink stays in the frame shifted by ``(dx, dy)``."""
    return torch.nonzero((y == label) & ink_box(x).in_frame(dx, dy)).flatten()


def column_range(x: torch.Tensor, index: Sequence[int]) -> list[list[int]]:
    """``[left, right]`` ink columns of each image ``index`` of ``x`` (inclusive, 0-based)."""
    box = ink_box(x[list(index)])
    return [[int(a), int(b)] for a, b in zip(box.left, box.right)]
