"""Q2-B: Newton and SGD minimise a convex loss; the answer's update rules do not."""

import numpy as np

from nnsvm.q2 import optim

RNG = np.random.default_rng(0)
XY = np.vstack([RNG.normal(-1, 1, (30, 2)), RNG.normal(1, 1, (30, 2))])
X = optim.with_bias(XY)
Y = np.repeat([-1.0, 1.0], 30)
L2 = 0.1


def test_gradient_and_hessian_match_finite_differences():
    """It gives the objective's gradient and Hessian to 1e-7."""
    theta, h = np.array([0.3, -0.2, 0.1]), 1e-6
    eye = np.eye(3) * h
    fd = [(optim.objective(theta + e, X, Y, L2) - optim.objective(theta - e, X, Y, L2)) / (2 * h) for e in eye]
    assert np.allclose(optim.gradient(theta, X, Y, L2), fd, atol=1e-7)
    fdh = [(optim.gradient(theta + e, X, Y, L2) - optim.gradient(theta - e, X, Y, L2)) / (2 * h) for e in eye]
    assert np.allclose(optim.hessian(theta, X, Y, L2), np.array(fdh), atol=1e-7)


def test_newton_converges_quadratically():
    """It reaches a zero gradient (< 1e-10) within 8 iterations."""
    history, theta = optim.newton(X, Y, L2, 8)
    assert np.linalg.norm(optim.gradient(theta, X, Y, L2)) < 1e-10
    assert history[-1] < history[0]


def test_sgd_with_the_gradient_descends():
    """It gets within 1e-2 of the minimum in 30 epochs."""
    f_star = min(optim.newton(X, Y, L2, 10)[0])
    assert optim.sgd(X, Y, L2, 0.01, 30, np.random.default_rng(1))[-1] - f_star < 1e-2


def test_answer_rules_do_not_minimise():
    """It shows the loss-times-x SGD and the f/f' Newton ending far from the minimum."""
    f_star = min(optim.newton(X, Y, L2, 10)[0])
    answer_sgd = optim.sgd(X, Y, L2, 0.01, 30, np.random.default_rng(1), answer_rule=True)
    answer_newton = optim.newton(X, Y, L2, 30, answer_rule=True)[0]
    assert not np.isfinite(answer_sgd[-1]) or answer_sgd[-1] - f_star > 0.05
    assert answer_newton[-1] - f_star > 1e-3
