"""The answer's demonstration redone: shifted test images and every model's answer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nnsvm.q3.models import probabilities
from nnsvm.q3.shift import first_of_each_class, shift


@dataclass(frozen=True)
class Demo:
    """The first test image of each class, shifted by ``(dx, 0)``, and each model's class probabilities."""

    originals: np.ndarray  # (10, 28, 28)
    shifted: np.ndarray  # (10, 28, 28)
    probs: dict[str, list[np.ndarray]]  # model -> one (10, 10) array per seed: image x class

    def predictions(self, label: int) -> dict[str, list[int]]:
        """Each model's answer (one per seed) for the image of class ``label``."""
        return {name: [int(p[label].argmax()) for p in seeds] for name, seeds in self.probs.items()}

    def result(self, label: int, dx: int) -> dict:
        """``demo.json``: each model's answer (one per seed) for the image of ``label`` shifted ``dx`` px."""
        return {"label": label, "dx": dx, "predictions": self.predictions(label)}

    def first_seed_predictions(self) -> dict[str, list[int]]:
        """Each model's (first seed's) answer for every class's image."""
        return {name: seeds[0].argmax(1).tolist() for name, seeds in self.probs.items()}


@torch.inference_mode()
def run(nets: dict[str, list[nn.Module]], x: torch.Tensor, y: torch.Tensor, dx: int) -> Demo:
    index = first_of_each_class(y)
    moved = shift(x[index], dx, 0)
    probs = {name: [probabilities(m, moved).cpu().numpy() for m in seeds] for name, seeds in nets.items()}
    return Demo(x[index, 0].cpu().numpy(), moved[:, 0].cpu().numpy(), probs)
