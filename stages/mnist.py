"""Stage mnist: fetch, verify and store the four canonical MNIST IDX files (nnsvm.data.mnist_fetch).

``data/mnist`` is the bytes alone (its DVC hash is the same wherever they came
from); where they came from is recorded in ``reports/data/mnist_origin.json``.
"""

import os
from functools import partial
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.data import mnist, mnist_fetch

STAGE = "mnist"
OUT = Path("data/mnist")
ORIGIN = Path("reports/data/mnist_origin.json")
MIRROR_ENV = "NNSVM_MNIST_MIRROR"


def main() -> None:
    p = load_section("data.mnist", mnist.MnistParams)
    mirrors = [m for m in [os.environ.get(MIRROR_ENV)] if m] + list(p.mirrors)
    cached = partial(mnist_fetch.dvc_cached_copies, OUT)
    got = mnist_fetch.acquire(OUT, ORIGIN, p.source, mirrors, p.timeout_s, p.subset_test_per_class, cached=cached)
    if not got.written:
        return  # nothing written: no run to track, downstream stays cached
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        inputs.tag_data(mnist.data_digest(got.manifest), got.manifest["source"])
        tracking.log_metrics({"train_count": got.manifest["train_count"], "test_count": got.manifest["test_count"]})
        inputs.log_dataset(
            mnist_fetch.dataset_name(got.manifest),
            source=got.origin["origin"],
            digest=mnist.data_digest(got.manifest),
            context=f"acquired via {got.origin['route']}",
        )
        tracking.log_artifact(OUT / "manifest.json")
        tracking.log_artifact(ORIGIN)


if __name__ == "__main__":
    run_stage(STAGE, main)
