"""Q2 measurements for the report: the answer's loss, gradients and update rules, as q2 measured them.

Each value is the error of the answer's formula against the right one, with the
measurement's own tolerance as its interval (float64 gradient checks: ``q2.tol``;
an optimiser: what the right rule reaches with the same budget).
"""

from __future__ import annotations

import math

from nnsvm.measurement import Measurement, around, measure
from nnsvm.q2.params import Q2Params


def _gap(value: float | None) -> float:
    """A final gap to f*; an optimiser that overflowed is infinitely far."""
    return math.inf if value is None else value


def _shown(value: float | None) -> str:
    return "diverged (overflow)" if value is None else f"{value:.2e}"


def measurements(b: dict, o: dict, p: Q2Params, fig: str) -> dict[str, Measurement]:
    d, se, own, ch = b["max_abs_diff"], b["answer_err_vs_true"], b["answer_err_vs_own_loss"], b["chain_err"]
    t, s = b["true"], b["answer_as_written"]
    gap = o["final_gap"]
    sgd, newton = gap["answer's SGD (loss x x)"], gap["answer's Newton (f / f')"]
    sgd_ref, newton_ref = gap["SGD (gradient)"], gap["Newton (H^-1 grad)"]
    grad_tol = f"float64 gradient check, tolerance {p.tol:g}"
    budget = f"{p.optim.iterations} iterations"
    return {
        "q2.loss_formula_err": around(
            abs(b["answer_loss"] - b["loss"]),
            p.tol,
            "g",
            grad_tol,
            text=f"answer's L = {b['answer_loss']:.6f}; cross-entropy -(Y1 log O1 + Y2 log O2) = {b['loss']:.6f}",
            note="as written L <= 0, and gradient descent on it would maximise the cross-entropy",
        ),
        "q2.dz_err": around(
            max(se["dz1"], se["dz2"]),
            p.tol,
            "e",
            grad_tol,
            text=f"answer's dL/dz = [{s['dz1']:.6f}, {s['dz2']:.6f}]; O - Y = [{t['dz1']:.6f}, {t['dz2']:.6f}]",
            note="eqs. (3)-(4) keep only the softmax Jacobian's diagonal: their error against the gradient of "
            f"the answer's own (sign-less) loss is {max(own['dz1'], own['dz2']):.3e}, so the missing off-diagonal "
            "term alone is wrong there",
        ),
        "q2.grad_err": around(
            max(se["dw11"], se["db1"]),
            p.tol,
            "e",
            grad_tol,
            text=f"answer's dw11 = {s['dw11']:.6e}, db1 = {s['db1']:.6e}; autograd dw11 = {t['dw11']:.6e}, "
            f"db1 = {t['db1']:.6e}",
            note=f"fed the right dL/dz = O - Y, the answer's eqs. (5)-(10) give dw11 and db1 to "
            f"{max(ch['dw11'], ch['db1']):.1e}: the chain is right, eqs. (3)-(4) and the sign are not",
        ),
        "q2.backprop_vs_autograd": around(
            d["backprop_vs_autograd"],
            p.tol,
            "e",
            grad_tol,
            note="all 23 weights and biases of the network, float64",
        ),
        "q2.backprop_vs_finite_diff": around(
            d["backprop_vs_finite_diff"],
            p.tol,
            "e",
            grad_tol,
            note=f"central differences, h = {p.fd_step:g}",
        ),
        "q2.sgd_answer_gap": measure(
            _gap(sgd),
            "e",
            spread=(_gap(sgd) - sgd_ref, _gap(sgd) + sgd_ref, f"what w := w - eta dL/dw reaches in {budget}"),
            text=f"final gap to f*: as written {_shown(sgd)}; with the gradient {sgd_ref:.2e}",
            note=f"{o['problem']}; eta = {p.optim.sgd_lr:g}; the loss value times x is no descent direction (it "
            "ignores the label's sign and the slope)",
            figures=(fig,),
        ),
        "q2.newton_answer_gap": measure(
            _gap(newton),
            "e",
            spread=(
                _gap(newton) - newton_ref,
                _gap(newton) + newton_ref,
                f"what theta - H^-1 grad f reaches in {budget}",
            ),
            text=f"final gap to f*: as written {_shown(newton)}; theta - H^-1 grad f reaches 1e-10 in "
            f"{o['newton_iters_to_1e-10']} iterations",
            note="f/f' seeks f = 0, which a positive loss never reaches, so it oscillates; minimising needs f'/f'' "
            f"(the Hessian solve); |grad f| at Newton's end {o['grad_norm_at_star']:.1e}",
            figures=(fig,),
        ),
    }
