"""Q4-A: every SVM method finds the four points' exact answer; non-separable data is reported, not raised."""

import numpy as np
import pytest

from nnsvm.core.errors import NnsvmError
from nnsvm.q4 import svm

X = np.array([[1, 4], [2, 3], [4, 5], [5, 6]], dtype=float)
Y = np.array([1, 1, -1, -1])
FLIPPED = np.array([1, -1, 1, -1])  # (2,3), (4,5), (5,6) are collinear: - + -
TOL = 1e-3  # interior-point solvers stop ~3e-5 off on this degenerate problem


def is_separable(x: np.ndarray, y: np.ndarray, solver: str = "CLARABEL") -> bool:
    """Whether a hyperplane separates the two labels (the hard-margin primal is feasible)."""
    fit = svm.primal(x, y, solver)
    if fit.separable is None:
        raise NnsvmError(f"{fit.method}: {fit.status}; pick another solver")
    return fit.separable


QP_METHODS = [(kind, solver) for kind in ("primal", "dual") for solver in ("CLARABEL", "OSQP", "SCS")]


@pytest.mark.parametrize(("kind", "solver"), QP_METHODS)
def test_qp_finds_the_exact_answer(kind, solver):
    """It gives w = [-0.5, -0.5], b = 3.5, margin sqrt 2 and SVs (2,3), (4,5)."""
    fit = getattr(svm, kind)(X, Y, solver)
    assert np.allclose(fit.w, [-0.5, -0.5], atol=TOL)
    assert fit.b == pytest.approx(3.5, abs=TOL)
    assert fit.margin == pytest.approx(np.sqrt(2), abs=TOL)
    assert fit.support == (1, 2)
    assert np.allclose(fit.alphas, [0, 0.25, 0.25, 0], atol=TOL)


@pytest.mark.parametrize("c", [1e6, 1.0])
def test_sklearn_finds_the_exact_answer_at_large_and_answer_c(c):
    """It matches the hard margin at C = 1e6 and at the answer's C = 1 (largest alpha 0.25 < C)."""
    fit = svm.sklearn_svc(X, Y, c)
    assert np.allclose(fit.w, [-0.5, -0.5], atol=1e-9)
    assert fit.b == pytest.approx(3.5, abs=1e-9)


def test_degenerate_point_is_on_the_margin_with_zero_alpha():
    """It puts (1, 4) on the margin (y (w.x + b) = 1) but not among the support vectors."""
    fit = svm.dual(X, Y, "OSQP")
    assert 0 in fit.on_margin and 0 not in fit.support
    assert Y[0] * (X[0] @ fit.w + fit.b) == pytest.approx(1.0, abs=1e-9)
    assert svm.error_vs_exact(fit)["alpha_err"] < 1e-9


@pytest.mark.parametrize("method", ["primal", "dual"])
@pytest.mark.parametrize("solver", ["CLARABEL", "OSQP", "SCS"])
def test_non_separable_data_is_reported_not_raised(method, solver):
    """It returns 'not linearly separable' with no w or b, rather than a solver error."""
    fit = getattr(svm, method)(X, FLIPPED, solver)
    assert (fit.separable, fit.status, fit.w, fit.b) == (False, svm.NOT_SEPARABLE, None, None)
    assert fit.as_json(X)["status"] == svm.NOT_SEPARABLE


def test_sklearn_reports_non_separable_data_too():
    """It flags a hard-margin SVC that still misclassifies a training point."""
    assert svm.sklearn_svc(X, FLIPPED, 1e6).status == svm.NOT_SEPARABLE


def test_is_separable():
    """It says yes for the assignment's labels and no for the flipped ones."""
    assert is_separable(X, Y) and not is_separable(X, FLIPPED)


def test_bad_input_and_unusable_solver_give_one_line_errors():
    """It raises NnsvmError for one class only, bad labels, or a solver that cannot do QPs."""
    with pytest.raises(NnsvmError, match="only one class"):
        svm.primal(X, np.ones(4, dtype=int), "CLARABEL")
    with pytest.raises(NnsvmError, match="labels"):
        svm.primal(X, np.array([0, 1, 0, 1]), "CLARABEL")
    with pytest.raises(NnsvmError, match="SCIPY"):
        svm.primal(X, Y, "SCIPY")


def test_errors_against_exact_are_measured():
    """It reports the answer's truncated b = 3.49 as 0.01 off."""
    fit = svm.SvmFit("answer", True, "optimal", np.array([-0.5, -0.5]), 3.49, None, (1, 2), (0, 1, 2), np.sqrt(2))
    err = svm.error_vs_exact(fit)
    assert err["w_err"] == 0 and err["b_err"] == pytest.approx(0.01)


# Found by the issue: cvxpy's default 10,000 OSQP iterations stop short here.
ISSUE_X = np.array([[1, -5], [5, 0], [4, -1], [-3, 2]], dtype=float)
ISSUE_Y = np.array([-1, -1, 1, 1])


@pytest.mark.parametrize("kind", ["primal", "dual"])
def test_osqp_reaches_the_exact_answer_on_the_issue_points(kind):
    """It gives w = [-10, 8], b = 49 (Clarabel and scikit-learn agree), not a hyperplane that misclassifies."""
    fit = getattr(svm, kind)(ISSUE_X, ISSUE_Y, "OSQP")
    assert fit.status == "optimal"
    assert np.allclose(fit.w, [-10, 8], atol=1e-6)
    assert fit.b == pytest.approx(49, abs=1e-6)


@pytest.mark.parametrize("kind", ["primal", "dual"])
def test_a_solver_stopped_at_its_iteration_limit_gives_no_verdict(kind, monkeypatch):
    """It reports status user_limit as no verdict, with no hyperplane, instead of a solution."""
    monkeypatch.setitem(svm.SOLVER_SETTINGS, "OSQP", {"max_iter": 10})
    fit = getattr(svm, kind)(ISSUE_X, ISSUE_Y, "OSQP")
    assert (fit.separable, fit.w, fit.b) == (None, None, None)
    assert fit.status.startswith(svm.UNFINISHED) and "user_limit" in fit.status
    assert fit.as_json(ISSUE_X)["status"] == fit.status


def test_is_separable_refuses_to_guess_when_the_solver_did_not_finish(monkeypatch):
    """It raises NnsvmError naming the solver rather than answering yes or no."""
    monkeypatch.setitem(svm.SOLVER_SETTINGS, "OSQP", {"max_iter": 10})
    with pytest.raises(NnsvmError, match="primal-osqp: no verdict"):
        is_separable(ISSUE_X, ISSUE_Y, "OSQP")


def test_dual_finds_b_when_every_alpha_is_below_sv_tol():
    """It takes b from the true support vectors on a wide margin: alphas 2e-4 < sv_tol, b = -1."""
    x, y = np.array([[0.0, 0.0], [100.0, 0.0]]), np.array([-1, 1])
    fit = svm.dual(x, y, "CLARABEL")
    assert np.allclose(fit.alphas, 2e-4, rtol=1e-4)
    assert np.allclose(fit.w, [0.02, 0], rtol=1e-4) and fit.b == pytest.approx(-1, rel=1e-4)
    assert fit.support == (0, 1)


@pytest.mark.parametrize(("kind", "solver"), QP_METHODS)
def test_each_fit_proves_how_far_it_can_be_from_the_exact_answer(kind, solver):
    """It bounds |w - w*|, |b - b*| and the margin's error from the fit's own KKT residuals and duality gap, and
    the bound holds against the four points' exact answer while staying far below a chosen 1e-3."""
    fit = getattr(svm, kind)(X, Y, solver)
    proven = fit.accuracy
    assert proven is not None and proven.converged(fit.w)
    assert np.linalg.norm(fit.w - np.array(svm.EXACT_W)) <= proven.w_radius < 1e-4
    assert abs(fit.b - svm.EXACT_B) <= proven.b_radius < 1e-3
    assert abs(fit.margin - svm.EXACT_MARGIN) <= proven.margin_radius
    if fit.alphas is not None:  # the exact alphas (0, 0.25, 0.25, 0) are unique here: w's accuracy bounds theirs
        assert np.max(np.abs(fit.alphas - np.array([0, 0.25, 0.25, 0]))) <= proven.alpha_radius < 1e-3


def test_alpha_radius_bounds_alphas_and_is_infinite_where_they_are_free():
    """It bounds the alphas' error from w's and b's where the exact alphas are unique, and gives no bound (infinity)
    where the optimum leaves them free: two copies of a support vector can share its alpha in any split."""
    exact = np.array([0.0, 0.25, 0.25, 0.0])
    w, b = np.array([-0.5, -0.5]), 3.5
    assert svm.alpha_radius(X, Y.astype(float), w, b, exact, 0.0, 0.0) == pytest.approx(0.0, abs=1e-15)
    off = exact + np.array([0.0, 1e-4, 1e-4, 0.0])
    assert 1e-4 <= svm.alpha_radius(X, Y.astype(float), w, b, off, 1e-6, 1e-6) < 1e-2
    twice = np.vstack([X, X[1]])
    free = svm.alpha_radius(twice, np.append(Y, 1).astype(float), w, b, np.append(exact, 0.0), 0.0, 0.0)
    assert free == float("inf")


def test_a_fit_that_misses_its_kkt_tolerance_gives_no_verdict():
    """It refuses a hyperplane whose duality gap is above the KKT tolerance: not converged, no verdict."""
    w, alphas = np.array([-0.6, -0.4]), np.array([0.0, 0.25, 0.25, 0.0])  # a line, with the exact alphas
    b = float(np.max(-(X[Y == -1] @ w)) - 1.0)  # feasible for the negatives
    proven = svm.accuracy(X, Y.astype(float), w, b, alphas, (1, 2))
    assert proven.gap > svm.KKT_TOL and not proven.converged(w)
    fit = svm._finish("dual-test", X, Y.astype(float), w, b, alphas, 1e-3, 1e-3, "optimal")
    assert fit.separable is None and "not converged" in fit.status
