"""Stage q4_maps: DB1, DB2, DB3 not separable as given, separable after the answer's feature maps."""

import logging
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.data import toy
from nnsvm.measurement import measurement_metrics, write_measurements
from nnsvm.plotting import save_figure
from nnsvm.q4 import figures, maps, measurements
from nnsvm.q4.params import Q4MapsParams

STAGE = "q4_maps"
DATA = Path("data/toy")
OUT = Path("reports/q4")

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_section("q4.maps", Q4MapsParams)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        sets = {name: toy.load(DATA / f"{name}.npz") for name in maps.DATA_SETS}
        inputs.use_data("+".join(sets), DATA, toy.digest(sets), "generated")
        report, mapped = maps.run(sets, p.solver)
        log.info("separable after the map: %s", {k: v["mapped"]["separable"] for k, v in report.items()})
        write_json(OUT / "feature_maps.json", report)
        figs = {
            name: save_figure(figures.mapped(name, sets[maps.DATA_OF[name]], m, report[name]), OUT / f"map_{name}.png")
            for name, m in mapped.items()
        }
        found = measurements.maps(report, {k: f"q4/{v.name}" for k, v in figs.items()})
        write_measurements(OUT / "measurements_maps.json", stage=STAGE, measurements=found)
        tracking.log_claims(measurement_metrics(found), figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
