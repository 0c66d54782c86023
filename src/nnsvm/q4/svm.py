"""Q4-A: the hard-margin linear SVM, solved three ways.

* the primal QP  min 1/2 ||w||^2  s.t.  y_i (w.x_i + b) >= 1, with cvxpy;
* the dual QP    max sum a - 1/2 ||sum a_i y_i x_i||^2  s.t.  a >= 0, sum a_i y_i = 0,
  with cvxpy, then w = sum a_i y_i x_i and b from the support vectors;
* scikit-learn's ``SVC(kernel="linear")`` at a given C.

Points are ``(n, d)`` float64, labels ``(n,)`` in {-1, +1}. Data that no
hyperplane separates gives a :class:`SvmFit` with ``separable=False`` (the
primal is infeasible, the dual unbounded), never a solver traceback. Only an
exact solver status is a verdict: a solver that stops at its iteration limit or
reports an inaccurate answer gives ``separable=None`` (no verdict), never a
hyperplane.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from nnsvm.core.errors import NnsvmError

# The exact answer for the assignment's four points (by hand: line x1 + x2 = 7).
EXACT_W = (-0.5, -0.5)
EXACT_B = 3.5
EXACT_ALPHAS = (0.0, 0.25, 0.25, 0.0)
EXACT_MARGIN = float(np.sqrt(2.0))

NOT_SEPARABLE = "not linearly separable"
UNFINISHED = "no verdict: the solver did not finish"

# The QPs here are tiny but often degenerate (points on the margin with alpha = 0;
# the dual's Hessian has rank d) and badly scaled (alphas of ~80 for points ~5
# apart). Under cvxpy's defaults OSQP stops at its 10,000-iteration limit on
# [[1, -5], [5, 0], [4, -1], [-3, 2]] (the primal needs ~27,000 here), and SCS
# calls a dual "optimal" with b off by 0.4 on random separable sets. With these
# settings both agree with the exact answer to ~1e-6 over the property test's
# sets (tests/test_svm_property.py); OSQP's ADMM still stalls on about 1 dual in
# 300, which then gives no verdict. Tighter OSQP tolerances stall more often.
# Clarabel's defaults give ~1e-4 on degenerate sets (an interior point stops
# short of alpha = 0).
SOLVER_SETTINGS: dict[str, dict[str, float]] = {
    "OSQP": {"max_iter": 200_000, "eps_abs": 1e-7, "eps_rel": 1e-7},
    "SCS": {"max_iters": 200_000, "eps_abs": 1e-9, "eps_rel": 1e-9},
}


# A fit reports a hyperplane only if its own KKT residuals (primal infeasibility, the dual's, the duality gap)
# are at most this, relative to max(1, ||w||^2); otherwise it did not converge and gives no verdict.
KKT_TOL = 1e-6


@dataclass(frozen=True)
class Accuracy:
    """How far a fit can be from the exact optimum, proven from its own (w, b, alphas).

    ``infeasibility`` = max(0, 1 - min y (w.x + b)); ``gap`` = primal objective of the rescaled feasible
    w' = w / (1 - infeasibility) minus the dual objective of the alphas made dual-feasible (clipped at 0,
    one class rescaled so that sum alpha y = 0), a valid lower bound on the optimum, plus the objectives'
    float64 rounding. The objective
    1/2 ||w||^2 is 1-strongly convex, so ||w' - w*||^2 <= 2 gap, and
    ``w_radius`` = ||w - w'|| + sqrt(2 gap) bounds ||w - w*||. ``b_radius``: b* = y_s - w*.x_s on a
    support vector s, so |b - b*| <= |y_s - w.x_s - b| + w_radius ||x_s|| (worst over the support
    vectors); ``margin_radius`` bounds |1/||w|| - 1/||w*|||. ``dual_residual``: how far the alphas were
    from dual-feasible before the repair. ``alpha_radius`` bounds max |alpha_i - alpha*_i| (see
    :func:`alpha_radius`; infinite where the exact alphas are not unique).
    """

    infeasibility: float
    dual_residual: float
    gap: float
    w_radius: float
    b_radius: float
    margin_radius: float
    alpha_radius: float = float("inf")

    def converged(self, w: np.ndarray) -> bool:
        scale = max(1.0, float(w @ w))
        return max(self.infeasibility, self.dual_residual, self.gap) <= KKT_TOL * scale

    def as_json(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def accuracy(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, alphas: np.ndarray, support: tuple[int, ...]
) -> Accuracy:
    """The proven accuracy of ``(w, b)`` from its own alphas (see :class:`Accuracy`)."""
    a = np.maximum(np.asarray(alphas, float), 0.0)
    residual = abs(float(a @ y)) + max(0.0, -float(np.min(alphas)))
    pos, neg = float(a[y > 0].sum()), float(a[y < 0].sum())
    if pos > 0 and neg > 0:  # balance the classes: sum alpha y = 0 exactly
        a = np.where(y > 0, a * min(1.0, neg / pos), a * min(1.0, pos / neg))
    dual_value = float(a.sum() - 0.5 * np.sum((x.T @ (a * y)) ** 2))
    infeasible = max(0.0, float(1.0 - np.min(y * (x @ w + b))))
    if infeasible >= 1.0:
        inf = float("inf")
        return Accuracy(infeasible, residual, inf, inf, inf, inf, inf)
    w_feasible = w / (1.0 - infeasible)
    primal_value = 0.5 * float(w_feasible @ w_feasible)
    # The two objectives are each rounded in float64: the gap is known only to a few ulps of their size.
    rounding = 8 * float(np.finfo(float).eps) * max(1.0, abs(primal_value), abs(dual_value), float(a.sum()))
    gap = max(0.0, primal_value - dual_value) + rounding
    w_radius = float(np.linalg.norm(w - w_feasible)) + float(np.sqrt(2.0 * gap))
    b_radius = max(
        (abs(float(y[s] - x[s] @ w - b)) + w_radius * float(np.linalg.norm(x[s])) for s in support),
        default=float("inf"),
    )
    norm = float(np.linalg.norm(w))
    margin_radius = w_radius / (norm * (norm - w_radius)) if w_radius < norm else float("inf")
    alpha = alpha_radius(x, y, w, b, np.asarray(alphas, float), w_radius, b_radius)
    return Accuracy(infeasible, residual, gap, w_radius, b_radius, margin_radius, alpha)


def alpha_radius(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, alphas: np.ndarray, w_radius: float, b_radius: float
) -> float:
    """A bound on max |alpha_i - alpha*_i|, from the proven radii of w and b.

    A point whose margin y (w.x + b) - 1 exceeds what the radii allow (w_radius ||x|| + b_radius) is off
    the exact margin, so alpha*_i = 0 and its error is |alpha_i|. The exact alphas of the others (set S)
    solve sum_S alpha_i y_i x_i = w*, sum_S alpha_i y_i = 0; where that system has full column rank they
    are unique, and ||alpha_S - alpha*_S|| <= (||M alpha_S - (w, 0)|| + w_radius) / sigma_min(M). Where it
    has not (a degenerate set whose alphas the optimum leaves free), no bound: infinity.
    """
    slack = y * (x @ w + b) - 1.0
    off = slack > w_radius * np.linalg.norm(x, axis=1) + b_radius
    outside = float(np.max(np.abs(alphas[off]), initial=0.0))
    on = ~off
    m = np.vstack([(y[on, None] * x[on]).T, y[on][None, :]])  # (d + 1, |S|)
    sigma = np.linalg.svd(m, compute_uv=False) if on.any() else np.zeros(0)
    if len(sigma) < on.sum() or not on.any() or sigma[-1] <= 1e-12 * max(1.0, sigma[0]):
        return float("inf")
    residual = float(np.linalg.norm(m @ alphas[on] - np.append(w, 0.0)))
    return max(outside, (residual + w_radius) / float(sigma[-1]))


@dataclass(frozen=True)
class SvmFit:
    """One method's answer; ``w``/``b`` are ``None`` unless the data was found separable.

    ``separable`` is None when the solver did not finish (``status`` says how it
    stopped): no verdict either way. ``support`` are indices with alpha > sv_tol
    times the largest alpha (alphas scale as ||w||^2, so an absolute cut-off fails
    on wide margins); ``on_margin`` those with |y (w.x + b) - 1| <= margin_tol (it
    includes degenerate points with alpha = 0). ``margin`` is the distance from
    the line to each margin, 1/||w||.
    """

    method: str
    separable: bool | None
    status: str
    w: np.ndarray | None = None
    b: float | None = None
    alphas: np.ndarray | None = None
    support: tuple[int, ...] = ()
    on_margin: tuple[int, ...] = ()
    margin: float | None = None
    accuracy: Accuracy | None = None  # how far from the exact optimum (w, b) can be, proven from the fit itself
    extra: dict[str, float] = field(default_factory=dict)

    def solution(self) -> tuple[np.ndarray, float, float]:
        """``(w, b, margin)`` of a fit that found the data separable; ValueError otherwise."""
        if not self.separable or self.w is None or self.b is None or self.margin is None:
            raise ValueError(f"{self.method} found no separating line ({self.status})")
        return self.w, self.b, self.margin

    def as_json(self, x: np.ndarray) -> dict:
        """The ``reports/q4/svm.json`` entry for this method."""
        if not self.separable:
            return {"status": self.status, "w": None, "b": None, "support_vectors": [], "margin": None}
        w, b, margin = self.solution()
        return {
            "status": self.status,
            "w": [float(v) for v in w],
            "b": float(b),
            "support_vectors": x[list(self.support)].tolist(),
            "on_margin": x[list(self.on_margin)].tolist(),
            "alphas": None if self.alphas is None else [float(a) for a in self.alphas],
            "margin": float(margin),
            "accuracy": None if self.accuracy is None else self.accuracy.as_json(),
        }


def _check(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or y.shape != (len(x),) or not set(np.unique(y)) <= {-1, 1}:
        raise NnsvmError(f"SVM input: need points (n, d) and labels (n,) in {{-1, 1}}, got {x.shape} and {y.shape}")
    if len(set(y.tolist())) < 2:
        raise NnsvmError("SVM input: only one class present; give points of both labels")


def _support(alphas: np.ndarray, sv_tol: float) -> np.ndarray:
    """The true support vectors: alpha above ``sv_tol`` of the largest alpha (a boolean mask)."""
    return alphas > sv_tol * np.max(alphas)


def _unfinished(method: str, status: str) -> SvmFit:
    return SvmFit(method, None, f"{UNFINISHED} (status {status!r})")


def _finish(
    method: str,
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    b: float,
    alphas: np.ndarray | None,
    sv_tol: float,
    margin_tol: float,
    status: str,
) -> SvmFit:
    slack = y * (x @ w + b) - 1.0
    on_margin = tuple(int(i) for i in np.flatnonzero(np.abs(slack) <= margin_tol))
    support = on_margin if alphas is None else tuple(int(i) for i in np.flatnonzero(_support(alphas, sv_tol)))
    proven = None if alphas is None else accuracy(x, y, w, b, alphas, support)
    if proven is not None and not proven.converged(w):
        worst = max(proven.infeasibility, proven.dual_residual, proven.gap)
        return _unfinished(method, f"{status}, but KKT residual {worst:.1e} > {KKT_TOL:g} (not converged)")
    margin = float(1.0 / np.linalg.norm(w))
    return SvmFit(method, True, status, w, float(b), alphas, support, on_margin, margin, proven)


def _solve(problem: cp.Problem, solver: str) -> str:
    try:
        with warnings.catch_warnings():
            # "Solution may be inaccurate": the returned status says so, and the caller flags it.
            warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
            problem.solve(solver=solver, **SOLVER_SETTINGS.get(solver, {}))
    except cp.error.SolverError as exc:
        raise NnsvmError(f"cvxpy solver {solver} failed ({exc}); pick another in params.yaml q4") from None
    return problem.status


def primal(x: np.ndarray, y: np.ndarray, solver: str, sv_tol: float = 1e-3, margin_tol: float = 1e-3) -> SvmFit:
    """Hard-margin primal QP; the alphas are the duals of its margin constraints."""
    _check(x, y)
    w, b = cp.Variable(x.shape[1]), cp.Variable()
    margin = cp.multiply(y, x @ w + b) >= 1
    status = _solve(cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), [margin]), solver)
    method = f"primal-{solver.lower()}"
    if status == cp.INFEASIBLE:
        return SvmFit(method, False, NOT_SEPARABLE)
    if status != cp.OPTIMAL or w.value is None:
        return _unfinished(method, status)
    return _finish(
        method, x, y, w.value, float(np.asarray(b.value)), np.asarray(margin.dual_value), sv_tol, margin_tol, status
    )


def dual(x: np.ndarray, y: np.ndarray, solver: str, sv_tol: float = 1e-3, margin_tol: float = 1e-3) -> SvmFit:
    """Hard-margin dual QP; b is the mean of y_s - w.x_s over the true support vectors (see SvmFit)."""
    _check(x, y)
    a = cp.Variable(len(y))
    objective = cp.Minimize(0.5 * cp.sum_squares(x.T @ cp.multiply(a, y)) - cp.sum(a))
    status = _solve(cp.Problem(objective, [a >= 0, y @ a == 0]), solver)
    method = f"dual-{solver.lower()}"
    # Not separable: the dual is unbounded (the primal infeasible).
    if status == cp.UNBOUNDED:
        return SvmFit(method, False, NOT_SEPARABLE)
    if status != cp.OPTIMAL or a.value is None:
        return _unfinished(method, status)
    alphas = np.asarray(a.value)
    w = x.T @ (alphas * y)
    # Only points with alpha > 0 lie on the margin for sure; a stray tiny alpha
    # on a point far outside would pull b off.
    sv = _support(alphas, sv_tol)
    b = float(np.mean(y[sv] - x[sv] @ w))
    return _finish(method, x, y, w, b, alphas, sv_tol, margin_tol, status)


def sklearn_name(c: float) -> str:
    """``sklearn-C1``, ``sklearn-C1e06``: MLflow metric names allow no '+'."""
    return f"sklearn-C{c:g}".replace("+", "")


def sklearn_svc(x: np.ndarray, y: np.ndarray, c: float, sv_tol: float = 1e-3, margin_tol: float = 1e-3) -> SvmFit:
    """scikit-learn's linear SVC at ``c``; a training error means not separable (hard margin)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import SVC

    _check(x, y)
    with warnings.catch_warnings():
        # On data no line separates, a huge C never converges: the check below says why.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SVC(kernel="linear", C=c, tol=1e-12, max_iter=1_000_000).fit(x, y)
    w, b = model.coef_[0].astype(np.float64), float(model.intercept_[0])
    alphas = np.zeros(len(y))
    alphas[model.support_] = np.abs(model.dual_coef_[0])
    method = sklearn_name(c)
    if np.any(y * (x @ w + b) <= 0):
        return SvmFit(method, False, NOT_SEPARABLE)
    return _finish(method, x, y, w, b, alphas, sv_tol, margin_tol, "optimal")


def error_vs_exact(fit: SvmFit) -> dict[str, float]:
    """Largest |w - w*|, |b - b*|, |margin - sqrt 2| (and |alpha - alpha*|) against the four points' exact answer."""
    if not fit.separable:  # not separable, or no verdict
        return {"w_err": float("inf"), "b_err": float("inf"), "margin_err": float("inf")}
    w, b, margin = fit.solution()
    err = {
        "w_err": float(np.max(np.abs(w - np.asarray(EXACT_W)))),
        "b_err": abs(b - EXACT_B),
        "margin_err": abs(margin - EXACT_MARGIN),
    }
    if fit.alphas is not None and len(fit.alphas) == len(EXACT_ALPHAS):
        err["alpha_err"] = float(np.max(np.abs(fit.alphas - np.asarray(EXACT_ALPHAS))))
    return err
