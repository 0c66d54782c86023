"""Stage q6_split: pool all MNIST images, shuffle, 80/20 split, a stratified grid-search set per protocol."""

from pathlib import Path

import numpy as np

from nnsvm import tracking
from nnsvm.cli import run_stage
from nnsvm.data import mnist
from nnsvm.params import digest, load_params
from nnsvm.q6.data import SPLIT_FILE
from nnsvm.q6.split import make_split, pool
from nnsvm.seeding import seed_everything


def main() -> None:
    p = load_params().q6.split
    rng = seed_everything(p.seed)
    data = mnist.load("data/mnist")
    _, y = pool(data.x_train, data.y_train, data.x_test, data.y_test)
    split = make_split(y, p.test_fraction, dict(p.grid_fraction), p.min_per_class, rng, p.max_images)
    SPLIT_FILE.parent.mkdir(parents=True, exist_ok=True)
    split.save(SPLIT_FILE)

    with tracking.stage_run(
        "q6_split", params={"q6.split": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=data.digest, data_source=data.source,
    ):
        sizes = {"train_count": len(split.train), "test_count": len(split.test)}
        for name, idx in split.grid.items():
            sizes[f"grid_{name}_count"] = len(idx)
            sizes[f"grid_{name}_min_per_class"] = int(np.bincount(y[idx], minlength=10).min())
        tracking.log_metrics(sizes)
        tracking.log_dataset("mnist-pooled-70k", source=Path(SPLIT_FILE).resolve().as_uri(), digest=data.digest, context="split")


if __name__ == "__main__":
    run_stage("q6_split", main)
