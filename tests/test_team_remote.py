"""Results shared through a DVC remote: push from one clone, pull into a fresh one, nothing to rebuild."""

import json
import shutil

import pytest
from conftest import REPO, run_in
from teamkit import commit_all

pytestmark = pytest.mark.system


def test_pull_from_the_remote_leaves_nothing_to_rebuild(pipeline, tmp_path):
    """It pushes the tiny run with `make remote` + `dvc push`; a fresh clone's `dvc pull` makes `dvc status`
    clean and `dvc repro` rerun no stage (mnist re-checks its files, from no mirror, and writes nothing)."""
    origin = shutil.copytree(pipeline, tmp_path / "origin", symlinks=True)
    shutil.copy2(REPO / "Makefile", origin / "Makefile")
    run_in(origin, "make", "--no-print-directory", "remote", f"URL={tmp_path / 'remote'}")
    commit_all(origin)
    run_in(origin, "dvc", "push")
    run_in(tmp_path, "git", "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    run_in(clone, "dvc", "pull", env={"NNSVM_MNIST_MIRROR": None})
    assert json.loads(run_in(clone, "dvc", "status", "--json").stdout) == {"mnist": ["always changed"]}
    records = {p.name: p.read_text() for p in (clone / "reports" / "runs").glob("*.json")}
    again = run_in(clone, "dvc", "repro", env={"NNSVM_MNIST_MIRROR": None})
    stages = set(run_in(clone, "dvc", "stage", "list", "--name-only").stdout.split())
    for stage in stages - {"mnist"}:
        assert f"Stage '{stage}' didn't change, skipping" in again.stdout, stage
    assert "already in data/mnist and intact; no mirror asked" in again.stderr
    assert {p.name: p.read_text() for p in (clone / "reports" / "runs").glob("*.json")} == records
    assert not (clone / "mlflow.db").exists()  # no stage opened a run: nothing was trained
    assert run_in(clone, "git", "status", "--porcelain").stdout == ""
