"""Stage q3_train@<model>: train one Q3 model (each of its seeds; together when q3.ensemble is true) on MNIST.

Usage: ``python -m stages.q3_train <model>`` with ``<model>`` a key of ``q3.models``.
"""

import sys
from pathlib import Path

from nnsvm.core import inputs, nested, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.nets import checkpoint, train
from nnsvm.q3 import ensemble, results
from nnsvm.q3.params import Q3Params

REPORTS = Path("reports/q3")


def main(name: str) -> None:
    p = load_section("q3", Q3Params)
    if name not in p.models:
        raise NnsvmError(f"unknown Q3 model {name!r}; pass one of {', '.join(p.models)}")
    spec = p.models[name]
    train.set_threads(p.threads)
    stage = f"q3_train@{name}"
    with tracking.stage_run(stage, params=declared_params(stage), params_digest=digest(spec)):
        device = train.resolve_device(p.device)
        data = mnist.load("data/mnist")
        inputs.use_data("mnist", "data/mnist", data.digest, data.source)
        tensors = train.mnist_tensors(data, p.max_train, device)
        seed_everything(p.seed)
        fits = ensemble.fit_seeds(spec, tensors, p.seeds_of(name), name, together=p.ensemble)
        for seed, fit in fits.items():  # one child run per seed: the UI's Group by (tag model) gives mean and range
            with nested.child_run(f"{name} seed {seed}", {"seed": seed}, {"model": name}):
                results.write_curves(REPORTS, name, seed, fit.history)
                for e in fit.history:
                    tracking.log_metrics({"train_loss": e.train_loss, "test_accuracy": e.test_accuracy}, step=e.epoch)
        nested.log_mean_curve([f.history for f in fits.values()], ["train_loss", "test_accuracy"])
        result = results.train_result(fits, spec.epochs, device.type, spec.report_epochs)
        checkpoint.save(f"models/q3/{name}.pt", spec, {s: f.model for s, f in fits.items()})
        write_json(REPORTS / "train" / f"{name}.json", result)
        tracking.log_metrics(
            {"final_test_accuracy": result["test_accuracy"], "train_seconds": results.train_seconds(fits)}
            | {f"summary.{k}": v for k, v in result["summary"].items()}
            | {f"epoch{e}.{k}": v for e, at in result["by_epoch"].items() for k, v in at["summary"].items()}
        )
        first = next(iter(fits.values()))
        nested.log_torch_model(first.model, name, tensors[2][:2].cpu().numpy())


if __name__ == "__main__":
    model = sys.argv[1] if len(sys.argv) > 1 else "?"
    run_stage(f"q3_train@{model}", lambda: main(model))
