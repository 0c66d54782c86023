"""Q1 measured: the answer's networks for C (step neurons), D (five ReLUs) and E (square pulses)."""

from __future__ import annotations

import numpy as np

from nnsvm.data.toy import ToySet
from nnsvm.q1 import networks
from nnsvm.q1.params import Q1Params
from nnsvm.stats import loglog_slope

ANSWER_GRID = 100  # the answer plotted its ReLU net on np.linspace(0, 1, 100)


def step_net(data: ToySet) -> tuple[dict, networks.StepNet]:
    normal, thresholds = networks.lines_from_clusters(data.x, data.y)
    net = networks.StepNet(normal, thresholds)
    pred = networks.predict_classes(net, data.x)
    per_class = {int(c): float(np.mean(pred[data.y == c] == c)) for c in (1, 2, 3)}
    return {
        "normal": normal.tolist(),
        "thresholds": list(thresholds),
        "n_points": len(data.y),
        "accuracy": float(np.mean(pred == data.y)),
        "per_class_accuracy": per_class,
        "hidden_neurons": 2,
        "output_weight": 1.0,
        "output_bias": 1.0,
    }, net


FLOAT_TOL = 1e-12  # float64 rounding on these small networks


def _max_err(net, grid: np.ndarray) -> float:
    return float(np.max(np.abs(networks.evaluate(net, grid) - networks.tent(grid))))


def relu_net(p: Q1Params) -> dict:
    """The answer's five-ReLU net against T, and the smallest ReLU network that equals T (one hidden layer, 2 units)."""
    net, out = networks.AnswerReluNet(), {}
    for name, n in (("fine", p.relu_grid_points), ("answer_grid", ANSWER_GRID)):
        out[name] = {"points": n, "max_abs_err": _max_err(net, np.linspace(0.0, 1.0, n))}
    fine = np.linspace(0.0, 1.0, p.relu_grid_points)
    one_unit_err, theta = networks.best_single_relu(np.linspace(0.0, 1.0, 1001))
    candidates = {  # hidden layers, hidden units, max error over the fine grid
        "one hidden layer, 1 ReLU (best found)": (1, 1, one_unit_err),
        "one hidden layer, 2 ReLUs: 3 ReLU(x) - 4.5 ReLU(x - 1/3)": (
            1,
            2,
            _max_err(networks.OneLayerReluNet.tent(), fine),
        ),
        "the answer's: two hidden layers, 5 ReLUs": (2, 5, out["fine"]["max_abs_err"]),
    }
    exact = [(layers, units) for layers, units, err in candidates.values() if err <= FLOAT_TOL]
    return out | {
        "neurons": 5,
        "smallest": {
            "candidates": {
                k: {"hidden_layers": a, "units": b, "max_abs_err": e} for k, (a, b, e) in candidates.items()
            },
            "one_unit_search": {"max_abs_err": one_unit_err, "a_w_b_c": theta},
            "hidden_layers": min(exact)[0] if exact else None,
            "units": min(exact)[1] if exact else None,
            "tol": FLOAT_TOL,
        },
    }


def pulses(p: Q1Params) -> dict:
    grid = np.linspace(0.0, 1.0, p.eval_points)
    errors = networks.pulse_errors(networks.TARGETS[p.target], p.pulses, p.steepness, grid)
    tail_n, tail_e = networks.tail(list(p.pulses)), networks.tail(errors)
    return {
        "target": p.target,
        "formula": networks.TARGET_FORMULAS[p.target],
        "pulses": list(p.pulses),
        "hidden_units": [networks.hidden_units(n) for n in p.pulses],
        "sup_err": errors,
        "loglog_slope": loglog_slope(p.pulses, errors),
        "tail_pulses": tail_n,
        "tail_slope": loglog_slope(tail_n, tail_e),
        "tail_decreasing": networks.is_decreasing(tail_e),
    }
