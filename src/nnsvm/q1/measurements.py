"""Q1 measurements for the report: the answer's hand-designed networks, as q1 measured them.

Each value is answer-independent (claims/answer.yaml says what the answer states
of it); the interval beside a value is the measurement's own tolerance.
"""

from __future__ import annotations

from nnsvm.measurement import Measurement, around, measure
from nnsvm.q1.measure import FLOAT_TOL


def measurements(c: dict, d: dict, e: dict, figs: dict[str, str]) -> dict[str, Measurement]:
    err = d["fine"]["max_abs_err"]
    return {
        "q1c.accuracy": measure(
            c["accuracy"],
            "pct",
            text=f"{c['accuracy']:.2%} of {c['n_points']} points",
            note=f"two step neurons on the lines n.x = t with n = [{c['normal'][0]:.3f}, {c['normal'][1]:.3f}] "
            f"from the class means, t = {c['thresholds'][0]:.3f}, {c['thresholds'][1]:.3f}; output = sum + 1; "
            f"per class {c['per_class_accuracy']}",
            figures=(figs["step_net"],),
        ),
        "q1d.max_abs_err": around(
            err,
            FLOAT_TOL,
            "e",
            "float64 rounding",
            text=f"max |net - T| = {err:.1e} over {d['fine']['points']} points",
            note="float64 torch module with the answer's weights; on the answer's own 100-point grid "
            f"{d['answer_grid']['max_abs_err']:.1e}",
            figures=(figs["relu_net"],),
        ),
        "q1d.hidden_layers_needed": _smallest(d["smallest"], figs["relu_net"]),
        "q1e.tail_slope": measure(
            e["tail_slope"],
            text=f"log-log slope {e['tail_slope']:.2f} for n >= {e['tail_pulses'][0]}; sup error "
            f"{e['sup_err'][0]:.3g} (n={e['pulses'][0]}) -> {e['sup_err'][-1]:.3g} (n={e['pulses'][-1]})",
            note=f"f = {e['formula']}; a slope near -1 is the rate error ~ max|f'| / 2n; "
            f"{e['loglog_slope']:.2f} over all n; strictly decreasing for n >= {e['tail_pulses'][0]}: "
            f"{e['tail_decreasing']}",
            figures=(figs["pulses"], figs["pulses_fit"]),
        ),
    }


def _smallest(s: dict, fig: str) -> Measurement:
    """The fewest hidden layers of a ReLU network equal to T to float precision, from the candidates q1 measured."""
    rows = "; ".join(f"{k}: max error {v['max_abs_err']:.2g}" for k, v in s["candidates"].items())
    if s["hidden_layers"] is None:
        return measure(None, missing=f"no candidate network equals T to {s['tol']:g}: {rows}")
    return measure(
        s["hidden_layers"],
        "int",
        text=f"{s['hidden_layers']} hidden layer of {s['units']} ReLUs: T(x) = 3 ReLU(x) - 4.5 ReLU(x - 1/3)",
        note=f"over the fine grid of [0, 1], {rows} (that one on a 1,001-point grid, whose point nearest 1/3 has "
        "T = 0.999). One ReLU is monotone and T rises to 1 and falls back to 0, so one unit cannot get below 1/2 on "
        "[0, 1]",
        figures=(fig,),
    )
