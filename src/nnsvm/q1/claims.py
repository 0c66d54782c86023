"""Q1: the answer's claims about its hand-designed networks, judged against what q1 measured."""

from __future__ import annotations

from nnsvm.claims import Claim

EXACT_TOL = 1e-12  # "equals T exactly": float64 rounding only


def claims(c: dict, d: dict, e: dict, figs: dict[str, str]) -> list[Claim]:
    err = d["fine"]["max_abs_err"]
    ok_e = e["tail_decreasing"] and e["tail_slope"] < -0.5
    return [
        Claim(
            "Q1-C",
            "Two step neurons (one per line) and an output neuron summing them with weight 1, bias 1 give the class "
            "index",
            "classifies the three clusters",
            f"accuracy {c['accuracy']:.2%} on {c['n_points']} points",
            "confirmed" if c["accuracy"] == 1.0 else "differs",
            f"lines n.x = t with n = [{c['normal'][0]:.3f}, {c['normal'][1]:.3f}] from the class means, t = "
            f"{c['thresholds'][0]:.3f}, {c['thresholds'][1]:.3f}; per class {c['per_class_accuracy']}",
            (figs["step_net"],),
            {"q1c.accuracy": c["accuracy"]},
        ),
        Claim(
            "Q1-D",
            "The five-ReLU network N1..N5 equals T(x) (3x below 1/3, 3/2 (1 - x) above)",
            "equals T exactly",
            f"max |net - T| = {err:.1e} over {d['fine']['points']} points",
            "confirmed" if err <= EXACT_TOL else "differs",
            "float64 torch module with the answer's weights; on the answer's own 100-point grid "
            f"{d['answer_grid']['max_abs_err']:.1e}",
            (figs["relu_net"],),
            {"q1d.max_abs_err": err, "q1d.answer_grid_max_abs_err": d["answer_grid"]["max_abs_err"]},
        ),
        Claim(
            "Q1-E",
            "A sum of square pulses, each from a pair of steep units, approximates any continuous function",
            "error -> 0 as pulses grow",
            f"sup error {e['sup_err'][0]:.3g} (n={e['pulses'][0]}) -> {e['sup_err'][-1]:.3g} (n={e['pulses'][-1]})",
            "confirmed" if ok_e else "differs",
            f"f = {e['formula']}; log-log slope {e['tail_slope']:.2f} for n >= {e['tail_pulses'][0]} (about -1: error "
            "~ max|f'| / 2n), "
            f"{e['loglog_slope']:.2f} over all n; strictly decreasing there: {e['tail_decreasing']}",
            (figs["pulses"], figs["pulses_fit"]),
            {"q1e.tail_slope": e["tail_slope"], "q1e.slope": e["loglog_slope"], "q1e.last_sup_err": e["sup_err"][-1]},
        ),
    ]
