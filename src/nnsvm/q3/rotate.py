"""Rotated test images, and how each model's answers change with the angle (Q3-A: "regardless of ... angle").

Convention: a positive angle turns the image counter-clockwise as displayed (row 0 at the top), about
the centre of the frame; bilinear interpolation; the corners turned in are 0 (background). This is
torchvision's ``rotate``, so ``rotate(x, 90)`` is ``torch.rot90(x, 1, dims=(-2, -1))``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as tvf

from nnsvm.core.errors import NnsvmError
from nnsvm.core.progress import progress
from nnsvm.nets import checkpoint
from nnsvm.nets.augment import predict

WITHIN = (30, 60)  # the "right at every angle up to ±limit" shares the sweep records


def rotate(x: torch.Tensor, angle: float) -> torch.Tensor:
    """Every image of ``x`` ``(..., H, W)`` float turned ``angle`` degrees counter-clockwise (see the module)."""
    return tvf.rotate(x, float(angle), interpolation=InterpolationMode.BILINEAR, fill=0.0)


def angles(max_angle: int, step: int) -> list[int]:
    """``0, ±step, ±2 step, ...`` up to ``max_angle``, and ``±max_angle`` itself: always symmetric, 0 included."""
    if max_angle == 0:
        raise NnsvmError("q3.rotate.max_angle is 0: no angle to rotate by; set it to a positive angle (degrees)")
    half = sorted({*range(0, max_angle + 1, step), max_angle})
    return sorted({-a for a in half} | set(half))


def first_seeds(names: Iterable[str], folder: Path, device: torch.device) -> dict[str, nn.Module]:
    """The first seed of each model ``folder/<name>.pt``; a missing checkpoint is the user's to fix."""
    found = {}
    for name in names:
        path = folder / f"{name}.pt"
        if not path.is_file():
            raise NnsvmError(
                f"no checkpoint {path} for Q3 model {name}; train it first: `dvc repro q3_train@{name}` "
                f"(or `dvc checkout {path}` if it is in the DVC cache)"
            )
        found[name] = checkpoint.load(str(path), device)[0]
    return found


@dataclass(frozen=True)
class RotationSweep:
    """Each model's accuracy and consistency (prediction unchanged from 0 degrees) at every angle, on ``n`` images.

    ``within[model][limit]``: the share of images classified correctly at every swept angle with
    ``|angle| <= limit`` (one entry per limit of ``WITHIN`` up to the largest angle swept).
    """

    angles: list[int]
    n: int
    accuracy: dict[str, dict[int, float]]
    consistency: dict[str, dict[int, float]]
    within: dict[str, dict[int, float]]

    def both_ways(self, which: str, name: str, angle: int) -> float:
        """Mean of ``which`` at ``+angle`` and ``-angle``."""
        table = getattr(self, which)[name]
        return (table[angle] + table[-angle]) / 2

    def steps(self) -> list[tuple[int, dict[str, float]]]:
        """Per angle, each model's accuracy and consistency as MLflow metrics, with the step they log at.

        MLflow steps must be >= 0, so the step is ``angle + max_angle`` (0 at -max_angle).
        """
        top = max(self.angles)
        return [
            (
                angle + top,
                {f"{name}.rotation_accuracy": acc[angle] for name, acc in self.accuracy.items()}
                | {f"{name}.rotation_consistency": c[angle] for name, c in self.consistency.items()},
            )
            for angle in self.angles
        ]

    def table(self) -> dict:
        """``rotate.json``: ``{"angles", "n", "models": {model: {"accuracy": {angle: v}, "consistency": ...,
        "right_at_every_angle_within": {limit: v}}}}`` (angles in degrees, counter-clockwise positive)."""
        models = {
            name: {
                "accuracy": {str(a): v for a, v in self.accuracy[name].items()},
                "consistency": {str(a): v for a, v in self.consistency[name].items()},
                "right_at_every_angle_within": {str(k): v for k, v in self.within[name].items()},
            }
            for name in self.accuracy
        }
        return {"angles": self.angles, "n": self.n, "models": models}


def _share(hits: torch.Tensor) -> float:
    """The share of True in ``hits``, from exact counts (no float32 rounding in the reports)."""
    return int(hits.sum()) / hits.numel()


def sweep(
    models: dict[str, nn.Module], x: torch.Tensor, y: torch.Tensor, turns: Sequence[int], batch_size: int
) -> RotationSweep:
    """Every model on ``x`` ``(n, 1, H, W)`` (labels ``y``) turned by each angle of ``turns`` (degrees).

    The test set is rotated once per angle and shared by every model.
    """
    limits = [k for k in WITHIN if k <= max(abs(a) for a in turns)]
    base = {name: predict(m, x, batch_size) for name, m in models.items()}
    always = {name: {k: torch.ones_like(y, dtype=torch.bool) for k in limits} for name in models}
    accuracy: dict[str, dict[int, float]] = {name: {} for name in models}
    agree: dict[str, dict[int, float]] = {name: {} for name in models}
    for angle in progress(list(turns), desc="angles"):
        turned = rotate(x, angle)
        for name, model in models.items():
            pred = predict(model, turned, batch_size)
            accuracy[name][angle] = _share(pred == y)
            agree[name][angle] = _share(pred == base[name])
            for k in limits:
                if abs(angle) <= k:
                    always[name][k] &= pred == y
    within = {name: {k: _share(right) for k, right in by.items()} for name, by in always.items()}
    return RotationSweep(list(turns), len(y), accuracy, agree, within)


def shown_angles(turns: Sequence[int]) -> list[int]:
    """Five of the swept angles for the examples figure: the swept angles nearest -max, -max/2, 0, max/2, max."""
    top = max(turns)
    return sorted({min(turns, key=lambda a: abs(a - t)) for t in (-top, -top / 2, 0, top / 2, top)})


@torch.inference_mode()
def examples(
    models: dict[str, nn.Module], x: torch.Tensor, turns: Sequence[int]
) -> tuple[dict[int, torch.Tensor], dict[str, dict[int, list[int]]]]:
    """A few images ``x`` ``(k, 1, H, W)`` turned by each angle of ``turns``, and each model's class for each.

    Returns ``({angle: (k, H, W) images}, {model: {angle: [class of image i]}})``.
    """
    turned = {a: rotate(x, a) for a in turns}
    said = {name: {a: predict(m, t, len(x)).tolist() for a, t in turned.items()} for name, m in models.items()}
    return {a: t[:, 0] for a, t in turned.items()}, said
