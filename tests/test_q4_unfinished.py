"""Q4-A with a solver that did not finish: named, never judged."""

import numpy as np
import pytest
from conftest import REPO

from nnsvm.claims import judge, load_answer
from nnsvm.params import load_params
from nnsvm.q4 import hard_margin, measurements, svm

X = np.array([[1, 4], [2, 3], [4, 5], [5, 6]], dtype=float)
Y = np.array([1, 1, -1, -1])


@pytest.fixture
def stalled_osqp(monkeypatch):
    """OSQP held to 10 iterations: both of its QPs stop at the limit."""
    monkeypatch.setitem(svm.SOLVER_SETTINGS, "OSQP", {"max_iter": 10})
    p = load_params(REPO / "params.yaml").q4.svm
    return p, hard_margin.run(X, Y, p)


def test_unfinished_methods_are_listed_and_kept_out_of_the_errors(stalled_osqp):
    """It lists primal-osqp and dual-osqp under unfinished, and measures only the others."""
    _, (_, checks, _) = stalled_osqp
    assert set(checks["unfinished"]) == {"primal-osqp", "dual-osqp"}
    assert not set(checks["unfinished"]) & (set(checks["errors"]) | set(checks["degenerate"]))


def test_claims_are_judged_on_the_finished_methods_and_name_the_others(stalled_osqp):
    """It still confirms w = [-0.5, -0.5], b = 3.5 from the methods that finished, naming OSQP as unfinished."""
    p, (methods, checks, _) = stalled_osqp
    found = measurements.hard_margin(methods, checks, p, "q4/svm.png")
    line = next(c for c in load_answer("claims/answer.yaml").claims if c.id == "q4a.line")
    assert judge(line, found).verdict == "confirmed"
    assert "primal-osqp, dual-osqp did not finish" in found["q4a.b"].spread


def test_no_finished_method_is_not_checkable(monkeypatch):
    """It gives 'not checkable', never a verdict, when no dual solver finished."""
    monkeypatch.setitem(svm.SOLVER_SETTINGS, "OSQP", {"max_iter": 10})
    p = load_params(REPO / "params.yaml").q4.svm.model_copy(update={"dual_solvers": ["OSQP"]})
    methods, checks, _ = hard_margin.run(X, Y, p)
    found = measurements.hard_margin(methods, checks, p, "q4/svm.png")
    qp = next(c for c in load_answer("claims/answer.yaml").claims if c.id == "q4a.notebook-qp")
    judged = judge(qp, found)
    assert judged.verdict == "not checkable" and "dual-osqp" in judged.why
