"""Stage q1: the answer's step-neuron, five-ReLU and square-pulse networks, measured."""

import logging
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.data import toy
from nnsvm.measurement import measurement_metrics, write_measurements
from nnsvm.plotting import save_figure
from nnsvm.q1 import figures, measure, measurements
from nnsvm.q1.params import Q1Params

STAGE = "q1"
DATA = Path("data/toy/clusters.npz")
OUT = Path("reports/q1")

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_section("q1", Q1Params)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        data = toy.load(DATA)
        inputs.use_data("clusters", DATA, toy.digest({"clusters": data}), "generated")
        (step, net), relu, pulses = measure.step_net(data), measure.relu_net(p), measure.pulses(p)
        log.info("step net accuracy %.4f; ReLU net max error %.1e", step["accuracy"], relu["fine"]["max_abs_err"])
        for name, result in (("step_net", step), ("relu_net", relu), ("pulses", pulses)):
            write_json(OUT / f"{name}.json", result)
        figs = {
            name: save_figure(fig, OUT / f"{name}.png")
            for name, fig in figures.figures(data, net, step, pulses, p).items()
        }
        found = measurements.measurements(step, relu, pulses, {k: f"q1/{v.name}" for k, v in figs.items()})
        write_measurements(OUT / "measurements.json", stage=STAGE, measurements=found)
        tracking.log_claims(measurement_metrics(found), figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
