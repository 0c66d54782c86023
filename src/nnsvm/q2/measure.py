"""Q2 measured: backprop of the 2-2-3-2 network three ways, the answer's equations as written, and the optimisers."""

from __future__ import annotations

import numpy as np

from nnsvm.data.toy import ToySet
from nnsvm.q2 import backprop as bp
from nnsvm.q2 import optim
from nnsvm.q2.params import Q2OptimParams, Q2Params

POSITIVE_CLASS = 3  # logistic regression: cluster 3 (top right) against the rest
# Each optimiser's key in optim.json: the label the figure and the report show it by.
SGD, NEWTON = "SGD (gradient)", "Newton (H^-1 grad)"
ANSWER_SGD, ANSWER_NEWTON = "answer's SGD (loss x x)", "answer's Newton (f / f')"


def _lists(g: bp.Params) -> dict:
    return {k: v.tolist() for k, v in g.items()}


def run_backprop(p: Q2Params, rng: np.random.Generator) -> dict:
    """``backprop.json``: weights, loss, every gradient three ways, the answer's equations and their error."""
    w = bp.init_params(rng, p.init_std)
    x, y = np.asarray(p.x, float), np.asarray(p.y, float)
    g = {
        "backprop": bp.backprop(w, x, y),
        "autograd": bp.autograd(w, x, y),
        "finite_diff": bp.finite_differences(w, x, y, p.fd_step),
    }
    f = bp.forward(w, x)
    true = {
        "dz1": float(f.o3[0] - y[0]),
        "dz2": float(f.o3[1] - y[1]),
        "dw11": float(g["autograd"]["W1"][0, 0]),
        "db1": float(g["autograd"]["b1"][0]),
    }
    answer = bp.answer_equations(w, x, y)
    chain = bp.answer_equations(w, x, y, dz3=f.o3 - y)  # (5)-(10) fed the correct dL/dz
    # Eq. (9) writes dL/dO_1^1 on its left, where dL/dw11^(1) (its right side) is meant: how far apart they are.
    d_o1_1 = true["db1"] / float(f.o1[0] * (1 - f.o1[0]))
    return {
        "x": list(p.x),
        "y": list(p.y),
        "weights": _lists(w),
        "outputs": f.o3.tolist(),
        "loss": bp.loss(w, x, y),
        "answer_loss": bp.answer_loss(w, x, y),
        "gradients": {k: _lists(v) for k, v in g.items()},
        "max_abs_diff": {
            "backprop_vs_autograd": bp.max_abs_diff(g["backprop"], g["autograd"]),
            "backprop_vs_finite_diff": bp.max_abs_diff(g["backprop"], g["finite_diff"]),
            "autograd_vs_finite_diff": bp.max_abs_diff(g["autograd"], g["finite_diff"]),
        },
        "true": true,
        "layer1_units": int(w["W1"].shape[1]),
        "answer_as_written": answer,
        "answer_chain_with_true_dz": chain,
        "eq9_sides": {"dL/dO_1^1": d_o1_1, "dL/dw11": true["dw11"]},
        # The answer's own loss has gradient -true: its error against that isolates the diagonal-only Jacobian.
        "answer_err_vs_true": {k: abs(answer[k] - true[k]) for k in true},
        "answer_err_vs_own_loss": {k: abs(answer[k] + true[k]) for k in true},
        "chain_err": {k: abs(chain[k] - true[k]) for k in true},
    }


def run_optim(data: ToySet, p: Q2OptimParams, rng: np.random.Generator) -> dict:
    """``optim.json``: objective per iteration of SGD and Newton, correct and as the answer writes them."""
    x, y = optim.with_bias(data.x), np.where(data.y == POSITIVE_CLASS, 1.0, -1.0)
    newton, theta = optim.newton(x, y, p.l2, p.newton_iterations)
    histories = {
        SGD: optim.sgd(x, y, p.l2, p.sgd_lr, p.iterations, np.random.default_rng(rng.integers(2**32))),
        NEWTON: newton,
        ANSWER_SGD: optim.sgd(
            x, y, p.l2, p.sgd_lr, p.iterations, np.random.default_rng(rng.integers(2**32)), answer_rule=True
        ),
        ANSWER_NEWTON: optim.newton(x, y, p.l2, p.newton_iterations, answer_rule=True)[0],
    }
    f_star = float(min(newton))
    return {
        "problem": f"L2 ({p.l2:g}) logistic regression, cluster {POSITIVE_CLASS} vs rest, {len(y)} points",
        "f_star": f_star,
        "theta_star": theta.tolist(),
        "grad_norm_at_star": float(np.linalg.norm(optim.gradient(theta, x, y, p.l2))),
        "histories": {k: [v if np.isfinite(v) else None for v in h] for k, h in histories.items()},
        "final_gap": {k: (h[-1] - f_star) if np.isfinite(h[-1]) else None for k, h in histories.items()},
        "newton_iters_to_1e-10": next((i for i, v in enumerate(newton) if v - f_star <= 1e-10), None),
    }


def loss_curves(optim: dict) -> list[dict[str, float]]:
    """Per iteration, each optimiser's objective under an MLflow-safe name (diverged values left out)."""
    names = {k: "q2.optim.loss." + metric_name(k) for k in optim["histories"]}
    length = max(len(h) for h in optim["histories"].values())
    return [
        {names[k]: h[i] for k, h in optim["histories"].items() if i < len(h) and h[i] is not None}
        for i in range(length)
    ]


def metric_name(optimiser: str) -> str:
    """``"answer's SGD (loss x x)"`` -> ``"answer_SGD"``: an MLflow-safe name of an optimiser's label."""
    return optimiser.split(" (")[0].replace("'s", "").replace(" ", "_")
