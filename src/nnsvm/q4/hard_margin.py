"""Q4-A measured: the hard-margin SVM on the four points, every method against the exact solution."""

from __future__ import annotations

import numpy as np

from nnsvm.q4 import svm
from nnsvm.q4.params import Q4SvmParams

DEGENERATE_POINT = (1.0, 4.0)  # on the margin with alpha = 0


def fits(x: np.ndarray, y: np.ndarray, p: Q4SvmParams) -> list[svm.SvmFit]:
    """Primal and dual QPs with each solver, then scikit-learn at the hard-margin C and the answer's C."""
    tol = {"sv_tol": p.sv_tol, "margin_tol": p.margin_tol}
    out = [svm.primal(x, y, s, **tol) for s in p.primal_solvers]
    out += [svm.dual(x, y, s, **tol) for s in p.dual_solvers]
    return out + [svm.sklearn_svc(x, y, c, **tol) for c in (p.hard_c, p.answer_c)]


def run(x: np.ndarray, y: np.ndarray, p: Q4SvmParams) -> tuple[dict, dict, list[svm.SvmFit]]:
    """``(svm.json, svm_checks.json, fits)``: each method's answer, then errors, degeneracy, the infeasible case.

    A method whose solver did not finish (``separable`` None) is listed under
    ``unfinished`` and kept out of ``errors``: it measured nothing.
    """
    results = fits(x, y, p)
    finished = [f for f in results if f.separable is not None]
    flipped = np.asarray(p.nonseparable_labels)
    # (1, 4) of the assignment's points; absent if params.yaml changes them.
    at = np.flatnonzero(np.all(x == DEGENERATE_POINT, axis=1))
    checks = {
        "exact": {
            "w": list(svm.EXACT_W),
            "b": svm.EXACT_B,
            "alphas": list(svm.EXACT_ALPHAS),
            "margin": svm.EXACT_MARGIN,
        },
        "errors": {f.method: svm.error_vs_exact(f) for f in finished},
        "unfinished": {f.method: f.status for f in results if f.separable is None},
        "degenerate": {
            f.method: {
                "point": list(DEGENERATE_POINT),
                "alpha": float(f.alphas[i]),
                "margin_residual": float(y[i] * (x[i] @ f.solution()[0] + f.solution()[1]) - 1),
            }
            for f in results
            if f.separable and f.alphas is not None
            for i in at[:1]
        },
        "nonseparable": {
            "points": x.tolist(),
            "labels": flipped.tolist(),
            "results": {f.method: f.status for f in fits(x, flipped, p)},
        },
    }
    return {f.method: f.as_json(x) for f in results}, checks, results
