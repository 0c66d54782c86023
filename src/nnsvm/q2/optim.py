"""Q2-B: SGD and Newton-Raphson on one convex problem, and the answer's rules as written.

The problem: L2-regularised logistic regression,
``f(theta) = mean_i log(1 + exp(-y_i theta . x_i)) + l2/2 ||theta||^2``, with
``x_i`` carrying a trailing 1 for the bias and ``y_i`` in {-1, +1}. It is
strictly convex, so it has one minimiser and Newton's method is well defined.

* SGD (correct):    theta <- theta - eta * grad l_i(theta), one sample at a time.
* SGD (answer):     theta <- theta - eta * l_i(theta) * x_i  (the loss value, not its gradient).
* Newton (correct): theta <- theta - H(theta)^-1 grad f(theta)  (f'/f'' in many dimensions).
* Newton (answer):  theta <- theta - f(theta) / f'(theta), a root-finding step; in many
  dimensions the step to where the tangent plane reaches zero,
  theta - f grad f / ||grad f||^2. It looks for f = 0, which a loss > 0 never reaches.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def with_bias(x: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1))])


def sample_losses(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, -y * (x @ theta))


def objective(theta: np.ndarray, x: np.ndarray, y: np.ndarray, l2: float) -> float:
    return float(np.mean(sample_losses(theta, x, y)) + 0.5 * l2 * theta @ theta)


def gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    s = 1.0 / (1.0 + np.exp(np.clip(y * (x @ theta), -700, 700)))  # sigma(-y theta.x)
    return -(x.T @ (y * s)) / len(y) + l2 * theta


def hessian(theta: np.ndarray, x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    p = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -700, 700)))
    return (x.T * (p * (1 - p))) @ x / len(y) + l2 * np.eye(x.shape[1])


def _run(
    theta0: np.ndarray, epoch: Callable[[np.ndarray], np.ndarray], f: Callable[[np.ndarray], float], iterations: int
) -> list[float]:
    """Objective before and after each iteration; stops at the first non-finite value."""
    theta, history = theta0.copy(), [f(theta0)]
    for _ in range(iterations):
        with np.errstate(all="ignore"):  # the answer's rules overflow: recorded, not warned
            theta = epoch(theta)
            value = f(theta) if np.all(np.isfinite(theta)) else float("nan")
        history.append(value)
        if not np.isfinite(value):
            break
    return history


def sgd(
    x, y, l2: float, lr: float, iterations: int, rng: np.random.Generator, answer_rule: bool = False
) -> list[float]:
    """Objective after each epoch of SGD (one shuffled pass); ``answer_rule`` uses the loss value times x."""
    n = len(y)

    def epoch(theta: np.ndarray) -> np.ndarray:
        for i in rng.permutation(n):
            xi, yi = x[i : i + 1], y[i : i + 1]
            step = sample_losses(theta, xi, yi)[0] * xi[0] if answer_rule else gradient(theta, xi, yi, l2)
            theta = theta - lr * step
        return theta

    return _run(np.zeros(x.shape[1]), epoch, lambda t: objective(t, x, y, l2), iterations)


def newton(x, y, l2: float, iterations: int, answer_rule: bool = False) -> tuple[list[float], np.ndarray]:
    """Objective per Newton iteration and the last theta; ``answer_rule`` is the root-finding step."""
    last = {}

    def step(theta: np.ndarray) -> np.ndarray:
        g = gradient(theta, x, y, l2)
        if answer_rule:
            new = theta - objective(theta, x, y, l2) * g / (g @ g)
        else:
            new = theta - np.linalg.solve(hessian(theta, x, y, l2), g)
        last["theta"] = new
        return new

    history = _run(np.zeros(x.shape[1]), step, lambda t: objective(t, x, y, l2), iterations)
    return history, last.get("theta", np.zeros(x.shape[1]))
