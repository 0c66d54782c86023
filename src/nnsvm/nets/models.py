"""The two architectures Q1 and Q3 train (Q3's MLP and LeNet-5), built from typed params with an explicit generator.

Inputs are ``(n, 1, 28, 28)`` float32 in [0, 1]. Outputs are logits, or class
probabilities when ``softmax_output`` is set (the original notebooks' set-up,
whose loss then applies a second softmax).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from nnsvm.nets.params import ModelParams

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {"relu": F.relu, "sigmoid": torch.sigmoid}
POOLS: dict[str, Callable[..., torch.Tensor]] = {"max": F.max_pool2d, "avg": F.avg_pool2d}


class MLP(nn.Module):
    """784-300-50-10, the answer's architecture."""

    def __init__(self, activation: str = "relu", softmax_output: bool = False) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 300), nn.Linear(300, 50), nn.Linear(50, 10)
        self.act = ACTIVATIONS[activation]
        self.softmax_output = softmax_output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.fc2(self.act(self.fc1(x.flatten(1)))))
        out = self.fc3(x)
        return out.softmax(1) if self.softmax_output else out


def _no_pool(x: torch.Tensor, _: int) -> torch.Tensor:
    return x


class LeNet(nn.Module):
    """LeNet-5 as the assignment draws it: conv 6@5x5 pad 2, pool, conv 16@5x5, pool, 120, 84, 10.

    ``pooling="stride"`` drops the pooling layers and gives both convolutions stride 2
    instead: the same 14 x 14 and 5 x 5 maps and the same weights, subsampled rather
    than pooled (the pooling ablation of Q3-B).
    """

    def __init__(self, activation: str = "relu", pooling: str = "max", softmax_output: bool = False) -> None:
        super().__init__()
        stride = 2 if pooling == "stride" else 1
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5, padding=2, stride=stride), nn.Conv2d(6, 16, 5, stride=stride)
        self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)
        self.act, self.pool = ACTIVATIONS[activation], _no_pool if pooling == "stride" else POOLS[pooling]
        self.softmax_output = softmax_output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.act(self.conv1(x)), 2)
        x = self.pool(self.act(self.conv2(x)), 2)
        x = self.act(self.fc2(self.act(self.fc1(x.flatten(1)))))
        out = self.fc3(x)
        return out.softmax(1) if self.softmax_output else out


def reset_parameters(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """PyTorch's default init for Linear/Conv2d, drawn from ``generator`` (no global RNG)."""
    for layer in model.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(layer.weight[0].numel())
            assert layer.bias is not None  # every layer here has a bias
            nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return model


def build(spec: ModelParams, generator: torch.Generator | None = None) -> nn.Module:
    """The model ``spec`` describes, initialised from ``generator`` (or left as constructed)."""
    if spec.arch == "mlp":
        model: nn.Module = MLP(spec.activation, spec.softmax_before_loss)
    else:
        model = LeNet(spec.activation, spec.pooling, spec.softmax_before_loss)
    return reset_parameters(model, generator) if generator is not None else model


def place(model: nn.Module, device: torch.device) -> nn.Module:
    """``model`` on ``device``; a convolutional model on the CPU in channels-last memory format.

    oneDNN's convolutions run faster on channels-last tensors: 1.4x on lenet_published's
    batch 4096 and 1.3x on q3_shift's evaluation at 2 threads
    (``benchmarks/train_throughput.py``). The weights' values are the same; only their
    layout and the kernels that read them change.
    """
    model = model.to(device)
    if device.type == "cpu" and any(isinstance(m, nn.Conv2d) for m in model.modules()):
        model = model.to(memory_format=torch.channels_last)
    return model


def probabilities(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(n, 10)``: the softmax of the logits, or the output itself for a softmax model."""
    out = model(x)
    return out if getattr(model, "softmax_output", False) else out.softmax(1)
