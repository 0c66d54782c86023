"""Stage q1: the seed's step-neuron, five-ReLU and square-pulse networks, checked."""

import logging
from pathlib import Path

from nnsvm import tracking
from nnsvm.claims import write_claims
from nnsvm.cli import run_stage
from nnsvm.data import toy
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.questions import q1
from nnsvm.seeding import seed_everything

DATA = Path("data/toy/clusters.npz")
OUT = Path("reports/q1")
STAGE = "q1"

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_params().q1
    seed_everything(0)  # nothing random here; set for form
    data = toy.load(DATA)
    c, net = q1.step_net(data)
    d, e = q1.relu_net(p), q1.pulses(p)
    log.info("step net accuracy %.4f; ReLU net max error %.1e; pulse errors %s", c["accuracy"], d["fine"]["max_abs_err"],
             [f"{v:.3g}" for v in e["sup_err"]])
    for name, result in (("step_net", c), ("relu_net", d), ("pulses", e)):
        write_json(OUT / f"{name}.json", result)
    figs = {name: save_figure(fig, OUT / f"{name}.png") for name, fig in q1.figures(data, net, c, e, p).items()}

    with tracking.stage_run(
        STAGE, params={"q1": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=toy.digest({"clusters": data}), data_source="generated",
    ) as run_id:
        claims = q1.claims(c, d, e, {k: f"q1/{v.name}" for k, v in figs.items()})
        write_claims(OUT / "claims.json", stage=STAGE, run_id=run_id, claims=claims)
        tracking.log_claims(claims, figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
