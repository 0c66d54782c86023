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


def relu_net(p: Q1Params) -> dict:
    net = networks.AnswerReluNet()
    out = {}
    for name, n in (("fine", p.relu_grid_points), ("answer_grid", ANSWER_GRID)):
        grid = np.linspace(0.0, 1.0, n)
        out[name] = {
            "points": n,
            "max_abs_err": float(np.max(np.abs(networks.evaluate(net, grid) - networks.tent(grid)))),
        }
    return out | {"neurons": 5}


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
