"""Stage q4_svm: the hard-margin SVM on Q4-A's four points, seven ways, against the exact solution."""

import logging
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.data import toy
from nnsvm.measurement import measurement_metrics, write_measurements
from nnsvm.plotting import save_figure
from nnsvm.q4 import figures, hard_margin, measurements
from nnsvm.q4.params import Q4SvmParams

STAGE = "q4_svm"
DATA = Path("data/toy/four_points.npz")
OUT = Path("reports/q4")

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_section("q4.svm", Q4SvmParams)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        data = toy.load(DATA)
        inputs.use_data("four_points", DATA, toy.digest({"four_points": data}), "generated")
        methods, checks, fits = hard_margin.run(data.x, data.y, p)
        log.info(
            "%d methods on %s points; largest |b - 3.5| %.1e",
            len(methods),
            data.x.shape,
            max(e["b_err"] for e in checks["errors"].values()),
        )
        write_json(OUT / "svm.json", methods)
        write_json(OUT / "svm_checks.json", checks)
        figure = save_figure(figures.hard_margin(data.x, data.y, fits[0]), OUT / "svm.png")
        found = measurements.hard_margin(methods, checks, p, "q4/svm.png")
        write_measurements(OUT / "measurements_svm.json", stage=STAGE, measurements=found)
        tracking.log_claims(measurement_metrics(found), [figure])


if __name__ == "__main__":
    run_stage(STAGE, main)
