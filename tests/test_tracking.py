"""Tracking: where the store is, what a run carries, and failing fast on a dead server."""

from pathlib import Path

import pytest

from nnsvm.core import tracking
from nnsvm.core.errors import NnsvmError


def test_root_from_inside_a_dvc_experiment_copy():
    """It maps a `dvc exp run --temp` working copy back to the project root."""
    assert tracking.project_root(Path("/repo/.dvc/tmp/exps/tmpab12cd/sub")) == Path("/repo")
    assert tracking.project_root(Path("/repo/sub")) == Path("/repo/sub")


def test_default_store_is_sqlite_at_the_root(monkeypatch):
    """It uses an absolute SQLite URI unless MLFLOW_TRACKING_URI says otherwise."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking.tracking_uri(Path("/repo")) == "sqlite:////repo/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://example:5000")
    assert tracking.tracking_uri(Path("/repo")) == "http://example:5000"


def test_unreachable_server_fails_before_any_work(monkeypatch, tmp_path):
    """It raises a one-line error naming the server and the fix."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    monkeypatch.chdir(tmp_path)
    ran = []
    match = r"127\.0\.0\.1:9 is unreachable.*unset MLFLOW_TRACKING_URI"
    with pytest.raises(NnsvmError, match=match), tracking.stage_run("x", params={}, params_digest="p"):
        ran.append(True)
    assert ran == []


def test_flatten_nested_params():
    """It flattens sections to dotted keys."""
    assert tracking.flatten({"a": {"b": 1, "c": {"d": [2]}}, "e": 3}) == {"a.b": 1, "a.c.d": [2], "e": 3}


def test_stage_run_records_tags_params_metrics_and_dataset(monkeypatch, tmp_path):
    """It logs one run with the stage's tags, flat params, metrics and a dataset input."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    with tracking.stage_run("demo", params={"toy": {"seed": 3}}, params_digest="pd") as run_id:
        tracking.tag_data("dd", "generated")
        tracking.log_metrics({"acc": 0.5})
        tracking.log_dataset("pts", source="file:///x.npz", digest="abc", context="training")
    (run,) = tracking.runs(stage="demo")
    assert run["run_id"] == run_id
    assert run["tags.stage"] == "demo" and run["tags.params_digest"] == "pd"
    assert run["tags.data_digest"] == "dd" and run["tags.git_commit"]
    assert run["params.toy.seed"] == "3" and run["metrics.acc"] == 0.5
    assert (tmp_path / "mlflow.db").exists()
    assert tracking.artifact_location() == (tmp_path / "mlartifacts").as_uri()
    assert tracking.dataset_inputs(run_id) == [("pts", "abc", "training")]
    record = (tmp_path / "reports" / "runs" / "demo.json").read_text()
    assert run_id in record and '"wall_seconds"' in record


def test_a_failing_stage_ends_its_run_failed_with_the_error(monkeypatch, tmp_path):
    """It marks the run FAILED, tags the error, and writes no run record."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NnsvmError), tracking.stage_run("broken", params={}):
        raise NnsvmError("the mirror is corrupt")
    (run,) = tracking.runs(stage="broken")
    assert run["status"] == "FAILED" and run["tags.error"] == "NnsvmError: the mirror is corrupt"
    assert not (tmp_path / "reports" / "runs" / "broken.json").exists()


def test_logged_params_are_the_ones_dvc_yaml_declares(monkeypatch, tmp_path):
    """It reads a stage's params through DVC, so MLflow and dvc.yaml cannot drift apart."""
    from conftest import copy_pipeline

    # A copy, so that DVC never opens the working repository (a `dvc repro` may hold it).
    monkeypatch.chdir(copy_pipeline(tmp_path / "p"))
    params = tracking.stage_params("q6_grid@rbf")
    flat = tracking.flatten(params)
    assert {"q6.n_jobs", "q6.published.refine_factor", "q6.improved.kernels.rbf.C"} <= set(flat)
    assert not any(k.startswith("q6.published.kernels.linear") for k in flat)
