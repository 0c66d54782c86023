"""Figures of Q3-B part by part (nnsvm.q3.pooling): the first convolution's equivariance, and pooling's share."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from nnsvm.plotting import plt
from nnsvm.q3.shift import shift


def _show(ax, image: torch.Tensor, title: str, cmap: str = "gray", vmax: float | None = None) -> None:
    ax.imshow(image.cpu().numpy(), cmap=cmap, vmin=0 if cmap == "gray" else None, vmax=vmax)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


@torch.inference_mode()
def equivariance(conv: nn.Conv2d, image: torch.Tensor, dx: int, dy: int, name: str) -> Figure:
    """One test image through ``conv``: shifted (top row) and turned 90 degrees (bottom row), map vs moved map."""
    x = image[None]  # (1, 1, H, W)
    maps = conv(x)[0]
    channel = int(maps.flatten(1).abs().amax(1).argmax())  # the filter that responds most
    moved_in, moved_map = conv(shift(x, dx, dy))[0, channel], shift(maps, dx, dy)[channel]
    bias = float(conv.bias[channel]) if conv.bias is not None else 0.0
    turned_in = conv(torch.rot90(x, 1, (-2, -1)))[0, channel] - bias
    turned_map = torch.rot90(maps[channel] - bias, 1, (-2, -1))
    scale = float(maps[channel].abs().max())
    fig, axes = plt.subplots(2, 4, figsize=(10, 6.2))
    rows = (
        (shift(x, dx, dy)[0, 0], f"input shifted ({dx}, {dy}) px", moved_in, moved_map, "shifted map"),
        (torch.rot90(x[0, 0], 1), "input turned 90 degrees", turned_in, turned_map, "turned map"),
    )
    for ax, (inp, label, of_moved, moved, what) in zip(axes, rows):
        _show(ax[0], inp, label)
        _show(ax[1], of_moved, f"map of the {label.split()[1]} input", "RdBu_r")
        _show(ax[2], moved, what, "RdBu_r")
        _show(ax[3], (of_moved - moved).abs(), "|difference| (same scale as the maps)", "magma", vmax=scale)
    fig.suptitle(
        f"{name}'s first convolution (filter {channel}): a shifted input gives the shifted map (top: the difference is "
        "0 away from the border); a turned input does not give the turned map (bottom)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def pooling(changes: dict[int, dict[str, np.ndarray]], rings: dict[str, dict], models: list[str], name: str) -> Figure:
    """Left: the pooling layer alone under small shifts. Right: whole networks' shift consistency by distance."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    distances = sorted(changes)
    width = 0.25
    for i, how in enumerate(("max", "avg", "stride")):
        means = [100 * float(changes[d][how].mean()) for d in distances]
        left.bar(
            np.arange(len(distances)) + (i - 1) * width,
            means,
            width,
            label={"stride": "stride-2 subsampling"}.get(how, f"{how} pooling"),
        )
    left.set_xticks(np.arange(len(distances)), [f"{d} px" for d in distances])
    left.set_xlabel("horizontal and vertical shift of the input")
    left.set_ylabel("change of the first layer's output (% of its norm)")
    left.set_title(f"{name}'s first layer, pooled three ways", fontsize=9)
    left.legend(fontsize=8)
    for m in models:
        if m not in rings:
            continue
        by = {int(r): v for r, v in rings[m]["consistency"].items()}
        r = sorted(by)
        right.plot(r, [100 * by[k] for k in r], marker="o", label=m, linestyle="--" if "shiftaug" in m else "-")
    right.set_xlabel("shift distance max(|dx|, |dy|) (pixels)")
    right.set_ylabel("in-frame test images keeping their class (%)")
    right.set_title("whole networks: pooling ablation and the shift-trained LeNet", fontsize=9)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig
