"""The answer's demonstration redone: shifted test images and every model's answer.

The assignment requires a shifted digit to stay inside the frame, so each class is
shown by its first test image whose ink (pixels > 0) survives the shift whole, and the
demonstration is measured as well on every test image of the class that does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nnsvm.nets.augment import predict
from nnsvm.nets.models import probabilities
from nnsvm.q3 import frame
from nnsvm.q3.shift import first_of_each_class, shift

# answer-ML_HW4.md: "the MLP recognized it as 7 while CNN could classify it correctly"
ORIGINAL_PAIR = ("lenet_published", "mlp_published")  # the original protocols' CNN and MLP, paired seed by seed


@dataclass(frozen=True)
class Demo:
    """The first in-frame test image of each class, shifted by ``(dx, 0)``, and each model's class probabilities."""

    index: list[int]  # test-set index of each class's image
    originals: np.ndarray  # (10, 28, 28)
    shifted: np.ndarray  # (10, 28, 28)
    probs: dict[str, list[np.ndarray]]  # model -> one (10, 10) array per seed: image x class

    def predictions(self, label: int) -> dict[str, list[int]]:
        """Each model's answer (one per seed) for the image of class ``label``."""
        return {name: [int(p[label].argmax()) for p in seeds] for name, seeds in self.probs.items()}

    def result(self, label: int, dx: int) -> dict:
        """``demo.json``'s first keys: each model's answer (one per seed) for the image of ``label``."""
        return {"label": label, "dx": dx, "predictions": self.predictions(label)}

    def first_seed_predictions(self) -> dict[str, list[int]]:
        """Each model's (first seed's) answer for every class's image."""
        return {name: seeds[0].argmax(1).tolist() for name, seeds in self.probs.items()}


@torch.inference_mode()
def run(nets: dict[str, list[nn.Module]], x: torch.Tensor, y: torch.Tensor, dx: int) -> Demo:
    """Each model's probabilities for the first test image of each class that stays in frame shifted ``dx`` right."""
    index = frame.first_in_frame(x, y, dx)
    moved = shift(x[index], dx, 0)
    probs = {name: [probabilities(m, moved).cpu().numpy() for m in seeds] for name, seeds in nets.items()}
    return Demo(index, x[index, 0].cpu().numpy(), moved[:, 0].cpu().numpy(), probs)


def chosen(x: torch.Tensor, y: torch.Tensor, index: list[int], dx: int) -> dict[str, dict]:
    """Per class: the shown image's test index, ink columns and ink kept, beside the class's first test image."""
    first = first_of_each_class(y)
    kept = frame.ink_kept(x[index + first], dx, 0).tolist()
    columns = frame.column_range(x, index + first)
    k = len(index)
    return {
        str(label): {
            "index": i,
            "ink_columns": columns[label],
            "ink_kept": kept[label],
            "first_of_class": {"index": first[label], "ink_columns": columns[k + label], "ink_kept": kept[k + label]},
        }
        for label, i in enumerate(index)
    }


def rule(dx: int) -> str:
    """The selection rule in words."""
    edge = f"rightmost ink column + {dx} <= 27" if dx >= 0 else f"leftmost ink column - {-dx} >= 0"
    return (
        "the first test image of the class whose ink (pixels > 0) stays entirely inside the 28 x 28 frame "
        f"when shifted {dx:+d} px horizontally (no ink pixel shifted out): {edge}"
    )


@dataclass(frozen=True)
class Outcomes:
    """Every model's answer (each seed) on every in-frame test image of one class, shifted ``dx`` right."""

    label: int
    dx: int
    index: list[int]  # test indices of the class's in-frame images
    of_class: int  # test images of the class, in frame or not
    predictions: dict[str, list[np.ndarray]]  # model -> one (m,) int array per seed

    def shares(self) -> dict[str, list[list[float]]]:
        """Per model and seed: the share of the images predicted as each class 0-9."""
        m = max(len(self.index), 1)
        return {
            name: [(np.bincount(p, minlength=10) / m).tolist() for p in seeds]
            for name, seeds in self.predictions.items()
        }

    def paired(self, cnn: str, mlp: str, mlp_says: int) -> list[int]:
        """Per seed pair (seed i of each): images where ``cnn`` says the label while ``mlp`` says ``mlp_says``."""
        pairs = zip(self.predictions[cnn], self.predictions[mlp])
        return [int(((a == self.label) & (b == mlp_says)).sum()) for a, b in pairs]

    def result(self, seeds: dict[str, list[int]]) -> dict:
        """``demo.json``'s ``in_frame`` key (see the stage's docs for the schema)."""
        shares = self.shares()
        out: dict = {
            "n": len(self.index),
            "of_class": self.of_class,
            "seeds": seeds,
            "accuracy": {name: [s[self.label] for s in by_seed] for name, by_seed in shares.items()},
            "predicted_as": shares,
        }
        if all(name in self.predictions for name in ORIGINAL_PAIR):
            cnn, mlp = ORIGINAL_PAIR
            out["paired"] = {
                "rule": f"counts[k][i]: images where {cnn} seed i says {self.label} while {mlp} seed i says k",
                "cnn": cnn,
                "mlp": mlp,
                "counts": {str(k): self.paired(cnn, mlp, k) for k in range(10)},
                "n": len(self.index),
            }
        return out


def outcomes(
    nets: dict[str, list[nn.Module]],
    x: torch.Tensor,
    y: torch.Tensor,
    label: int,
    dx: int,
    batch_size: int,
    in_frame: bool = True,
) -> Outcomes:
    """Every model's answer (each seed) on each image of ``label`` whose ink stays in frame shifted ``dx`` right
    (``in_frame=False``: on every image of ``label``, ink shifted out of the frame or not)."""
    index = frame.in_frame_of_class(x, y, label, dx) if in_frame else torch.nonzero(y == label).flatten()
    moved = shift(x[index], dx, 0)
    none = np.zeros(0, dtype=np.int64)
    predictions = {
        name: [predict(m, moved, batch_size).cpu().numpy() if len(moved) else none for m in seeds]
        for name, seeds in nets.items()
    }
    return Outcomes(label, dx, index.tolist(), int((y == label).sum()), predictions)


def result(
    shown: Demo, found: Outcomes, images: dict[str, dict], seeds: dict[str, list[int]], every: Outcomes | None = None
) -> dict:
    """``reports/q3/demo.json``: the shown image's answers, which images were shown and why, all in-frame images
    and (``every``) all images of the class."""
    label, dx = found.label, found.dx
    out = shown.result(label, dx) | {
        "image": images[str(label)],
        "rule": rule(dx),
        "classes": images,
        "in_frame": found.result(seeds),
    }
    return out | ({"all_of_class": every.result(seeds)} if every is not None else {})


def demonstrate(
    nets: dict[str, list[nn.Module]],
    x: torch.Tensor,
    y: torch.Tensor,
    label: int,
    dx: int,
    batch_size: int,
    seeds: dict[str, list[int]],
) -> tuple[Demo, Outcomes, dict]:
    """The shown images, every in-frame image of ``label`` shifted ``dx`` right, and ``demo.json``'s contents."""
    shown = run(nets, x, y, dx)
    found = outcomes(nets, x, y, label, dx, batch_size)
    every = outcomes(nets, x, y, label, dx, batch_size, in_frame=False)
    return shown, found, result(shown, found, chosen(x, y, shown.index, dx), seeds, every)
