"""Q1: the answer's hand-built networks, as torch modules (float64).

* Q1-C: two step neurons (one per line) and an output neuron that sums them
  with weight 1 and bias 1, giving the class index 1, 2 or 3.
* Q1-D: the answer's five-ReLU network N1..N5 for the tent function T.
* Q1-E: a one-hidden-layer network of steep sigmoid pairs, one square pulse
  per pair, approximating a continuous function.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

DTYPE = torch.float64


def _linear(weight, bias) -> nn.Linear:
    w = torch.as_tensor(weight, dtype=DTYPE)
    layer = nn.Linear(w.shape[1], w.shape[0], dtype=DTYPE)
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(torch.as_tensor(bias, dtype=DTYPE))
    return layer


# --- Q1-C -------------------------------------------------------------------


class StepNet(nn.Module):
    """Hidden: h_k = step(n . x - t_k) for two parallel lines; output: h_1 + h_2 + 1."""

    def __init__(self, normal: np.ndarray, thresholds: tuple[float, float]):
        super().__init__()
        self.hidden = _linear(np.stack([normal, normal]), [-thresholds[0], -thresholds[1]])
        self.output = _linear([[1.0, 1.0]], [1.0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.heaviside(self.hidden(x), torch.zeros((), dtype=DTYPE))
        return self.output(h).squeeze(-1)


def lines_from_clusters(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """Two parallel lines n . x = t_k between consecutive class means (labels 1, 2, 3).

    The shared normal n points from the class-1 mean to the class-3 mean; each
    threshold is the projection of the midpoint of two neighbouring means.
    """
    means = np.stack([x[y == label].mean(axis=0) for label in (1, 2, 3)])
    normal = (means[2] - means[0]) / np.linalg.norm(means[2] - means[0])
    mids = (means[:-1] + means[1:]) / 2
    return normal, (float(mids[0] @ normal), float(mids[1] @ normal))


def predict_classes(net: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return np.rint(net(torch.as_tensor(x, dtype=DTYPE)).numpy()).astype(np.int64)


# --- Q1-D -------------------------------------------------------------------


def tent(x: np.ndarray) -> np.ndarray:
    """T(x) = 3x on [0, 1/3), 3/2 (1 - x) on [1/3, 1]."""
    return np.where(x < 1 / 3, 3 * x, 1.5 * (1 - x))


class AnswerReluNet(nn.Module):
    """The answer's N1..N5, weights exactly as in its code block.

    N1 = ReLU(x - 1/3), N2 = ReLU(-x + 1/3); N3 = ReLU(-3/2 N1 + 1),
    N4 = ReLU(-3 N2 + 1); N5 = ReLU(N3 + N4 - 1).
    """

    def __init__(self):
        super().__init__()
        self.layer1 = _linear([[1.0], [-1.0]], [-1 / 3, 1 / 3])
        self.layer2 = _linear([[-1.5, 0.0], [0.0, -3.0]], [1.0, 1.0])
        self.layer3 = _linear([[1.0, 1.0]], [-1.0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.layer1(x[:, None]))
        return torch.relu(self.layer3(torch.relu(self.layer2(h)))).squeeze(-1)


class OneLayerReluNet(nn.Module):
    """One hidden layer of ReLUs and a linear output: ``sum_k a_k ReLU(w_k x + b_k) + c``.

    :meth:`tent` gives T with two units, 3 ReLU(x) - 4.5 ReLU(x - 1/3): 3x below 1/3, and
    3x - 4.5 (x - 1/3) = 3/2 (1 - x) above.
    """

    def __init__(self, w: list[float], b: list[float], a: list[float], c: float = 0.0):
        super().__init__()
        self.hidden = _linear([[v] for v in w], b)
        self.output = _linear([a], [c])

    @classmethod
    def tent(cls) -> OneLayerReluNet:
        return cls(w=[1.0, 1.0], b=[0.0, -1 / 3], a=[3.0, -4.5])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(torch.relu(self.hidden(x[:, None]))).squeeze(-1)


def best_single_relu(grid: np.ndarray, starts: int = 20, seed: int = 0) -> tuple[float, list[float]]:
    """The smallest max |a ReLU(w x + b) + c - T(x)| over ``grid`` found by Nelder-Mead from ``starts`` random starts.

    One ReLU gives a monotone function, and T rises from 0 to 1 and falls back to 0,
    so no choice does better than 1/2; the search shows how close it gets.
    """
    import scipy.optimize

    target, rng = tent(grid), np.random.default_rng(seed)

    def sup_err(theta: np.ndarray) -> float:
        a, w, b, c = theta
        return float(np.max(np.abs(a * np.maximum(w * grid + b, 0.0) + c - target)))

    best = min(
        (
            scipy.optimize.minimize(sup_err, rng.normal(size=4), method="Nelder-Mead", options={"maxiter": 4000})
            for _ in range(starts)
        ),
        key=lambda r: r.fun,
    )
    return float(best.fun), [float(v) for v in best.x]


def evaluate(net: nn.Module, x: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """``net`` on ``x`` in chunks (a wide hidden layer on a fine grid is big)."""
    with torch.no_grad():
        return np.concatenate(
            [net(torch.as_tensor(x[i : i + chunk], dtype=DTYPE)).numpy() for i in range(0, len(x), chunk)]
        )


# --- Q1-E -------------------------------------------------------------------

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(2 * np.pi * x) + x,
    "tent": tent,
    "gauss": lambda x: np.exp(-((x - 0.4) ** 2) / 0.02),
}
TARGET_FORMULAS = {"sine": "sin(2 pi x) + x", "tent": "T(x) of Q1-D", "gauss": "exp(-(x - 0.4)^2 / 0.02)"}


class PulseNet(nn.Module):
    """sum_k h_k [sigmoid(s (x - a_k)) - sigmoid(s (x - b_k))]: one hidden layer of 2n sigmoids.

    Pulse k covers [k/n, (k+1)/n] at height f(centre). The outermost edges sit
    one unit outside [0, 1], so the ends of the interval are not half-height.
    """

    def __init__(self, f: Callable[[np.ndarray], np.ndarray], n: int, steepness: float):
        super().__init__()
        edges = np.linspace(0.0, 1.0, n + 1)
        heights = f((edges[:-1] + edges[1:]) / 2)
        left, right = edges[:-1].copy(), edges[1:].copy()
        left[0], right[-1] = -1.0, 2.0
        slope = steepness * n
        self.hidden = _linear(np.full((2 * n, 1), slope), -slope * np.concatenate([left, right]))
        self.output = _linear(np.concatenate([heights, -heights])[None, :], [0.0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(torch.sigmoid(self.hidden(x[:, None]))).squeeze(-1)


def pulse_errors(
    f: Callable[[np.ndarray], np.ndarray], sizes: tuple[int, ...], steepness: float, grid: np.ndarray
) -> list[float]:
    """Sup-norm error max |net(x) - f(x)| over ``grid`` for each number of pulses."""
    target = f(grid)
    return [float(np.max(np.abs(evaluate(PulseNet(f, n, steepness), grid) - target))) for n in sizes]


def hidden_units(n_pulses: int) -> int:
    return 2 * n_pulses


def is_decreasing(values: list[float]) -> bool:
    return all(b < a for a, b in zip(values, values[1:])) and not any(math.isnan(v) for v in values)


def tail(values: list, fraction: float = 0.5) -> list:
    """The last ``fraction`` of ``values`` (at least two): the regime where pulses resolve f."""
    return list(values[-max(2, math.ceil(len(values) * fraction)) :])
