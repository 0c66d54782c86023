"""Stage q6_report: reports/q6/metrics.json, the best-per-kernel table and the seed's Q6 claims."""

from pathlib import Path

from nnsvm import tracking
from nnsvm.claims import claim_metrics, write_claims
from nnsvm.cli import run_stage
from nnsvm.io import atomic_path, read_json, write_json
from nnsvm.q6.report import KERNELS, best_table, claims, headline, protocol_metrics

OUT = Path("reports/q6")
PROTOCOLS = ("published", "improved")


def main() -> None:
    grids = {k: read_json(OUT / "grid" / f"{k}.json") for k in KERNELS}
    finals = {p: read_json(OUT / "final" / f"{p}.json") for p in PROTOCOLS}
    metrics = {p: protocol_metrics({k: g[p] for k, g in grids.items()}, finals[p]) for p in PROTOCOLS}
    write_json(OUT / "metrics.json", metrics)
    with atomic_path(OUT / "best_per_kernel.csv") as tmp:
        tmp.write_text(best_table(metrics))
    figures = {f"grid_{k}": f"q6/grid/{k}_published.png" for k in KERNELS}
    figures |= {f"{n}_{p}": f"q6/final/{p}_{n}.png" for p in PROTOCOLS for n in ("confusion", "digits", "one_digit")}
    pub = finals["published"]
    checked = claims(metrics, pub, grids["rbf"]["published"]["grid_size"], figures)

    with tracking.stage_run("q6_report", params={}, params_digest="-", data_digest="-", data_source="reports/q6") as run_id:
        write_claims(OUT / "claims.json", stage="q6_report", run_id=run_id, claims=checked, headline=headline(metrics))
        tracking.log_metrics(claim_metrics(checked))
        for path in sorted(set(figures.values())):
            tracking.log_artifact(Path("reports") / path, "figures")
        tracking.log_artifact(OUT / "metrics.json")


if __name__ == "__main__":
    run_stage("q6_report", main)
