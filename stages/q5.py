"""Stage q5: the kernel identities of Q5 on random data, and the RBF mean norm by random features."""

import logging
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.measurement import measurement_metrics, write_measurements
from nnsvm.plotting import save_figure
from nnsvm.q5 import figures, measure, measurements
from nnsvm.q5.params import Q5Params

STAGE = "q5"
OUT = Path("reports/q5")

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_section("q5", Q5Params)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        rng = seed_everything(p.seed)
        x = measure.sample(p, rng)
        inputs.tag_data(f"normal-seed{p.seed}-{p.n_points}x{p.dim}", "generated")
        result = measure.run(x, p, rng)
        log.info(
            "%s points: largest Cauchy-Schwarz ratio %.15f",
            x.shape,
            max(r["cs_max_ratio"] for r in result["kernels"].values()),
        )
        write_json(OUT / "kernels.json", result)
        figs = {name: save_figure(fig, OUT / f"{name}.png") for name, fig in figures.figures(result).items()}
        found = measurements.measurements(result, p, "q5/rff.png")
        write_measurements(OUT / "measurements.json", stage=STAGE, measurements=found)
        tracking.log_claims(measurement_metrics(found), figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
