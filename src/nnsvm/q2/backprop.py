"""Q2-A: the 2-2-3-2 network (sigmoid, sigmoid, softmax, cross-entropy) on one sample.

Weights follow the answer's notation: ``W1[i, j] = w_(i+1)(j+1)^(1)`` joins input
i to neuron j, so a layer is ``z = o_prev @ W + b``. Every gradient is computed
three ways (hand-written backprop, torch autograd, central finite differences,
all float64); the answer's equations (1)-(10) are evaluated as written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Params = dict[str, np.ndarray]
SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (2, 3), "b2": (3,), "W3": (3, 2), "b3": (2,)}


def init_params(rng: np.random.Generator, std: float) -> Params:
    """Normal(0, std) weights and biases of the 2-2-3-2 network."""
    return {name: rng.normal(0.0, std, shape) for name, shape in SHAPES.items()}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Forward:
    o1: np.ndarray  # (2,) layer-1 sigmoid outputs O^1
    o2: np.ndarray  # (3,) layer-2 sigmoid outputs O^2
    z3: np.ndarray  # (2,) logits z
    o3: np.ndarray  # (2,) softmax outputs O^3


def forward(p: Params, x: np.ndarray) -> Forward:
    o1 = sigmoid(x @ p["W1"] + p["b1"])
    o2 = sigmoid(o1 @ p["W2"] + p["b2"])
    z3 = o2 @ p["W3"] + p["b3"]
    e = np.exp(z3 - z3.max())
    return Forward(o1, o2, z3, e / e.sum())


def loss(p: Params, x: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy L = -(Y1 log O1 + Y2 log O2)."""
    return float(-(y @ np.log(forward(p, x).o3)))


def answer_loss(p: Params, x: np.ndarray, y: np.ndarray) -> float:
    """The answer's loss as written, without the minus: Y1 log O1 + Y2 log O2."""
    return -loss(p, x, y)


def backprop(p: Params, x: np.ndarray, y: np.ndarray) -> Params:
    """Hand-written backprop of the correct loss; the softmax + CE gives dL/dz = O - Y."""
    f = forward(p, x)
    dz3 = f.o3 - y
    dz2 = (p["W3"] @ dz3) * f.o2 * (1 - f.o2)
    dz1 = (p["W2"] @ dz2) * f.o1 * (1 - f.o1)
    return {
        "W3": np.outer(f.o2, dz3),
        "b3": dz3,
        "W2": np.outer(f.o1, dz2),
        "b2": dz2,
        "W1": np.outer(x, dz1),
        "b1": dz1,
    }


def autograd(p: Params, x: np.ndarray, y: np.ndarray) -> Params:
    """The same gradients by torch autograd, float64."""
    import torch

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()}
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    o1 = torch.sigmoid(xt @ t["W1"] + t["b1"])
    o2 = torch.sigmoid(o1 @ t["W2"] + t["b2"])
    loss_t = -(yt * torch.log_softmax(o2 @ t["W3"] + t["b3"], dim=0)).sum()
    loss_t.backward()
    return {k: v.grad.numpy() for k, v in t.items() if v.grad is not None}


def finite_differences(p: Params, x: np.ndarray, y: np.ndarray, h: float) -> Params:
    """Central differences (L(w + h) - L(w - h)) / 2h, one weight at a time."""
    grads = {}
    for name, value in p.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            up, down = {**p, name: value.copy()}, {**p, name: value.copy()}
            up[name][idx] += h
            down[name][idx] -= h
            g[idx] = (loss(up, x, y) - loss(down, x, y)) / (2 * h)
        grads[name] = g
    return grads


def max_abs_diff(a: Params, b: Params) -> float:
    return float(max(np.max(np.abs(a[k] - b[k])) for k in a))


def answer_equations(p: Params, x: np.ndarray, y: np.ndarray, dz3: np.ndarray | None = None) -> dict[str, float]:
    """The answer's equations (1)-(10) as written; returns dL/dz1, dL/dz2, dL/dw11^(1), dL/db1^(1).

    (3)-(4) keep only the softmax Jacobian's diagonal, dO_k/dz_k = e^(z1+z2) / (e^z1 + e^z2)^2,
    of the answer's loss without the minus. Pass ``dz3`` to run (5)-(10) from another dL/dz
    (e.g. the correct O - Y) and check the rest of the chain on its own.
    """
    f = forward(p, x)
    if dz3 is None:
        d_o3 = y / f.o3  # (1), (2)
        diag = np.exp(f.z3.sum()) / np.exp(f.z3).sum() ** 2
        dz3 = d_o3 * diag  # (3), (4)
    d_o2 = p["W3"] @ dz3  # (5)-(7)
    d_o1_1 = float(np.sum(d_o2 * p["W2"][0] * f.o2 * (1 - f.o2)))  # (8)
    s1 = f.o1[0] * (1 - f.o1[0])
    return {"dz1": float(dz3[0]), "dz2": float(dz3[1]), "dw11": d_o1_1 * x[0] * s1, "db1": d_o1_1 * s1}  # (9), (10)
