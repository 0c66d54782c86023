"""Stage q1_activations: Q1-A measured, depth without a non-linearity (one linear map) and ReLU's zeros."""

import logging
from pathlib import Path

import torch

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.measurement import DataLabel, measurement_metrics, write_measurements
from nnsvm.nets import train
from nnsvm.nets.params import load_training
from nnsvm.plotting import save_figure
from nnsvm.q1 import figures_activations, linear, measurements_activations, sparsity
from nnsvm.q1.params import Q1Params

STAGE = "q1_activations"
MODELS = Path("models/q3")
OUT = Path("reports/q1")
TIMING = Path("reports/timing")  # wall times: not DVC outputs (they differ on every run), committed to git

log = logging.getLogger(f"nnsvm.{STAGE}")


def main() -> None:
    p, q3 = load_section("q1", Q1Params), load_training()
    train.set_threads(q3.threads)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p.linear, p.sparsity)):
        data = mnist.load("data/mnist")
        label = DataLabel(source=data.source, train=len(data.y_train), test=len(data.y_test), digest=data.digest)
        inputs.use_data("mnist", "data/mnist", data.digest, data.source)
        tensors = train.mnist_tensors(data, q3.max_train, torch.device("cpu"))  # CPU: the timings are the CPU's
        seed_everything(p.linear.seed)
        lin, ring_models, rings = linear.measure(p.linear, tensors)
        models = sparsity.relu_models(p.sparsity.models, MODELS)
        sparse, timings = sparsity.measure(
            models, tensors[2][: p.sparsity.max_test or None], p.sparsity.batch_size, p.sparsity.repeats
        )
        log.info(
            "MNIST accuracy %s; ReLU zero shares %s",
            lin["mnist"]["accuracy"],
            {k: round(v["zero_share"], 4) for k, v in sparse["zeros"].items()},
        )
        write_json(OUT / "linear.json", lin)
        write_json(OUT / "sparsity.json", sparse)
        write_json(TIMING / "q1_speed.json", timings)
        figs = {
            name: save_figure(fig, OUT / f"{name}.png")
            for name, fig in figures_activations.figures(rings, ring_models, lin, sparse).items()
        }
        figs["speed"] = save_figure(figures_activations.speed_figure(timings), TIMING / "q1_speed.png")
        shown = {k: str(v.relative_to("reports")) for k, v in figs.items()}
        found = measurements_activations.measurements(lin, sparse, timings, shown)
        write_measurements(OUT / "measurements_activations.json", stage=STAGE, measurements=found, data=label)
        speed = timings["speed"]["all"]
        metrics = {f"q1a.relu.sparse_speedup.{k}": speed[k] for k in ("mean", "low", "high")}
        tracking.log_claims(measurement_metrics(found) | metrics, figs.values())


if __name__ == "__main__":
    run_stage(STAGE, main)
