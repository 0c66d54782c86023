"""Q2 measurements for the report: the answer's loss, gradients and update rules, as q2 measured them.

Each value is the error of the answer's formula against the right one, with the
measurement's own tolerance as its interval (float64 gradient checks: ``q2.tol``;
an optimiser: what the right rule reaches with the same budget). The chain rule is
judged on the answer's own equations (5)-(10); our backprop's agreement with
autograd and finite differences is evidence that the reference gradients are right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnsvm.measurement import Measurement, around, measure
from nnsvm.q2.measure import ANSWER_NEWTON, ANSWER_SGD, NEWTON, SGD
from nnsvm.q2.params import Q2Params


@dataclass(frozen=True)
class Gradients:
    """dL/dz1, dL/dz2, dL/dw11^(1), dL/db1^(1), or their errors, as ``backprop.json`` records them."""

    dz1: float
    dz2: float
    dw11: float
    db1: float

    @classmethod
    def of(cls, record: dict) -> Gradients:
        return cls(**{k: float(record[k]) for k in ("dz1", "dz2", "dw11", "db1")})

    def worst_dz(self) -> float:
        return max(self.dz1, self.dz2)

    def worst_weight(self) -> float:
        return max(self.dw11, self.db1)


@dataclass(frozen=True)
class Backprop:
    """``reports/q2/backprop.json``, as the measurements read it."""

    loss: float
    answer_loss: float
    true: Gradients
    answer: Gradients  # the answer's equations (1)-(10) as written
    err_vs_true: Gradients  # ... against the gradient of the cross-entropy
    err_vs_own_loss: Gradients  # ... against the gradient of the answer's own (sign-less) loss
    chain_err: Gradients  # eqs. (5)-(10) fed the right dL/dz = O - Y, against autograd
    vs_autograd: float  # our backprop against autograd (a self-test: evidence only)
    vs_finite_diff: float
    layer1_units: int
    eq9_left: float  # dL/dO_1^1, what eq. (9) writes on its left
    eq9_right: float  # dL/dw11^(1), what its right side computes

    @classmethod
    def of(cls, b: dict) -> Backprop:
        return cls(
            loss=b["loss"],
            answer_loss=b["answer_loss"],
            true=Gradients.of(b["true"]),
            answer=Gradients.of(b["answer_as_written"]),
            err_vs_true=Gradients.of(b["answer_err_vs_true"]),
            err_vs_own_loss=Gradients.of(b["answer_err_vs_own_loss"]),
            chain_err=Gradients.of(b["chain_err"]),
            vs_autograd=b["max_abs_diff"]["backprop_vs_autograd"],
            vs_finite_diff=b["max_abs_diff"]["backprop_vs_finite_diff"],
            layer1_units=b["layer1_units"],
            eq9_left=b["eq9_sides"]["dL/dO_1^1"],
            eq9_right=b["eq9_sides"]["dL/dw11"],
        )


@dataclass(frozen=True)
class Optimisers:
    """``reports/q2/optim.json``: each rule's final gap to f* (None: it overflowed)."""

    problem: str
    sgd: float
    newton: float
    answer_sgd: float | None
    answer_newton: float | None
    newton_iters_to_1e_10: int | None
    grad_norm_at_star: float

    @classmethod
    def of(cls, o: dict) -> Optimisers:
        gap = o["final_gap"]
        return cls(
            problem=o["problem"],
            sgd=gap[SGD],
            newton=gap[NEWTON],
            answer_sgd=gap[ANSWER_SGD],
            answer_newton=gap[ANSWER_NEWTON],
            newton_iters_to_1e_10=o["newton_iters_to_1e-10"],
            grad_norm_at_star=o["grad_norm_at_star"],
        )


def _gap(value: float | None) -> float:
    """A final gap to f*; an optimiser that overflowed is infinitely far."""
    return math.inf if value is None else value


def _shown(value: float | None) -> str:
    return "diverged (overflow)" if value is None else f"{value:.2e}"


def measurements(backprop: dict, optim: dict, p: Q2Params, fig: str) -> dict[str, Measurement]:
    """``backprop``, ``optim``: the stage's ``backprop.json`` and ``optim.json``; ``fig``: the optimiser figure."""
    return _gradient_measurements(Backprop.of(backprop), p) | _optimiser_measurements(Optimisers.of(optim), p, fig)


def _gradient_measurements(b: Backprop, p: Q2Params) -> dict[str, Measurement]:
    grad_tol = f"float64 gradient check, tolerance {p.tol:g}"
    t, a, own = b.true, b.answer, b.err_vs_own_loss
    return {
        "q2.loss_formula_err": around(
            abs(b.answer_loss - b.loss),
            p.tol,
            "g",
            grad_tol,
            text=f"answer's L = {b.answer_loss:.6f}; cross-entropy -(Y1 log O1 + Y2 log O2) = {b.loss:.6f}",
            note="as written L <= 0, and gradient descent on it would maximise the cross-entropy",
        ),
        "q2.dz_err": around(
            b.err_vs_true.worst_dz(),
            p.tol,
            "e",
            grad_tol,
            text=f"answer's dL/dz = [{a.dz1:.6f}, {a.dz2:.6f}]; O - Y = [{t.dz1:.6f}, {t.dz2:.6f}]",
            note="eqs. (3)-(4) keep only the softmax Jacobian's diagonal: their error against the gradient of "
            f"the answer's own (sign-less) loss is {own.worst_dz():.3e}, so the missing off-diagonal "
            "term alone is wrong there",
        ),
        "q2.grad_err": around(
            b.err_vs_true.worst_weight(),
            p.tol,
            "e",
            grad_tol,
            text=f"answer's dw11 = {a.dw11:.6e}, db1 = {a.db1:.6e}; autograd dw11 = {t.dw11:.6e}, db1 = {t.db1:.6e} "
            f"(errors {b.err_vs_true.dw11:.2e}, {b.err_vs_true.db1:.2e})",
            note="against the gradient of the cross-entropy, the loss with its minus sign",
        ),
        "q2.grad_err_own_loss": around(
            own.worst_weight(),
            p.tol,
            "e",
            grad_tol,
            text=f"dw11 off by {own.dw11:.2e}, db1 by {own.db1:.2e} against the gradient of the answer's own loss "
            f"L = Y1 log O1 + Y2 log O2 (dw11 = {-t.dw11:.6e}, db1 = {-t.db1:.6e})",
            note="taken on its own terms (the sign-less loss), the answer's dw11 and db1 are still wrong: "
            "eqs. (3)-(4) drop the softmax Jacobian's off-diagonal term",
        ),
        "q2.chain_err": around(
            b.chain_err.worst_weight(),
            p.tol,
            "e",
            grad_tol,
            text=f"the answer's eqs. (5)-(10), fed dL/dz = O - Y, give dw11 and db1 to {b.chain_err.dw11:.1e} and "
            f"{b.chain_err.db1:.1e} of autograd's",
            note=f"reference gradients: our backprop agrees with autograd to {b.vs_autograd:.1e} and with central "
            f"differences to {b.vs_finite_diff:.1e}",
        ),
        "q2.backprop_vs_autograd": around(
            b.vs_autograd,
            p.tol,
            "e",
            grad_tol,
            note="our backprop (not the answer's equations): all 23 weights and biases of the network, float64",
        ),
        "q2.backprop_vs_finite_diff": around(
            b.vs_finite_diff,
            p.tol,
            "e",
            grad_tol,
            note=f"our backprop (not the answer's equations) against central differences, h = {p.fd_step:g}",
        ),
        "q2.layer1_units": measure(
            float(b.layer1_units),
            "int",
            text=f"{b.layer1_units} units in the first hidden layer (O_1^1 .. O_{b.layer1_units}^1)",
            note="the 2-2-3-2 network of the assignment",
        ),
        "q2.eq9_sides_gap": around(
            abs(b.eq9_left - b.eq9_right),
            p.tol,
            "e",
            grad_tol,
            text=f"eq. (9)'s left side dL/dO_1^1 = {b.eq9_left:.6e}; its right side, dL/dw11 = {b.eq9_right:.6e}",
            note="computed with the right gradients; eq. (9) equates the two",
        ),
    }


def _optimiser_measurements(o: Optimisers, p: Q2Params, fig: str) -> dict[str, Measurement]:
    budget = f"{p.optim.iterations} iterations"
    sgd, newton = _gap(o.answer_sgd), _gap(o.answer_newton)
    return {
        "q2.sgd_answer_gap": measure(
            sgd,
            "e",
            spread=(sgd - o.sgd, sgd + o.sgd, f"what w := w - eta dL/dw reaches in {budget}"),
            text=f"final gap to f*: as written {_shown(o.answer_sgd)}; with the gradient {o.sgd:.2e}",
            note=f"{o.problem}; eta = {p.optim.sgd_lr:g}; the loss value times x is no descent direction (it "
            "ignores the label's sign and the slope)",
            figures=(fig,),
        ),
        "q2.newton_answer_gap": measure(
            newton,
            "e",
            spread=(newton - o.newton, newton + o.newton, f"what theta - H^-1 grad f reaches in {budget}"),
            text=f"final gap to f*: as written {_shown(o.answer_newton)}; theta - H^-1 grad f reaches 1e-10 in "
            f"{o.newton_iters_to_1e_10} iterations",
            note="f/f' seeks f = 0, which a positive loss never reaches, so it oscillates; minimising needs f'/f'' "
            f"(the Hessian solve); |grad f| at Newton's end {o.grad_norm_at_star:.1e}",
            figures=(fig,),
        ),
    }
