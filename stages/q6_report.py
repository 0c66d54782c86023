"""Stage q6_report: reports/q6/metrics.json, the best-per-kernel table and the answer's Q6 claims."""

from pathlib import Path

from nnsvm.claims import cited_figures, claim_metrics, write_claims
from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import load_section
from nnsvm.core.io import atomic_path, read_json, write_json
from nnsvm.q6 import claims, results
from nnsvm.q6.params import PROTOCOLS, Q6Params

STAGE = "q6_report"
OUT = Path("reports/q6")


def main() -> None:
    q6 = load_section("q6", Q6Params)
    with tracking.stage_run(STAGE) as run_id:
        grids = {k: read_json(OUT / "grid" / f"{k}.json") for k in q6.kernels}
        finals = {p: read_json(OUT / "final" / f"{p}.json") for p in PROTOCOLS}
        metrics = {p: results.protocol_metrics({k: g[p] for k, g in grids.items()}, finals[p]) for p in PROTOCOLS}
        write_json(OUT / "metrics.json", metrics)
        with atomic_path(OUT / "best_per_kernel.csv") as tmp:
            results.best_table(metrics).to_csv(tmp, index=False, float_format="%.6g")
        figures = claims.figure_paths(q6.kernels)
        checked = claims.claims(metrics, finals["published"], grids["rbf"]["published"]["grid_size"], figures)
        write_claims(OUT / "claims.json", stage=STAGE, run_id=run_id, claims=checked, headline=claims.headline(metrics))
        tracking.log_claims(claim_metrics(checked), cited_figures(checked, OUT.parent))
        tracking.log_artifact(OUT / "metrics.json")


if __name__ == "__main__":
    run_stage(STAGE, main)
