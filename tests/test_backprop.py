"""Q2-A: hand-written backprop equals autograd and finite differences; the answer's equations do not."""

import numpy as np
import pytest

from nnsvm.q2 import backprop as bp

X = np.array([0.5, -1.5])


@pytest.fixture(params=[(1.0, 0.0), (0.0, 1.0)], ids=["y=10", "y=01"])
def case(request):
    return bp.init_params(np.random.default_rng(7), 1.0), np.asarray(request.param)


def test_backprop_equals_autograd(case):
    """It agrees with torch autograd on all 23 parameters to 1e-12."""
    p, y = case
    assert bp.max_abs_diff(bp.backprop(p, X, y), bp.autograd(p, X, y)) < 1e-12


def test_backprop_equals_finite_differences(case):
    """It agrees with central differences to 1e-8."""
    p, y = case
    assert bp.max_abs_diff(bp.backprop(p, X, y), bp.finite_differences(p, X, y, 1e-6)) < 1e-8


def test_answer_loss_has_no_minus(case):
    """It gives the answer's loss as minus the cross-entropy, which is positive."""
    p, y = case
    assert bp.loss(p, X, y) > 0 and bp.answer_loss(p, X, y) == -bp.loss(p, X, y)


def test_answer_eq3_4_keep_only_the_diagonal(case):
    """It gives dL/dz = (Y1 O2, Y2 O1) as written, not O - Y, and so wrong w11, b1 gradients."""
    p, y = case
    o = bp.forward(p, X).o3
    answer = bp.answer_equations(p, X, y)
    assert (answer["dz1"], answer["dz2"]) == pytest.approx((y[0] * o[1], y[1] * o[0]))
    g = bp.autograd(p, X, y)
    assert abs(answer["dw11"] - g["W1"][0, 0]) > 1e-3 and abs(answer["db1"] - g["b1"][0]) > 1e-3


def test_answer_chain_is_right_given_the_right_dz(case):
    """It reproduces dL/dw11 and dL/db1 from eqs. (5)-(10) when fed dL/dz = O - Y."""
    p, y = case
    chain = bp.answer_equations(p, X, y, dz3=bp.forward(p, X).o3 - y)
    g = bp.backprop(p, X, y)
    assert chain["dw11"] == pytest.approx(g["W1"][0, 0], abs=1e-15)
    assert chain["db1"] == pytest.approx(g["b1"][0], abs=1e-15)
