"""Stage q6_report: reports/q6/metrics.json, the best-per-kernel table and the Q6 measurements for the claims."""

from pathlib import Path

from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, load_section
from nnsvm.core.io import atomic_path, read_json, write_json
from nnsvm.data import mnist
from nnsvm.measurement import DataLabel, figures_of, measurement_metrics, write_measurements
from nnsvm.q6 import measurements, results
from nnsvm.q6.params import PROTOCOLS, Q6Params

STAGE = "q6_report"
OUT = Path("reports/q6")


def main() -> None:
    q6 = load_section("q6", Q6Params)
    with tracking.stage_run(STAGE, params=declared_params(STAGE)):
        manifest = mnist.load_manifest(Path("data/mnist"))  # which MNIST the trained models saw
        label = DataLabel.of_manifest(manifest, mnist.data_digest(manifest))
        grids = {k: read_json(OUT / "grid" / f"{k}.json") for k in q6.kernels}
        finals = {p: read_json(OUT / "final" / f"{p}.json") for p in PROTOCOLS}
        diagnoses = {p: read_json(OUT / "final" / f"{p}_zero_as_six.json") for p in PROTOCOLS}
        metrics = {p: results.protocol_metrics({k: g[p] for k, g in grids.items()}, finals[p]) for p in PROTOCOLS}
        write_json(OUT / "metrics.json", metrics)
        with atomic_path(OUT / "best_per_kernel.csv") as tmp:
            results.best_table(metrics).to_csv(tmp, index=False, float_format="%.6g")
        answer_model = q6.published.answer_model
        found = measurements.measurements(
            metrics,
            grids,
            finals,
            answer_model.model_dump() if answer_model else None,
            measurements.figure_paths(q6.kernels),
            diagnoses,
        )
        write_measurements(OUT / "measurements.json", stage=STAGE, measurements=found, data=label)
        tracking.log_claims(measurement_metrics(found), [OUT.parent / f for f in figures_of(found)])
        tracking.log_artifact(OUT / "metrics.json")


if __name__ == "__main__":
    run_stage(STAGE, main)
