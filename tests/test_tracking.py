"""Tracking: where the store is, what a run carries, and failing fast on a dead server."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnsvm import tracking_query
from nnsvm.core import config, inputs, nested, tracking
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
        inputs.tag_data("dd", "generated")
        tracking.log_metrics({"acc": 0.5})
        inputs.log_dataset("pts", source="file:///x.npz", digest="abc", context="training")
    (run,) = tracking_query.runs(stage="demo")
    assert run["run_id"] == run_id
    assert run["tags.stage"] == "demo" and run["tags.params_digest"] == "pd"
    assert run["tags.data_digest"] == "dd" and run["tags.git_commit"]
    assert run["params.toy.seed"] == "3" and run["metrics.acc"] == 0.5
    assert (tmp_path / "mlflow.db").exists()
    assert tracking_query.artifact_location() == (tmp_path / "mlartifacts").as_uri()
    assert tracking_query.dataset_inputs(run_id) == [("pts", "abc", "training")]
    record = json.loads((tmp_path / "reports" / "runs" / "demo.json").read_text())
    assert record["run_id"] == run_id and record["git_dirty"] in (True, False, None)
    assert record["wall_seconds"] == pytest.approx((run["end_time"] - run["start_time"]).total_seconds(), abs=0.1)


def test_a_failing_stage_ends_its_run_failed_with_the_error(monkeypatch, tmp_path):
    """It marks the run FAILED, tags the error's first line, and writes no run record."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NnsvmError), tracking.stage_run("broken", params={}):
        raise NnsvmError("the mirror is corrupt\nsecond line of detail")
    (run,) = tracking_query.runs(stage="broken")
    assert run["status"] == "FAILED" and run["tags.error"] == "NnsvmError: the mirror is corrupt"
    assert not (tmp_path / "reports" / "runs" / "broken.json").exists()


def test_logged_params_are_the_ones_dvc_yaml_declares(monkeypatch, tmp_path):
    """It reads a stage's params through DVC, so MLflow and dvc.yaml cannot drift apart."""
    from conftest import copy_pipeline

    # A copy, so that DVC never opens the working repository (a `dvc repro` may hold it).
    monkeypatch.chdir(copy_pipeline(tmp_path / "p"))
    params = config.declared_params("q6_grid@rbf")
    flat = tracking.flatten(params)
    assert {"q6.n_jobs", "q6.published.refine_factor", "q6.improved.kernels.rbf.C"} <= set(flat)
    assert not any(k.startswith("q6.published.kernels.linear") for k in flat)


def test_the_quick_params_reader_agrees_with_dvc_on_every_stage(monkeypatch, tmp_path):
    """It reads every stage's params (foreach ones included) to the same values as dvc.api.params_show."""
    import dvc.api
    from conftest import copy_pipeline
    from dvc.repo import Repo

    monkeypatch.chdir(copy_pipeline(tmp_path / "p"))
    names = [stage.addressing for stage in Repo(".").index.stages]
    assert len(names) >= 30 and "q3_train@lenet" in names and "q6_final@improved" in names
    quick = {name: config.declared_params(name) for name in names}
    assert quick == {name: dvc.api.params_show(stages=name) for name in names}


def test_a_stage_the_quick_reader_cannot_read_is_read_by_dvc(monkeypatch, tmp_path):
    """It leaves a matrix stage to DVC, and a stage that is not in dvc.yaml gets DVC's one-line error."""
    from conftest import copy_pipeline

    work = copy_pipeline(tmp_path / "p")
    (work / "dvc.yaml").write_text(
        (work / "dvc.yaml").read_text()
        + "  grid:\n    matrix:\n      c: [1, 2]\n    cmd: echo ${item.c}\n    params:\n      - q2\n"
    )
    monkeypatch.chdir(work)
    assert config.declared_params("grid@1") == {"q2": config.declared_params("q2")["q2"]}
    with pytest.raises(NnsvmError, match="cannot read the params of stage nosuch"):
        config.declared_params("nosuch")


def test_only_tracking_and_its_read_back_import_mlflow_and_no_stage_reads_back():
    """It finds MLflow imported only in core/tracking.py (every stage's run), core/inputs.py (the data a run
    reads), core/nested.py (the child runs and models of two stages) and tracking_query.py, and no stage
    depending on the last."""
    import yaml

    root = Path(__file__).resolve().parents[1]
    importers = {
        str(p.relative_to(root))
        for p in [*(root / "src").rglob("*.py"), *(root / "stages").glob("*.py")]
        if "import mlflow" in p.read_text() or "from mlflow" in p.read_text()
    }
    core = {f"src/nnsvm/core/{name}.py" for name in ("tracking", "inputs", "nested")}
    assert importers == core | {"src/nnsvm/tracking_query.py"}
    query = "src/nnsvm/tracking_query.py"
    for name, stage in yaml.safe_load((root / "dvc.yaml").read_text())["stages"].items():
        for dep in (stage.get("do") or stage).get("deps") or []:
            assert not (query + "/").startswith(dep.rstrip("/") + "/"), (name, dep)
    readers = {
        str(p.relative_to(root))
        for p in [*(root / "src").rglob("*.py"), *(root / "stages").glob("*.py")]
        if "import tracking_query" in p.read_text() or "tracking_query import" in p.read_text()
    }
    assert readers <= {"src/nnsvm/ui.py", "src/nnsvm/timings.py", query}  # `make ui`, `make readme`: no stage


def test_experiments_open_in_the_model_training_view(monkeypatch, tmp_path):
    """It tags each experiment it creates, and one made before, as custom model development (not GenAI)."""
    import mlflow

    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(tracking.tracking_uri())
    mlflow.create_experiment("nnsvm")  # an old store: no kind
    for stage in ("toy", "q3_train@mlp", "q6_grid@rbf"):
        with tracking.stage_run(stage, params={}):
            pass
    kinds = {n: mlflow.get_experiment_by_name(n).tags.get("mlflow.experimentKind") for n in tracking.experiment_names()}
    assert kinds == dict.fromkeys(["nnsvm", "nnsvm-q3-training", "nnsvm-q6-grid"], "custom_model_development")
    assert {r["tags.stage"]: r["experiment_id"] for r in tracking_query.runs()}.keys() == {
        "toy",
        "q3_train@mlp",
        "q6_grid@rbf",
    }


STAGE_SCRIPT = """
import sys, time
from nnsvm.core import config, inputs, nested, tracking
time.sleep(float(sys.argv[1]))  # what imports and param checks take in a real stage
with tracking.stage_run("slow", params={}):
    print("started", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _stage_process(tmp_path: Path, before: float, inside: float) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(Path(tracking.__file__).parents[2])}
    return subprocess.Popen(
        [sys.executable, "-c", STAGE_SCRIPT, str(before), str(inside)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_mlflow_duration_is_the_stage_process_time(monkeypatch, tmp_path):
    """It starts the run when the stage's process starts (imports included), so Duration is the stage's time."""
    monkeypatch.chdir(tmp_path)
    t0 = time.time()
    proc = _stage_process(tmp_path, 2.0, 1.0)
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    (run,) = tracking_query.runs(stage="slow")
    start, end = run["start_time"].timestamp(), run["end_time"].timestamp()
    assert start == pytest.approx(t0, abs=1.0) and end - start >= 3.0 and end <= time.time()
    record = json.loads((tmp_path / "reports" / "runs" / "slow.json").read_text())
    assert record["wall_seconds"] == pytest.approx(end - start, abs=0.06)


@pytest.mark.parametrize("then", ["the stage reruns", "make readme"])
def test_a_killed_stage_leaves_no_running_run(monkeypatch, tmp_path, then):
    """It ends KILLED a run whose process was killed with SIGKILL, when a stage next starts or `make readme` runs."""
    monkeypatch.chdir(tmp_path)
    proc = _stage_process(tmp_path, 0.0, 120.0)
    assert proc.stdout.readline().strip() == "started"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    (orphan,) = tracking_query.runs(stage="slow")
    assert orphan["status"] == "RUNNING"
    if then == "make readme":
        assert tracking_query.end_orphans() == [orphan["run_id"]]
    else:
        with tracking.stage_run("slow", params={}):
            pass
    status = {r["run_id"]: r["status"] for r in tracking_query.runs(stage="slow")}
    assert status.pop(orphan["run_id"]) == "KILLED" and "RUNNING" not in status.values()


def test_a_running_stage_is_not_ended_by_another(monkeypatch, tmp_path):
    """It leaves alone a RUNNING run whose process is still alive."""
    monkeypatch.chdir(tmp_path)
    proc = _stage_process(tmp_path, 0.0, 120.0)
    try:
        assert proc.stdout.readline().strip() == "started"
        with tracking.stage_run("other", params={}):
            pass
        assert tracking_query.runs(stage="slow")[0]["status"] == "RUNNING"
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_seed_child_runs_and_the_mean_curve(monkeypatch, tmp_path):
    """It logs one child run per seed (param seed, same metric names) and the mean over seeds on the stage's run."""
    from types import SimpleNamespace as P

    monkeypatch.chdir(tmp_path)
    curves = {1: [P(epoch=1, acc=0.5), P(epoch=2, acc=0.7)], 2: [P(epoch=1, acc=0.7), P(epoch=2, acc=0.9)]}
    with tracking.stage_run("q3_train@m", params={}) as run_id:
        for seed, curve in curves.items():
            with nested.child_run(f"m seed {seed}", {"seed": seed, "unused": None}, {"model": "m"}):
                for point in curve:
                    tracking.log_metrics({"acc": point.acc}, step=point.epoch)
        nested.log_mean_curve(list(curves.values()), ["acc"])
    children = tracking_query.child_runs(run_id)
    assert sorted(c["params.seed"] for c in children) == ["1", "2"]
    assert {c["tags.model"] for c in children} == {"m"} and "params.unused" not in children[0]
    assert all(c["status"] == "FINISHED" and c["tags.parent_stage"] == "q3_train@m" for c in children)
    import mlflow

    history = mlflow.MlflowClient().get_metric_history(run_id, "acc")
    assert [(m.step, round(m.value, 9)) for m in history] == [(1, 0.6), (2, 0.8)]
