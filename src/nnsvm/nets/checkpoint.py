"""The checkpoint of one model (of ``q3.models``), every seed: ``{"spec": ..., "states": {seed: state_dict}}``."""

from __future__ import annotations

import io
from pathlib import Path

import torch
from torch import nn

from nnsvm.core.io import atomic_path
from nnsvm.nets.models import build, place
from nnsvm.nets.params import ModelParams


def load(path: str, device: torch.device) -> list[nn.Module]:
    """Every seed's model stored at ``path``, first seed first, in eval mode without gradients."""
    checkpoint = torch.load(path, map_location=device)
    spec = ModelParams(**checkpoint["spec"])
    loaded = []
    for state in checkpoint["states"].values():
        model = place(build(spec), device)
        model.load_state_dict(state)
        loaded.append(model.eval().requires_grad_(False))
    return loaded


def save(path: str | Path, spec: ModelParams, models: dict[int, nn.Module]) -> None:
    """Write every seed's weights (on the CPU) with the spec that builds them, atomically.

    Serialised into memory first: ``torch.save`` to a file names the zip's records after the
    file, so the temp name would make equal weights give different bytes. Tensors are stored
    contiguous, whatever memory format the model trained in (:func:`models.place`).
    """
    states = {seed: {k: v.contiguous() for k, v in model.cpu().state_dict().items()} for seed, model in models.items()}
    buffer = io.BytesIO()
    torch.save({"spec": spec.model_dump(mode="json"), "states": states}, buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())
