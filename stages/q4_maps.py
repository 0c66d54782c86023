"""Stage q4_maps: DB1, DB2, DB3 not separable as given, separable after the seed's feature maps."""

import logging
from pathlib import Path

from nnsvm import tracking
from nnsvm.claims import write_claims
from nnsvm.cli import run_stage
from nnsvm.data import toy
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.questions import q4_maps
from nnsvm.seeding import seed_everything

DATA = Path("data/toy")
OUT = Path("reports/q4")
STAGE = "q4_maps"

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_params().q4.maps
    seed_everything(0)  # nothing random here; set for form
    sets = {name: toy.load(DATA / f"{name}.npz") for name in ("db1", "db2", "db3")}
    report, mapped = q4_maps.run(sets, p.solver)
    write_json(OUT / "feature_maps.json", report)
    log.info("separable after the map: %s", {k: v["mapped"]["separable"] for k, v in report.items()})
    figs = {}
    for name, m in mapped.items():
        fig = q4_maps.figure(name, sets[q4_maps.DATA_OF[name]], m, report[name])
        figs[name] = save_figure(fig, OUT / f"map_{name}.png")

    with tracking.stage_run(
        STAGE, params={"q4.maps": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=toy.digest(sets), data_source="generated",
    ) as run_id:
        claims = q4_maps.claims(report, {k: f"q4/{v.name}" for k, v in figs.items()})
        write_claims(OUT / "claims_maps.json", stage=STAGE, run_id=run_id, claims=claims)
        tracking.log_claims(claims, figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
