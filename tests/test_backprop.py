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


@pytest.fixture
def q2_measured():
    from nnsvm.core.config import load_section
    from nnsvm.q2 import measure, measurements
    from nnsvm.q2.params import Q2Params

    p = load_section("q2", Q2Params)
    record = measure.run_backprop(p, np.random.default_rng(p.seed))
    optim = {
        "problem": "p",
        "final_gap": {measure.SGD: 1e-3, measure.NEWTON: 0.0, measure.ANSWER_SGD: None, measure.ANSWER_NEWTON: 1.4},
        "newton_iters_to_1e-10": 3,
        "grad_norm_at_star": 1e-12,
    }
    return record, measurements.measurements(record, optim, p, "q2/f.png")


def test_the_chain_rule_is_measured_on_the_answers_equations(q2_measured):
    """It measures the chain rule as the answer's eqs. (5)-(10) fed O - Y against autograd, not our own backprop."""
    record, found = q2_measured
    assert found["q2.chain_err"].value == max(record["chain_err"]["dw11"], record["chain_err"]["db1"]) < 1e-12
    assert "our backprop" in found["q2.backprop_vs_autograd"].note


def test_the_answers_gradients_miss_its_own_loss_too(q2_measured):
    """It gives dw11 and db1's errors against the answer's sign-less loss, which are not zero (diagonal-only eqs.)."""
    record, found = q2_measured
    own = found["q2.grad_err_own_loss"]
    assert own.value == max(record["answer_err_vs_own_loss"]["dw11"], record["answer_err_vs_own_loss"]["db1"])
    assert own.interval()[0] > 0


def test_eq9s_two_sides_differ_and_layer1_has_two_units(q2_measured):
    """It measures eq. (9)'s left side dL/dO_1^1 apart from dL/dw11 (by the factor X1 O (1 - O)), and 2 units."""
    record, found = q2_measured
    sides = record["eq9_sides"]
    o = bp.forward(bp.init_params(np.random.default_rng(0), 1.0), X)  # shape only
    assert len(o.o1) == found["q2.layer1_units"].value == 2
    assert found["q2.eq9_sides_gap"].value == pytest.approx(abs(sides["dL/dO_1^1"] - sides["dL/dw11"]))
    assert found["q2.eq9_sides_gap"].interval()[0] > 0
