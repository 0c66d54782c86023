"""Stage q6_split: pool all MNIST images, shuffle, 80/20 split, a stratified grid-search set per protocol."""

from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.q6.data import SPLIT_FILE
from nnsvm.q6.params import Q6SplitParams
from nnsvm.q6.split import make_split, pool, split_sizes

STAGE = "q6_split"


def main() -> None:
    p = load_section("q6.split", Q6SplitParams)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        rng = seed_everything(p.seed)
        data = mnist.load("data/mnist")
        inputs.tag_data(data.digest, data.source)
        _, y = pool(data.x_train, data.y_train, data.x_test, data.y_test)
        split = make_split(y, p.test_fraction, dict(p.grid_fraction), p.min_per_class, rng, p.max_images)
        split.save(SPLIT_FILE)
        tracking.log_metrics(split_sizes(split, y))
        inputs.log_dataset(
            "mnist-pooled-70k", source=Path(SPLIT_FILE).resolve().as_uri(), digest=data.digest, context="split"
        )


if __name__ == "__main__":
    run_stage(STAGE, main)
