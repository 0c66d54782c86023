"""Reading the project's MLflow runs back: for the UI (``nnsvm.ui``) and the tests, never for a stage.

Stages write through :mod:`nnsvm.core.tracking`; this module only reads (but for
:func:`end_orphans`, which ``make readme`` calls), so no stage depends on it (tests/test_tracking.py
checks dvc.yaml) and editing it reruns nothing.
Besides core/tracking.py, the only module that imports MLflow.
"""

from __future__ import annotations

from typing import Any

from nnsvm.core import tracking


def runs(stage: str | None = None, children: bool = False) -> list[dict[str, Any]]:
    """Runs of the project's experiments (:func:`experiment_names`; newest first), optionally of one stage.

    Child runs (Q3's seeds, Q6's grid candidates) only with ``children=True``.
    """
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    names = [n for n in tracking.experiment_names() if mlflow.get_experiment_by_name(n) is not None]
    if not names:
        return []
    filter_string = f"tags.stage = '{stage}'" if stage else ""
    frame = mlflow.search_runs(experiment_names=names, filter_string=filter_string, order_by=["start_time DESC"])
    if not children and "tags.mlflow.parentRunId" in frame:
        frame = frame[frame["tags.mlflow.parentRunId"].isna()]
    return frame.to_dict(orient="records")


def dataset_inputs(run_id: str) -> list[tuple[str, str, str]]:
    """``(name, digest, context)`` of each dataset input of a run."""
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    found = []
    inputs = mlflow.get_run(run_id).inputs
    for item in inputs.dataset_inputs if inputs else []:
        context = next((t.value for t in item.tags if t.key == "mlflow.data.context"), "")
        found.append((item.dataset.name, item.dataset.digest, context))
    return found


def latest_stage_runs() -> dict[str, dict[str, Any]]:
    """The newest finished run of each stage: ``{stage: {"run_id", "seconds", "experiment_id"}}``.

    ``seconds`` is MLflow's Duration (end time minus start time).
    """
    found: dict[str, dict[str, Any]] = {}
    for run in runs():
        stage = run.get("tags.stage")
        if run["status"] != "FINISHED" or not stage or stage in found:
            continue
        seconds = (run["end_time"] - run["start_time"]).total_seconds()
        found[stage] = {"run_id": run["run_id"], "seconds": seconds, "experiment_id": run["experiment_id"]}
    return found


def run_record(run_id: str) -> dict[str, Any]:
    """A run's metrics (latest values) and the paths of its artifacts, for checking a report against MLflow."""
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    client = mlflow.MlflowClient()
    paths: list[str] = []
    pending: list[str | None] = [None]
    while pending:
        for item in client.list_artifacts(run_id, pending.pop()):
            if item.is_dir:
                pending.append(item.path)
            else:
                paths.append(item.path)
    return {"metrics": dict(client.get_run(run_id).data.metrics), "artifacts": sorted(paths)}


def experiment_ids() -> dict[str, str]:
    """``{name: experiment ID}`` of the project's experiments that exist in the store."""
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    found = {name: mlflow.get_experiment_by_name(name) for name in tracking.experiment_names()}
    return {name: e.experiment_id for name, e in found.items() if e is not None}


def artifact_location() -> str | None:
    """Where the project's base experiment keeps its artifacts (None if it does not exist yet)."""
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    experiment = mlflow.get_experiment_by_name(tracking.experiment_name())
    return experiment.artifact_location if experiment else None


def child_runs(parent_run_id: str) -> list[dict[str, Any]]:
    """The child runs of one run, as plain dicts."""
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    names = [n for n in tracking.experiment_names() if mlflow.get_experiment_by_name(n) is not None]
    frame = mlflow.search_runs(experiment_names=names, filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'")
    return frame.to_dict(orient="records")


def end_orphans() -> list[str]:
    """End KILLED the runs a killed stage left RUNNING (:func:`tracking.end_orphaned_runs`) in the project's store.

    For ``make readme`` (:mod:`nnsvm.timings`): a repro served from DVC's cache runs no stage, so none ended them.
    """
    import mlflow

    mlflow.set_tracking_uri(tracking.tracking_uri())
    client = mlflow.MlflowClient()
    return tracking.end_orphaned_runs(client, tracking.existing_experiment_ids(client))
