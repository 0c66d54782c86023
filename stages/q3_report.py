"""Stage q3_report: reports/q3/metrics.json, the training curves and the answer's Q3 claims."""

from pathlib import Path

from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, load_section
from nnsvm.core.io import read_json, write_json
from nnsvm.data import mnist
from nnsvm.measurement import DataLabel, figures_of, measurement_metrics, write_measurements
from nnsvm.plotting import save_figure
from nnsvm.q3 import figures, measurements, results
from nnsvm.q3.params import Q3Params

STAGE = "q3_report"
REPORTS = Path("reports/q3")


def main() -> None:
    p = load_section("q3", Q3Params)
    with tracking.stage_run(STAGE, params=declared_params(STAGE)):
        manifest = mnist.load_manifest(Path("data/mnist"))  # which MNIST the trained models saw
        label = DataLabel.of_manifest(manifest, mnist.data_digest(manifest))
        trained = {name: read_json(REPORTS / "train" / f"{name}.json") for name in p.models}
        inframe = read_json(REPORTS / "shift_inframe_by_distance.json")
        shown = read_json(REPORTS / "demo.json")
        write_json(REPORTS / "metrics.json", results.metrics(trained))
        save_figure(figures.training_curves(trained), REPORTS / "training.png")
        found = (
            measurements.accuracies(trained)
            | measurements.demo(shown)
            | measurements.invariance(inframe, p.models, p.shift.max_shift)
        )
        write_measurements(REPORTS / "measurements.json", stage=STAGE, measurements=found, data=label)
        tracking.log_claims(measurement_metrics(found), [REPORTS.parent / f for f in figures_of(found)])


if __name__ == "__main__":
    run_stage(STAGE, main)
