"""Stage q3_rotate: every trained Q3 model on the test set rotated every q3.rotate.step degrees (Q3-A's "angle").

Writes the accuracy and consistency of each model at each angle (rotate.json), the figures, and the
measurements the claims are judged by (measurements_rotate.json). Each model is its first seed.
"""

from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.measurement import DataLabel, figures_of, measurement_metrics, write_measurements
from nnsvm.nets import train
from nnsvm.plotting import save_figure
from nnsvm.q3 import rotate, rotate_figures, rotate_measurements, shift
from nnsvm.q3.params import Q3Params

STAGE = "q3_rotate"
REPORTS, FIGURES = Path("reports/q3"), Path("reports/q3/rotate")


def main() -> None:
    p = load_section("q3", Q3Params)
    train.set_threads(p.threads)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p.rotate, p.shift)):
        seed_everything(p.seed)
        turns = rotate.angles(p.rotate.max_angle, p.rotate.step)
        device = train.resolve_device(p.device)
        data = mnist.load("data/mnist")
        label = DataLabel(source=data.source, train=len(data.y_train), test=len(data.y_test), digest=data.digest)
        inputs.use_data("mnist", "data/mnist", data.digest, data.source, "evaluation")
        n = p.shift.max_test or len(data.y_test)
        x, y = train.to_tensors(data.x_test[:n], data.y_test[:n], device)
        nets = rotate.first_seeds(p.models, Path("models/q3"), device)
        found = rotate.sweep(nets, x, y, turns, p.shift.batch_size)
        write_json(REPORTS / "rotate.json", found.table())
        index = shift.first_of_each_class(y)
        shown = {name: nets[name] for name in ("lenet", "mlp", "lenet_published", "mlp_published")}
        images, said = rotate.examples(shown, x[index], rotate.shown_angles(turns))
        seeds = {name: p.seeds_of(name) for name in p.models}
        save_figure(rotate_figures.curves(found, p.models, seeds), FIGURES / "rotation.png")
        figure = rotate_figures.examples(images, said, y[index].tolist(), index, seeds)
        save_figure(figure, FIGURES / "rotation_examples.png")
        for step, metrics in found.steps():  # step = angle + max_angle (MLflow steps are >= 0)
            tracking.log_metrics(metrics, step=step)
        measured = rotate_measurements.rotation(found, p.models)
        write_measurements(REPORTS / "measurements_rotate.json", stage=STAGE, measurements=measured, data=label)
        tracking.log_claims(measurement_metrics(measured), [REPORTS.parent / f for f in figures_of(measured)])


if __name__ == "__main__":
    run_stage(STAGE, main)
