"""Reading back the checkpoints stage ``train@<model>`` writes: ``{"spec": ..., "states": {seed: state_dict}}``."""

from __future__ import annotations

import torch
from torch import nn

from nnsvm.params import Q3ModelParams
from nnsvm.q3.models import build


def load(path: str, device: torch.device) -> list[nn.Module]:
    """Every seed's model stored at ``path``, first seed first, in eval mode without gradients."""
    checkpoint = torch.load(path, map_location=device)
    spec = Q3ModelParams(**checkpoint["spec"])
    loaded = []
    for state in checkpoint["states"].values():
        model = build(spec).to(device)
        model.load_state_dict(state)
        loaded.append(model.eval().requires_grad_(False))
    return loaded
