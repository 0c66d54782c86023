"""Stage q1_gradients: Q1-B measured, vanishing gradients of sigmoid vs ReLU, and the original LeNet's two changes."""

import logging
from pathlib import Path

import torch

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import read_json, write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.measurement import DataLabel, measurement_metrics, write_measurements
from nnsvm.nets import train
from nnsvm.nets.params import ModelParams, load_training
from nnsvm.plotting import save_figure
from nnsvm.q1 import figures_gradients, gradients, measurements_gradients
from nnsvm.q1.params import GradientsParams

STAGE = "q1_gradients"
ORIGINAL = "lenet_published"
RECORDED = Path(f"reports/q3/train/{ORIGINAL}.json")  # q3_train@lenet_published's curve per seed
OUT = Path("reports/q1")

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p, q3 = load_section("q1.gradients", GradientsParams), load_training()
    original = load_section(f"q3.models.{ORIGINAL}", ModelParams)
    train.set_threads(q3.threads)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p, original)):
        device = train.resolve_device(q3.device)
        data = mnist.load("data/mnist")
        label = DataLabel(source=data.source, train=len(data.y_train), test=len(data.y_test), digest=data.digest)
        inputs.use_data("mnist", "data/mnist", data.digest, data.source)
        tensors = train.mnist_tensors(data, q3.max_train, device)
        seed_everything(p.seed)
        deep = gradients.measure_deep(tensors, p)
        seed_everything(q3.seed)
        recorded = read_json(RECORDED)["history"][str(q3.seed)]
        lenet = gradients.measure_lenet(original, recorded, tensors, q3.seed, p)
        result = {"deep": deep, "lenet": lenet, "device": device.type, "threads": torch.get_num_threads()}
        write_json(OUT / "gradients.json", result)
        figs = {name: save_figure(fig, OUT / f"{name}.png") for name, fig in figures_gradients.figures(result).items()}
        found = measurements_gradients.measurements(result, {k: f"q1/{v.name}" for k, v in figs.items()})
        write_measurements(OUT / "measurements_gradients.json", stage=STAGE, measurements=found, data=label)
        tracking.log_claims(measurement_metrics(found), figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
