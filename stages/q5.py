"""Stage q5: the kernel identities of Q5 on random data, and the RBF mean norm by random features."""

import logging
from pathlib import Path

from nnsvm import tracking
from nnsvm.claims import write_claims
from nnsvm.cli import run_stage
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.questions import q5
from nnsvm.seeding import seed_everything

OUT = Path("reports/q5")
STAGE = "q5"

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p = load_params().q5
    rng = seed_everything(p.seed)
    x = q5.sample(p, rng)
    result = q5.run(x, p, rng)
    write_json(OUT / "kernels.json", result)
    log.info("%s points: largest Cauchy-Schwarz ratio %.15f", x.shape, max(r["cs_max_ratio"] for r in result["kernels"].values()))
    figs = {name: save_figure(fig, OUT / f"{name}.png") for name, fig in q5.figures(result).items()}

    with tracking.stage_run(
        STAGE, params={"q5": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=f"normal-seed{p.seed}-{p.n_points}x{p.dim}", data_source="generated",
    ) as run_id:
        claims = q5.claims(result, p, "q5/rff.png")
        write_claims(OUT / "claims.json", stage=STAGE, run_id=run_id, claims=claims)
        tracking.log_claims(claims, figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
