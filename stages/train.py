"""Stage train@<model>: train one Q3 model (each of its seeds) on MNIST and record it.

Usage: ``python -m stages.train <model>`` with ``<model>`` a key of ``q3.models``.
"""

import sys
from pathlib import Path

import torch

from nnsvm import tracking
from nnsvm.cli import run_stage
from nnsvm.data import mnist
from nnsvm.errors import NnsvmError
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.q3 import train
from nnsvm.seeding import seed_everything

REPORTS = Path("reports/q3")


def write_history(name: str, seed: int, history: list[train.Epoch]) -> None:
    for column in ("train_loss", "test_accuracy"):
        path = REPORTS / column / name / f"seed{seed}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("epoch," + column + "\n" + "".join(f"{e.epoch},{getattr(e, column):.6f}\n" for e in history))


def main() -> None:
    params = load_params()
    p, name = params.q3, sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in p.models:
        raise NnsvmError(f"unknown Q3 model {name!r}; pass one of {', '.join(p.models)}")
    spec = p.models[name]
    if p.threads:
        torch.set_num_threads(p.threads)
    device = train.resolve_device(p.device)
    data = mnist.load("data/mnist")
    n = p.max_train or len(data.y_train)
    tensors = (*train.to_tensors(data.x_train[:n], data.y_train[:n], device), *train.to_tensors(data.x_test, data.y_test, device))
    seeds = [params.seed + i for i in range(spec.seeds)]
    stage = f"train@{name}"
    keys = {"seed": params.seed, "q3.device": p.device, "q3.threads": p.threads, "q3.max_train": p.max_train, f"q3.models.{name}": spec.model_dump(mode="json")}
    with tracking.stage_run(stage, params=keys, params_digest=digest(spec), data_digest=data.digest, data_source=data.source):
        tracking.log_dataset("mnist", source=Path("data/mnist").resolve().as_uri(), digest=data.digest, context="training")
        fits = {}
        for seed in seeds:
            seed_everything(seed)
            fits[seed] = train.fit(spec, tensors, torch.Generator().manual_seed(seed), name=f"{name} seed {seed}")
            write_history(name, seed, fits[seed].history)
            prefix = f"seed{seed}." if len(seeds) > 1 else ""
            for e in fits[seed].history:
                tracking.log_metrics({f"{prefix}train_loss": e.train_loss, f"{prefix}test_accuracy": e.test_accuracy}, step=e.epoch)
        accuracies = {seed: f.history[-1].test_accuracy for seed, f in fits.items()}
        summary = train.summarise(accuracies)
        result = {"test_accuracy": summary["mean"], "epochs": spec.epochs, "train_seconds": sum(f.seconds for f in fits.values()), "device": device.type}
        result["history"] = {str(s): [[e.epoch, e.train_loss, e.test_accuracy] for e in f.history] for s, f in fits.items()}
        result |= {"seeds": {str(s): a for s, a in accuracies.items()}, "summary": summary}
        Path("models/q3").mkdir(parents=True, exist_ok=True)
        torch.save({"spec": spec.model_dump(mode="json"), "states": {s: f.model.cpu().state_dict() for s, f in fits.items()}}, f"models/q3/{name}.pt")
        write_json(REPORTS / "train" / f"{name}.json", result)
        tracking.log_metrics({"final_test_accuracy": summary["mean"], "train_seconds": result["train_seconds"]} | {f"summary.{k}": v for k, v in summary.items()})
        tracking.log_torch_model(fits[seeds[0]].model, name, tensors[2][:2].cpu().numpy())


if __name__ == "__main__":
    run_stage(f"train@{sys.argv[1] if len(sys.argv) > 1 else '?'}", main)
