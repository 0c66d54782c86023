"""Stage q4_svm: the hard-margin SVM on Q4-A's four points, seven ways, against the exact answer."""

import logging
from pathlib import Path

from nnsvm import tracking
from nnsvm.claims import write_claims
from nnsvm.cli import run_stage
from nnsvm.data import toy
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.questions import q4_svm
from nnsvm.seeding import seed_everything

DATA = Path("data/toy/four_points.npz")
OUT = Path("reports/q4")
STAGE = "q4_svm"

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_params().q4.svm
    seed_everything(0)  # nothing random here; set for form
    data = toy.load(DATA)
    methods, checks, fits = q4_svm.run(data.x, data.y, p)
    write_json(OUT / "svm.json", methods)
    log.info("%d methods on %s points; largest |b - 3.5| %.1e", len(methods), data.x.shape,
             max(e["b_err"] for e in checks["errors"].values()))
    write_json(OUT / "svm_checks.json", checks)
    figure = save_figure(q4_svm.figure(data.x, data.y, fits[0]), OUT / "svm.png")

    with tracking.stage_run(
        STAGE, params={"q4.svm": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=toy.digest({"four_points": data}), data_source="generated",
    ) as run_id:
        claims, headline = q4_svm.claims(methods, checks, p, "q4/svm.png")
        write_claims(OUT / "claims_svm.json", stage=STAGE, run_id=run_id, claims=claims, headline=headline)
        tracking.log_claims(claims, [figure])


if __name__ == "__main__":
    run_stage(STAGE, main)
