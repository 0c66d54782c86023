"""Q1: the seed's networks for C (step neurons), D (five ReLUs) and E (square pulses)."""

from __future__ import annotations

import numpy as np

from nnsvm import kernels, networks, qplots
from nnsvm.claims import Claim
from nnsvm.data.toy import ToySet
from nnsvm.params import Q1Params

SEED_GRID = 100  # the seed plotted its ReLU net on np.linspace(0, 1, 100)
EXACT_TOL = 1e-12  # "equals T exactly": float64 rounding only


def step_net(data: ToySet) -> tuple[dict, networks.StepNet]:
    normal, thresholds = networks.lines_from_clusters(data.x, data.y)
    net = networks.StepNet(normal, thresholds)
    pred = networks.predict_classes(net, data.x)
    per_class = {int(c): float(np.mean(pred[data.y == c] == c)) for c in (1, 2, 3)}
    return {"normal": normal.tolist(), "thresholds": list(thresholds), "n_points": len(data.y),
            "accuracy": float(np.mean(pred == data.y)), "per_class_accuracy": per_class,
            "hidden_neurons": 2, "output_weight": 1.0, "output_bias": 1.0}, net


def relu_net(p: Q1Params) -> dict:
    net = networks.SeedReluNet()
    out = {}
    for name, n in (("fine", p.relu_grid_points), ("seed", SEED_GRID)):
        grid = np.linspace(0.0, 1.0, n)
        out[name] = {"points": n, "max_abs_err": float(np.max(np.abs(networks.evaluate(net, grid) - networks.tent(grid))))}
    return out | {"neurons": 5}


def pulses(p: Q1Params) -> dict:
    grid = np.linspace(0.0, 1.0, p.eval_points)
    errors = networks.pulse_errors(networks.TARGETS[p.target], p.pulses, p.steepness, grid)
    tail_n, tail_e = networks.tail(list(p.pulses)), networks.tail(errors)
    return {"target": p.target, "formula": networks.TARGET_FORMULAS[p.target], "pulses": list(p.pulses),
            "hidden_units": [networks.hidden_units(n) for n in p.pulses], "sup_err": errors,
            "loglog_slope": kernels.loglog_slope(p.pulses, errors), "tail_pulses": tail_n,
            "tail_slope": kernels.loglog_slope(tail_n, tail_e), "tail_decreasing": networks.is_decreasing(tail_e)}


def figures(data: ToySet, net: networks.StepNet, c: dict, e: dict, p: Q1Params) -> dict[str, object]:
    lo, hi = data.x.min() - 0.5, data.x.max() + 0.5
    gx, gy = np.meshgrid(np.linspace(lo, hi, p.region_grid_points), np.linspace(lo, hi, p.region_grid_points))
    classes = networks.predict_classes(net, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    grid = np.linspace(0, 1, 2001)
    f = networks.TARGETS[p.target]
    shown = [n for n in p.pulses if n in (4, 16, 64)] or list(p.pulses[:2])
    approx = {f"{n} pulses": networks.evaluate(networks.PulseNet(f, n, p.steepness), grid) for n in shown}
    return {
        "step_net": qplots.decision_regions(data.x, data.y, (gx, gy, classes), f"Q1-C: two step neurons, accuracy {c['accuracy']:.1%}"),
        "relu_net": qplots.curves(grid, {"T(x)": networks.tent(grid), "seed's ReLU net N5(x)": networks.evaluate(networks.SeedReluNet(), grid)},
                                  "Q1-D: the seed's five-ReLU network vs T"),
        "pulses": qplots.loglog({f"sup |net - f|, f = {e['formula']}": (e["pulses"], e["sup_err"])},
                                "Q1-E: square-pulse approximation error", "pulses n (2n hidden sigmoids)", "sup-norm error", -1.0),
        "pulses_fit": qplots.curves(grid, {"f(x)": f(grid)} | approx, f"Q1-E: f(x) = {e['formula']} by square pulses"),
    }


def claims(c: dict, d: dict, e: dict, figs: dict[str, str]) -> list[Claim]:
    err = d["fine"]["max_abs_err"]
    ok_e = e["tail_decreasing"] and e["tail_slope"] < -0.5
    return [
        Claim("Q1-C", "Two step neurons (one per line) and an output neuron summing them with weight 1, bias 1 give the class index",
              "classifies the three clusters", f"accuracy {c['accuracy']:.2%} on {c['n_points']} points",
              "confirmed" if c["accuracy"] == 1.0 else "differs",
              f"lines n.x = t with n = [{c['normal'][0]:.3f}, {c['normal'][1]:.3f}] from the class means, t = "
              f"{c['thresholds'][0]:.3f}, {c['thresholds'][1]:.3f}; per class {c['per_class_accuracy']}", (figs["step_net"],),
              {"q1c.accuracy": c["accuracy"]}),
        Claim("Q1-D", "The five-ReLU network N1..N5 equals T(x) (3x below 1/3, 3/2 (1 - x) above)",
              "equals T exactly", f"max |net - T| = {err:.1e} over {d['fine']['points']} points",
              "confirmed" if err <= EXACT_TOL else "differs",
              f"float64 torch module with the seed's weights; on the seed's own 100-point grid {d['seed']['max_abs_err']:.1e}",
              (figs["relu_net"],), {"q1d.max_abs_err": err, "q1d.seed_grid_max_abs_err": d["seed"]["max_abs_err"]}),
        Claim("Q1-E", "A sum of square pulses, each from a pair of steep units, approximates any continuous function",
              "error -> 0 as pulses grow", f"sup error {e['sup_err'][0]:.3g} (n={e['pulses'][0]}) -> {e['sup_err'][-1]:.3g} (n={e['pulses'][-1]})",
              "confirmed" if ok_e else "differs",
              f"f = {e['formula']}; log-log slope {e['tail_slope']:.2f} for n >= {e['tail_pulses'][0]} (about -1: error ~ max|f'| / 2n), "
              f"{e['loglog_slope']:.2f} over all n; strictly decreasing there: {e['tail_decreasing']}", (figs["pulses"], figs["pulses_fit"]),
              {"q1e.tail_slope": e["tail_slope"], "q1e.slope": e["loglog_slope"], "q1e.last_sup_err": e["sup_err"][-1]}),
    ]
