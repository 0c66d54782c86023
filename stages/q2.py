"""Stage q2: backprop of the 2-2-3-2 network three ways, the seed's equations, SGD and Newton."""

import logging
from pathlib import Path

from nnsvm import tracking
from nnsvm.claims import write_claims
from nnsvm.cli import run_stage
from nnsvm.data import toy
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.questions import q2
from nnsvm.seeding import seed_everything

DATA = Path("data/toy/clusters.npz")
OUT = Path("reports/q2")
STAGE = "q2"

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_params().q2
    rng = seed_everything(p.seed)
    data = toy.load(DATA)
    b, o = q2.run_backprop(p, rng), q2.run_optim(data, p.optim, rng)
    write_json(OUT / "backprop.json", b)
    log.info("gradient agreement %s; f* = %.6f", b["max_abs_diff"], o["f_star"])
    write_json(OUT / "optim.json", o)
    figure = save_figure(q2.figure(o), OUT / "optimisers.png")

    with tracking.stage_run(
        STAGE, params={"q2": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=toy.digest({"clusters": data}), data_source="generated",
    ) as run_id:
        claims = q2.claims(b, o, p, "q2/optimisers.png")
        write_claims(OUT / "claims.json", stage=STAGE, run_id=run_id, claims=claims)
        tracking.log_claims(claims, [figure])
        for name, history in o["histories"].items():
            for step, value in enumerate(history):
                if value is not None:
                    tracking.log_metrics({f"q2.optim.loss.{name.split(' (')[0].replace(' ', '_')}": value}, step=step)


if __name__ == "__main__":
    run_stage(STAGE, main)
