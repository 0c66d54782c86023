"""Random integer shifts for training (zero fill, no wrap-around), and batched prediction.

Convention (that of ``nnsvm.q3.shift``): ``dx > 0`` moves the image right, ``dy > 0``
moves it down; pixels shifted out of the frame are lost, pixels shifted in are 0.
"""

from __future__ import annotations

import torch
from torch import nn


def shift_each(x: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Image ``i`` of ``x`` ``(n, 1, H, W)`` shifted by ``(dx[i], dy[i])``, all at once (for augmentation)."""
    n, _, h, w = x.shape
    rows = torch.arange(h, device=x.device)[None, :] - dy[:, None]  # source row of each output row
    cols = torch.arange(w, device=x.device)[None, :] - dx[:, None]
    inside = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
    picked = x[
        torch.arange(n, device=x.device)[:, None, None],
        0,
        rows.clamp(0, h - 1)[:, :, None],
        cols.clamp(0, w - 1)[:, None, :],
    ]
    return (picked * inside).unsqueeze(1)


def random_shift(x: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """``x`` with each image shifted by its own uniform integer ``(dx, dy)`` in ``[-max_shift, max_shift]^2``."""
    if max_shift == 0:
        return x
    d = torch.randint(-max_shift, max_shift + 1, (2, len(x)), generator=generator).to(x.device)
    return shift_each(x, d[0], d[1])


@torch.inference_mode()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Predicted classes ``(n,)`` of ``x``, in batches."""
    model.eval()
    return torch.cat([model(x[i : i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)])
