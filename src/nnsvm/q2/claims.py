"""Q2: the answer's backprop equations and update rules, judged against what q2 measured."""

from __future__ import annotations

from nnsvm.claims import Claim
from nnsvm.q2.measure import metric_name
from nnsvm.q2.params import Q2Params


def claims(b: dict, o: dict, p: Q2Params, fig: str) -> list[Claim]:
    d, se, own, ch = b["max_abs_diff"], b["answer_err_vs_true"], b["answer_err_vs_own_loss"], b["chain_err"]
    agree = max(d.values()) <= p.tol
    gap = o["final_gap"]
    answer_sgd, answer_newton = gap["answer's SGD (loss x x)"], gap["answer's Newton (f / f')"]
    fmt = lambda v: "diverged (overflow)" if v is None else f"{v:.2e}"  # noqa: E731
    m = {"q2.loss": b["loss"], "q2.answer_loss": b["answer_loss"]} | {f"q2.maxdiff.{k}": v for k, v in d.items()}
    m |= {f"q2.answer_err.{k}": v for k, v in se.items()} | {f"q2.chain_err.{k}": v for k, v in ch.items()}
    m |= {f"q2.optim.gap.{metric_name(k)}": v for k, v in gap.items() if v is not None}
    t, s = b["true"], b["answer_as_written"]
    return [
        Claim(
            "Q2-A",
            "Cross-entropy loss: L = Y1 log O1 + Y2 log O2",
            "L = Y1 log O1 + Y2 log O2",
            f"answer's L = {b['answer_loss']:.6f}; cross-entropy -(...) = {b['loss']:.6f}",
            "corrected" if b["answer_loss"] < 0 < b["loss"] else "differs",
            "the minus is missing: as written L <= 0 and gradient descent on it would maximise the cross-entropy",
            (),
            m,
        ),
        Claim(
            "Q2-A",
            "dL/dz_k = (Y_k / O_k) e^(z1+z2) / (e^z1 + e^z2)^2 (eqs. 3-4)",
            f"dL/dz = [{s['dz1']:.6f}, {s['dz2']:.6f}]",
            f"O - Y = [{t['dz1']:.6f}, {t['dz2']:.6f}]",
            "corrected" if max(se["dz1"], se["dz2"]) > p.tol else "confirmed",
            f"only the softmax Jacobian's diagonal is kept; error vs O - Y {max(se['dz1'], se['dz2']):.3e}, vs the "
            "gradient of the answer's "
            f"own loss {max(own['dz1'], own['dz2']):.3e} (so the missing off-diagonal term alone is wrong)",
            (),
        ),
        Claim(
            "Q2-A",
            "dL/dw11^(1) and dL/db1^(1) from eqs. (3)-(10)",
            f"dw11 = {s['dw11']:.6e}, db1 = {s['db1']:.6e}",
            f"autograd: dw11 = {t['dw11']:.6e}, db1 = {t['db1']:.6e}",
            "corrected" if max(se["dw11"], se["db1"]) > p.tol else "confirmed",
            f"|error| dw11 {se['dw11']:.3e}, db1 {se['db1']:.3e}; fed the correct dL/dz = O - Y, the answer's eqs. "
            "(5)-(10) give "
            f"the right values to {max(ch['dw11'], ch['db1']):.1e}: the chain is right, eqs. (3)-(4) and the sign are "
            "not",
            (),
        ),
        Claim(
            "Q2-A",
            "Backprop by the chain rule gives every gradient of the network",
            "chain rule",
            f"backprop vs autograd {d['backprop_vs_autograd']:.1e}, vs finite differences "
            f"{d['backprop_vs_finite_diff']:.1e}",
            "confirmed" if agree else "differs",
            f"all 23 weights and biases, float64, central differences h = {p.fd_step:g}; tolerance {p.tol:g}",
            (),
        ),
        Claim(
            "Q2-B",
            "SGD: w := w - eta L(y_i, f(x_i)) x_i",
            "update with the loss value",
            f"final gap to f*: as written {fmt(answer_sgd)}, with the gradient {fmt(gap['SGD (gradient)'])}",
            "corrected" if answer_sgd is None or answer_sgd > 10 * max(gap["SGD (gradient)"], 1e-12) else "differs",
            f"{o['problem']}; eta = {p.optim.sgd_lr:g}, {p.optim.iterations} epochs; the loss value times x is no "
            "descent direction "
            "(it ignores the label's sign and the slope): w := w - eta dL/dw",
            (fig,),
        ),
        Claim(
            "Q2-B",
            "Newton-Raphson: theta := theta - f(theta) / f'(theta)",
            "root-finding step",
            f"final gap to f*: as written {fmt(answer_newton)}; theta - H^-1 grad f reaches 1e-10 in "
            f"{o['newton_iters_to_1e-10']} iterations",
            "corrected" if answer_newton is None or answer_newton > 1e-6 else "differs",
            "f/f' seeks f = 0, which a positive loss never reaches, so it oscillates; minimising needs f'/f'' (the "
            "Hessian solve); "
            f"|grad f| at Newton's end {o['grad_norm_at_star']:.1e}",
            (fig,),
            {"q2.optim.newton_iters": float(o["newton_iters_to_1e-10"] or -1), "q2.optim.f_star": o["f_star"]},
        ),
    ]
