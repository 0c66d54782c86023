"""End to end: the whole pipeline under `dvc repro` on the tiny profile."""

import json
import os

from conftest import run_in


def stage_names(work) -> set[str]:
    return set(run_in(work, "dvc", "stage", "list", "--name-only").stdout.split())


def stage_runs(work) -> list[dict]:
    """Every top-level MLflow run of the copy: stage, status and run ID."""
    code = (
        "import json; from nnsvm import tracking_query; "
        "print(json.dumps([{k: r[k] for k in ('tags.stage', 'status', 'run_id')} for r in tracking_query.runs()]))"
    )
    return json.loads(run_in(work, "python", "-c", code).stdout)


def run_record(work, stage: str) -> dict:
    """A stage's run record: ``reports/runs/<stage>.json``, the report's beside the report."""
    path = work / "reports" / ("report_run.json" if stage == "report" else f"runs/{stage}.json")
    return json.loads(path.read_text())


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


def test_stages_have_the_question_names(pipeline):
    """It runs the stages named for their question, one q3_train per Q3 model."""
    names = stage_names(pipeline)
    assert {"mnist", "toy", "q1", "q2", "q3_shift", "q3_report", "q4_svm", "q4_maps", "q5", "report"} <= names
    assert {"q3_train@mlp", "q3_train@lenet_published", "q6_split", "q6_report"} <= names
    assert not names & {"shift", "train@mlp"}


def test_one_mlflow_run_per_stage(pipeline):
    """It leaves exactly one finished MLflow run for every stage that ran."""
    runs = stage_runs(pipeline)
    assert sorted(r["tags.stage"] for r in runs) == sorted(stage_names(pipeline))
    assert {r["status"] for r in runs} == {"FINISHED"}


def test_every_stage_has_a_run_record_naming_its_run(pipeline):
    """It writes one run record per stage, naming that stage's MLflow run, its wall time and the host."""
    run_ids = {r["tags.stage"]: r["run_id"] for r in stage_runs(pipeline)}
    for stage in stage_names(pipeline):
        record = run_record(pipeline, stage)
        assert record["stage"] == stage and record["run_id"] == run_ids[stage], stage
        experiment = {"q3_train": "nnsvm-q3-training", "q6_grid": "nnsvm-q6-grid"}.get(stage.split("@")[0], "nnsvm")
        assert record["wall_seconds"] > 0 and record["experiment"] == experiment and "git_dirty" in record
        assert {"cpu", "gpu", "python"} <= set(record["host"])
    listed = {p.stem for p in (pipeline / "reports" / "runs").glob("*.json")}
    assert listed == stage_names(pipeline) - {"report"}


def test_status_is_clean_and_second_repro_runs_nothing(pipeline):
    """It reports only the always-run mnist check as changed, and a second repro changes nothing."""
    status = json.loads(run_in(pipeline, "dvc", "status", "--json").stdout)
    assert status == {"mnist": ["always changed"]}
    lock = (pipeline / "dvc.lock").read_text()
    records = {stage: run_record(pipeline, stage) for stage in stage_names(pipeline)}
    second = run_in(pipeline, "dvc", "repro")
    for stage in stage_names(pipeline) - {"mnist"}:
        assert f"Stage '{stage}' didn't change, skipping" in second.stdout
    assert "already in data/mnist and intact; no mirror asked" in second.stderr
    assert (pipeline / "dvc.lock").read_text() == lock
    # mnist re-checked its data and, finding it unchanged, wrote nothing: no new run, no record moved.
    assert len(stage_runs(pipeline)) == len(records)
    assert {stage: run_record(pipeline, stage) for stage in records} == records
