"""Stage mnist: fetch, verify and store the four canonical MNIST IDX files."""

import os
from pathlib import Path

from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import digest, load_section
from nnsvm.data import mnist

STAGE = "mnist"
OUT = Path("data/mnist")
MIRROR_ENV = "NNSVM_MNIST_MIRROR"


def main() -> None:
    p = load_section("data.mnist", mnist.MnistParams)
    mirrors = [m for m in [os.environ.get(MIRROR_ENV)] if m] + list(p.mirrors)
    manifest, changed = mnist.acquire(OUT, p.source, mirrors, p.timeout_s, p.subset_test_per_class)
    if not changed:
        return  # nothing written: no run to track, downstream stays cached
    with tracking.stage_run(STAGE, params_digest=digest(p)):
        tracking.tag_data(mnist.data_digest(manifest), manifest["source"])
        tracking.log_metrics({"train_count": manifest["train_count"], "test_count": manifest["test_count"]})
        tracking.log_dataset(
            mnist.dataset_name(manifest),
            source=manifest["origin"],
            digest=mnist.data_digest(manifest),
            context="acquired",
        )
        tracking.log_artifact(OUT / "manifest.json")


if __name__ == "__main__":
    run_stage(STAGE, main)
