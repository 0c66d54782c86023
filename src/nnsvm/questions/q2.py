"""Q2: backprop of the 2-2-3-2 network three ways, the seed's equations as written, and the optimisers."""

from __future__ import annotations

import numpy as np

from nnsvm import backprop as bp
from nnsvm import optim, qplots
from nnsvm.claims import Claim
from nnsvm.data.toy import ToySet
from nnsvm.params import Q2OptimParams, Q2Params

POSITIVE_CLASS = 3  # logistic regression: cluster 3 (top right) against the rest


def _lists(g: bp.Params) -> dict:
    return {k: v.tolist() for k, v in g.items()}


def run_backprop(p: Q2Params, rng: np.random.Generator) -> dict:
    """``backprop.json``: weights, loss, every gradient three ways, the seed's equations and their error."""
    w = bp.init_params(rng, p.init_std)
    x, y = np.asarray(p.x, float), np.asarray(p.y, float)
    g = {"backprop": bp.backprop(w, x, y), "autograd": bp.autograd(w, x, y), "finite_diff": bp.finite_differences(w, x, y, p.fd_step)}
    f = bp.forward(w, x)
    true = {"dz1": float(f.o3[0] - y[0]), "dz2": float(f.o3[1] - y[1]),
            "dw11": float(g["autograd"]["W1"][0, 0]), "db1": float(g["autograd"]["b1"][0])}
    seed = bp.seed_equations(w, x, y)
    chain = bp.seed_equations(w, x, y, dz3=f.o3 - y)  # (5)-(10) fed the correct dL/dz
    return {
        "x": list(p.x), "y": list(p.y), "weights": _lists(w), "outputs": f.o3.tolist(),
        "loss": bp.loss(w, x, y), "seed_loss": bp.seed_loss(w, x, y),
        "gradients": {k: _lists(v) for k, v in g.items()},
        "max_abs_diff": {"backprop_vs_autograd": bp.max_abs_diff(g["backprop"], g["autograd"]),
                         "backprop_vs_finite_diff": bp.max_abs_diff(g["backprop"], g["finite_diff"]),
                         "autograd_vs_finite_diff": bp.max_abs_diff(g["autograd"], g["finite_diff"])},
        "true": true, "seed_as_written": seed, "seed_chain_with_true_dz": chain,
        # The seed's own loss has gradient -true: its error against that isolates the diagonal-only Jacobian.
        "seed_err_vs_true": {k: abs(seed[k] - true[k]) for k in true},
        "seed_err_vs_own_loss": {k: abs(seed[k] + true[k]) for k in true},
        "chain_err": {k: abs(chain[k] - true[k]) for k in true},
    }


def run_optim(data: ToySet, p: Q2OptimParams, rng: np.random.Generator) -> dict:
    """``optim.json``: objective per iteration of SGD and Newton, correct and as the seed writes them."""
    x, y = optim.with_bias(data.x), np.where(data.y == POSITIVE_CLASS, 1.0, -1.0)
    newton, theta = optim.newton(x, y, p.l2, p.newton_iterations)
    histories = {
        "SGD (gradient)": optim.sgd(x, y, p.l2, p.sgd_lr, p.iterations, np.random.default_rng(rng.integers(2**32))),
        "Newton (H^-1 grad)": newton,
        "seed SGD (loss x x)": optim.sgd(x, y, p.l2, p.sgd_lr, p.iterations, np.random.default_rng(rng.integers(2**32)), seed_rule=True),
        "seed Newton (f / f')": optim.newton(x, y, p.l2, p.newton_iterations, seed_rule=True)[0],
    }
    f_star = float(min(newton))
    return {"problem": f"L2 ({p.l2:g}) logistic regression, cluster {POSITIVE_CLASS} vs rest, {len(y)} points",
            "f_star": f_star, "theta_star": theta.tolist(), "grad_norm_at_star": float(np.linalg.norm(optim.gradient(theta, x, y, p.l2))),
            "histories": {k: [v if np.isfinite(v) else None for v in h] for k, h in histories.items()},
            "final_gap": {k: (h[-1] - f_star) if np.isfinite(h[-1]) else None for k, h in histories.items()},
            "newton_iters_to_1e-10": next((i for i, v in enumerate(newton) if v - f_star <= 1e-10), None)}


def figure(o: dict):
    hist = {k: [np.nan if v is None else v for v in h] for k, h in o["histories"].items()}
    return qplots.optimisers(hist, o["f_star"], f"Q2-B: {o['problem']}")


def claims(b: dict, o: dict, p: Q2Params, fig: str) -> list[Claim]:
    d, se, own, ch = b["max_abs_diff"], b["seed_err_vs_true"], b["seed_err_vs_own_loss"], b["chain_err"]
    agree = max(d.values()) <= p.tol
    gap = o["final_gap"]
    seed_sgd, seed_newton = gap["seed SGD (loss x x)"], gap["seed Newton (f / f')"]
    fmt = lambda v: "diverged (overflow)" if v is None else f"{v:.2e}"  # noqa: E731
    m = {"q2.loss": b["loss"], "q2.seed_loss": b["seed_loss"]} | {f"q2.maxdiff.{k}": v for k, v in d.items()}
    m |= {f"q2.seed_err.{k}": v for k, v in se.items()} | {f"q2.chain_err.{k}": v for k, v in ch.items()}
    m |= {f"q2.optim.gap.{k.split(' (')[0].replace(' ', '_')}": v for k, v in gap.items() if v is not None}
    t, s = b["true"], b["seed_as_written"]
    return [
        Claim("Q2-A", "Cross-entropy loss: L = Y1 log O1 + Y2 log O2", "L = Y1 log O1 + Y2 log O2",
              f"seed's L = {b['seed_loss']:.6f}; cross-entropy -(...) = {b['loss']:.6f}",
              "corrected" if b["seed_loss"] < 0 < b["loss"] else "differs",
              "the minus is missing: as written L <= 0 and gradient descent on it would maximise the cross-entropy", (), m),
        Claim("Q2-A", "dL/dz_k = (Y_k / O_k) e^(z1+z2) / (e^z1 + e^z2)^2 (eqs. 3-4)", f"dL/dz = [{s['dz1']:.6f}, {s['dz2']:.6f}]",
              f"O - Y = [{t['dz1']:.6f}, {t['dz2']:.6f}]", "corrected" if max(se["dz1"], se["dz2"]) > p.tol else "confirmed",
              f"only the softmax Jacobian's diagonal is kept; error vs O - Y {max(se['dz1'], se['dz2']):.3e}, vs the gradient of the seed's "
              f"own loss {max(own['dz1'], own['dz2']):.3e} (so the missing off-diagonal term alone is wrong)", ()),
        Claim("Q2-A", "dL/dw11^(1) and dL/db1^(1) from eqs. (3)-(10)", f"dw11 = {s['dw11']:.6e}, db1 = {s['db1']:.6e}",
              f"autograd: dw11 = {t['dw11']:.6e}, db1 = {t['db1']:.6e}", "corrected" if max(se["dw11"], se["db1"]) > p.tol else "confirmed",
              f"|error| dw11 {se['dw11']:.3e}, db1 {se['db1']:.3e}; fed the correct dL/dz = O - Y, the seed's eqs. (5)-(10) give "
              f"the right values to {max(ch['dw11'], ch['db1']):.1e}: the chain is right, eqs. (3)-(4) and the sign are not", ()),
        Claim("Q2-A", "Backprop by the chain rule gives every gradient of the network", "chain rule",
              f"backprop vs autograd {d['backprop_vs_autograd']:.1e}, vs finite differences {d['backprop_vs_finite_diff']:.1e}",
              "confirmed" if agree else "differs",
              f"all 23 weights and biases, float64, central differences h = {p.fd_step:g}; tolerance {p.tol:g}", ()),
        Claim("Q2-B", "SGD: w := w - eta L(y_i, f(x_i)) x_i", "update with the loss value", f"final gap to f*: as written {fmt(seed_sgd)}, "
              f"with the gradient {fmt(gap['SGD (gradient)'])}",
              "corrected" if seed_sgd is None or seed_sgd > 10 * max(gap["SGD (gradient)"], 1e-12) else "differs",
              f"{o['problem']}; eta = {p.optim.sgd_lr:g}, {p.optim.iterations} epochs; the loss value times x is no descent direction "
              "(it ignores the label's sign and the slope): w := w - eta dL/dw", (fig,)),
        Claim("Q2-B", "Newton-Raphson: theta := theta - f(theta) / f'(theta)", "root-finding step",
              f"final gap to f*: as written {fmt(seed_newton)}; theta - H^-1 grad f reaches 1e-10 in {o['newton_iters_to_1e-10']} iterations",
              "corrected" if seed_newton is None or seed_newton > 1e-6 else "differs",
              f"f/f' seeks f = 0, which a positive loss never reaches, so it oscillates; minimising needs f'/f'' (the Hessian solve); "
              f"|grad f| at Newton's end {o['grad_norm_at_star']:.1e}", (fig,),
              {"q2.optim.newton_iters": float(o["newton_iters_to_1e-10"] or -1), "q2.optim.f_star": o["f_star"]}),
    ]
