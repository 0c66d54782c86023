"""Stage q2: backprop of the 2-2-3-2 network three ways, the answer's equations, SGD and Newton."""

import logging
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import toy
from nnsvm.measurement import measurement_metrics, write_measurements
from nnsvm.plotting import save_figure
from nnsvm.q2 import figures, measure, measurements
from nnsvm.q2.params import Q2Params

STAGE = "q2"
DATA = Path("data/toy/clusters.npz")
OUT = Path("reports/q2")

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_section("q2", Q2Params)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        rng = seed_everything(p.seed)
        data = toy.load(DATA)
        inputs.use_data("clusters", DATA, toy.digest({"clusters": data}), "generated")
        grads, optim = measure.run_backprop(p, rng), measure.run_optim(data, p.optim, rng)
        log.info("gradient agreement %s; f* = %.6f", grads["max_abs_diff"], optim["f_star"])
        write_json(OUT / "backprop.json", grads)
        write_json(OUT / "optim.json", optim)
        figure = save_figure(figures.figure(optim), OUT / "optimisers.png")
        found = measurements.measurements(grads, optim, p, "q2/optimisers.png")
        write_measurements(OUT / "measurements.json", stage=STAGE, measurements=found)
        tracking.log_claims(measurement_metrics(found), [figure])
        for step, losses in enumerate(measure.loss_curves(optim)):
            tracking.log_metrics(losses, step=step)


if __name__ == "__main__":
    run_stage(STAGE, main)
