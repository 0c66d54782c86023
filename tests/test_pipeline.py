"""End to end: the whole pipeline under `dvc repro` on the tiny profile."""

import json
import os

import pytest
from conftest import run_in

pytestmark = pytest.mark.slow


def stage_names(work) -> set[str]:
    return set(run_in(work, "dvc", "stage", "list", "--name-only").stdout.split())


def test_mnist_manifest_says_which_set(pipeline):
    """It stores full MNIST from the mirror when one is set, else the labelled subset."""
    manifest = json.loads((pipeline / "data" / "mnist" / "manifest.json").read_text())
    if os.environ.get("NNSVM_MNIST_MIRROR"):
        assert (manifest["source"], manifest["train_count"], manifest["test_count"]) == ("full", 60_000, 10_000)
    else:
        assert (manifest["source"], manifest["train_count"]) == ("subset", 4_000)


def test_toy_outputs_exist(pipeline):
    """It writes each toy set and its figure."""
    for name in ("clusters", "four_points", "db1", "db2", "db3"):
        assert (pipeline / "data" / "toy" / f"{name}.npz").stat().st_size > 0
        assert (pipeline / "reports" / "toy" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_one_mlflow_run_per_stage(pipeline):
    """It leaves exactly one finished MLflow run for every stage that ran."""
    code = "import json; from nnsvm.core import tracking; print(json.dumps([(r['tags.stage'], r['status']) for r in tracking.runs()]))"
    runs = json.loads(run_in(pipeline, "python", "-c", code).stdout)
    assert sorted(stage for stage, _ in runs) == sorted(stage_names(pipeline))
    assert {status for _, status in runs} == {"FINISHED"}


def test_status_is_clean_and_second_repro_runs_nothing(pipeline):
    """It reports only the always-run mnist check as changed, and a second repro changes nothing."""
    status = json.loads(run_in(pipeline, "dvc", "status", "--json").stdout)
    assert status == {"mnist": ["always changed"]}
    lock = (pipeline / "dvc.lock").read_text()
    second = run_in(pipeline, "dvc", "repro")
    for stage in stage_names(pipeline) - {"mnist"}:
        assert f"Stage '{stage}' didn't change, skipping" in second.stdout
    assert "nothing to do" in second.stderr or "unchanged" in second.stderr
    assert (pipeline / "dvc.lock").read_text() == lock
