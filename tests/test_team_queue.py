"""Parallel queued experiments (`dvc queue start -j 2`) on the default SQLite store: every run arrives."""

import shutil

import pytest
from teamkit import check_queue_against_mlflow, commit_all, stage_runs

pytestmark = pytest.mark.system


def test_two_queue_workers_lose_no_run_in_sqlite(pipeline, tmp_path):
    """It logs every queued experiment's runs to the project's mlflow.db, with dvc exp show's numbers."""
    work = shutil.copytree(pipeline, tmp_path / "project", symlinks=True)
    # No store yet: the two workers' first runs create mlflow.db and the experiment at the same moment.
    (work / "mlflow.db").unlink()
    shutil.rmtree(work / "mlartifacts", ignore_errors=True)
    commit_all(work)
    check_queue_against_mlflow(work, {}, 0)
    assert stage_runs(work, {})
