"""Stage mnist: fetch, verify and store the four canonical MNIST IDX files."""

import os
from pathlib import Path

from nnsvm.cli import run_stage
from nnsvm.data import mnist
from nnsvm.params import digest, load_params

OUT = Path("data/mnist")
MIRROR_ENV = "NNSVM_MNIST_MIRROR"


def main() -> None:
    params = load_params()
    p = params.data.mnist
    mirrors = [m for m in [os.environ.get(MIRROR_ENV)] if m] + list(p.mirrors)
    manifest, changed = mnist.acquire(OUT, p.source, mirrors, p.timeout_s, p.subset_test_per_class)
    if not changed:
        return  # nothing written: no run to track, downstream stays cached

    from nnsvm import tracking

    with tracking.stage_run(
        "mnist",
        params={"data.mnist": p.model_dump(mode="json")},
        params_digest=digest(p),
        data_digest=mnist.data_digest(manifest),
        data_source=manifest["source"],
    ):
        tracking.log_metrics({"train_count": manifest["train_count"], "test_count": manifest["test_count"]})
        tracking.log_dataset(
            "mnist" if manifest["source"] == "full" else "mnist-subset-5k",
            source=manifest["origin"],
            digest=mnist.data_digest(manifest),
            context="acquired",
        )
        tracking.log_artifact(OUT / "manifest.json")


if __name__ == "__main__":
    run_stage("mnist", main)
