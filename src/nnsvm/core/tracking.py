"""The one place that talks to MLflow.

Default store: SQLite ``mlflow.db`` at the project root, artifacts under
``mlartifacts/``, both addressed by absolute path so that runs started by
``dvc exp run --temp`` or ``--queue`` (which execute in a copy under
``.dvc/tmp/exps/``) land in the same store. ``MLFLOW_TRACKING_URI`` overrides.
MLflow is imported lazily, so stages that do no work never pay for it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil

from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import write_json

log = logging.getLogger(__name__)

# Telemetry off before MLflow is ever imported.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

EXPS_DIR = os.sep.join(["", ".dvc", "tmp", "exps", ""])


def experiment_name() -> str:
    """``MLFLOW_EXPERIMENT_NAME`` if set, else ``nnsvm``."""
    return os.environ.get("MLFLOW_EXPERIMENT_NAME") or "nnsvm"


def project_root(cwd: Path | None = None) -> Path:
    """The project root, also from inside a DVC experiment's temp copy."""
    here = str((cwd or Path.cwd()).resolve())
    return Path(here.split(EXPS_DIR)[0]) if EXPS_DIR in here else Path(here)


def tracking_uri(root: Path | None = None) -> str:
    """``MLFLOW_TRACKING_URI`` if set, else the project's SQLite store (absolute)."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{(root or project_root()) / 'mlflow.db'}"


def check_reachable(uri: str, timeout_s: float = 5.0) -> None:
    """Fail fast, before any work, when a tracking server does not answer."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout_s):
            return
    except (urllib.error.URLError, OSError) as exc:
        raise NnsvmError(
            f"MLflow tracking server {uri} is unreachable ({getattr(exc, 'reason', exc)}); "
            "start it (`make ui`) or unset MLFLOW_TRACKING_URI to use the local store"
        ) from None


def store_error(uri: str, exc: Exception) -> str:
    """One line naming why the store refused and the fix; a server that wants a login says so."""
    if any(code in str(exc) for code in ("401", "403", "UNAUTHENTICATED", "PERMISSION_DENIED")):
        return (
            f"MLflow server {uri} refused the request: no or wrong credentials; "
            "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
        )
    return f"MLflow tracking store {uri} is unusable ({exc}); fix or unset MLFLOW_TRACKING_URI"


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


@contextmanager
def _one_writer(uri: str) -> Iterator[None]:
    """For SQLite: one process at a time creates the store's tables and the experiment.

    Two queued experiments (`dvc queue start -j 2`) that start on a new ``mlflow.db`` would
    both run MLflow's schema migrations and break the store; later writes wait on SQLite's
    busy timeout, which MLflow sets. The lock is ``mlflow.db-lock``, released on close.
    """
    if not uri.startswith("sqlite:///"):
        yield
        return
    with open(uri.removeprefix("sqlite:///") + "-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _experiment_id(mlflow: Any, name: str, root: Path, own_store: bool) -> str:
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    # Only our own SQLite store gets the project's artifact folder; a server
    # keeps its own artifact root.
    location = (root / "mlartifacts").as_uri() if own_store else None
    return mlflow.create_experiment(name, artifact_location=location)


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


RUNS_DIR = Path("reports/runs")  # one run record per stage, the report's stage table


def run_record_path(stage: str) -> Path:
    """``reports/runs/<stage>.json``: which MLflow run made a stage's outputs, and how long it took.

    The report's own record lies beside the report, since the report reads ``reports/runs``.
    """
    return Path("reports/report_run.json") if stage == "report" else RUNS_DIR / f"{stage}.json"


def stage_params(stage: str) -> dict[str, Any]:
    """The params ``dvc.yaml`` declares for ``stage``, with their values: what the stage logs to MLflow.

    Read through DVC itself, so the logged params cannot drift from the ones DVC tracks.
    """
    import dvc.api

    try:
        return dvc.api.params_show(stages=stage)
    except Exception as exc:  # noqa: BLE001 - DVC raises many types; all mean the same to a user
        raise NnsvmError(
            f"cannot read the params of stage {stage} from dvc.yaml ({exc}); run it from the project root"
        ) from None


def host() -> dict[str, str]:
    """CPU, GPU (when torch is already loaded) and Python of this machine."""
    import platform
    import sys

    cpu = platform.processor() or platform.machine()
    with suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    torch = sys.modules.get("torch")
    gpu = torch.cuda.get_device_name(0) if torch is not None and torch.cuda.is_available() else "none used"
    return {"cpu": cpu, "gpu": gpu, "python": platform.python_version()}


@contextmanager
def stage_run(
    stage: str,
    *,
    params: Mapping[str, Any] | None = None,
    params_digest: str = "-",
) -> Iterator[str]:
    """One MLflow run spanning one executed stage's work; yields its run ID.

    ``params`` default to the stage's params in ``dvc.yaml`` (:func:`stage_params`),
    logged flat. The run is tagged with the stage, git commit and params digest
    (:func:`tag_data` adds the data's); a stage that raises ends its run FAILED
    with the error as the ``error`` tag. On success the stage's run record is
    written (:func:`run_record_path`).
    """
    root = project_root()
    uri = tracking_uri(root)
    own_store = "MLFLOW_TRACKING_URI" not in os.environ  # before MLflow, which sets it
    check_reachable(uri)
    logged = flatten(stage_params(stage) if params is None else params)
    import mlflow

    mlflow.set_tracking_uri(uri)
    try:
        with _one_writer(uri):
            experiment_id = _experiment_id(mlflow, experiment_name(), root, own_store)
    except Exception as exc:  # noqa: BLE001 - any store failure is the user's to fix
        raise NnsvmError(store_error(uri, exc)) from None
    commit = git_commit(root)
    tags = {"stage": stage, "git_commit": commit, "params_digest": params_digest}
    with mlflow.start_run(experiment_id=experiment_id, run_name=stage, tags=tags) as run:
        mlflow.log_params({k: str(v)[:6000] for k, v in logged.items()})
        log.info("MLflow run %s (stage %s) in %s", run.info.run_id, stage, uri)
        try:
            yield run.info.run_id
        except BaseException as exc:
            mlflow.set_tag("error", f"{type(exc).__name__}: {exc}"[:5000])
            raise
        # The whole stage process: imports and param checks precede the run.
        seconds = time.time() - psutil.Process().create_time()
        mlflow.log_metric("stage_wall_seconds", seconds)
        record = {
            "stage": stage,
            "run_id": run.info.run_id,
            "experiment": experiment_name(),
            "git_commit": commit,
            "wall_seconds": round(seconds, 1),
            "host": host(),
        }
        write_json(run_record_path(stage), record)


def tag_data(digest: str, source: str) -> None:
    """Tag the active run with the digest and source (``full``, ``subset``, ``generated``) of the data it read."""
    import mlflow

    mlflow.set_tags({"data_digest": digest, "data_source": source})


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    import mlflow

    mlflow.log_metrics({k: float(v) for k, v in metrics.items()}, step=step)


def log_artifact(path: str | Path, artifact_path: str | None = None) -> None:
    import mlflow

    mlflow.log_artifact(str(path), artifact_path=artifact_path)


def log_dataset(name: str, *, source: str, digest: str, context: str, schema: Mapping[str, str] | None = None) -> None:
    """Record a data set as an MLflow dataset input of the active run."""
    import mlflow
    from mlflow.data.http_dataset_source import HTTPDatasetSource
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.types import ColSpec, Schema

    columns = Schema([ColSpec(type=t, name=n) for n, t in (schema or {}).items()]) if schema else None
    # MetaDataset is concrete at run time; its stub leaves `profile` abstract.
    dataset = MetaDataset(source=HTTPDatasetSource(url=source), name=name, digest=digest, schema=columns)  # type: ignore[abstract]
    mlflow.log_input(dataset, context=context)


def runs(stage: str | None = None, children: bool = False) -> list[dict[str, Any]]:
    """Runs of the project's experiment (newest first), optionally of one stage, as plain dicts.

    Child runs (e.g. Q6's grid candidates, see ``log_child_runs``) only with ``children=True``.
    """
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
    filter_string = f"tags.stage = '{stage}'" if stage else ""
    frame = mlflow.search_runs(
        experiment_names=[experiment_name()], filter_string=filter_string, order_by=["start_time DESC"]
    )
    if not children and "tags.mlflow.parentRunId" in frame:
        frame = frame[frame["tags.mlflow.parentRunId"].isna()]
    return frame.to_dict(orient="records")


def dataset_inputs(run_id: str) -> list[tuple[str, str, str]]:
    """``(name, digest, context)`` of each dataset input of a run."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
    found = []
    inputs = mlflow.get_run(run_id).inputs
    for item in inputs.dataset_inputs if inputs else []:
        context = next((t.value for t in item.tags if t.key == "mlflow.data.context"), "")
        found.append((item.dataset.name, item.dataset.digest, context))
    return found


def latest_stage_runs() -> dict[str, dict[str, Any]]:
    """The newest finished run of each stage: ``{stage: {"run_id", "seconds", "experiment_id"}}``."""
    found: dict[str, dict[str, Any]] = {}
    for run in runs():
        stage = run.get("tags.stage")
        if run["status"] != "FINISHED" or not stage or stage in found:
            continue
        seconds = run.get("metrics.stage_wall_seconds")
        seconds = None if seconds is None or seconds != seconds else float(seconds)  # NaN: not logged
        found[stage] = {"run_id": run["run_id"], "seconds": seconds, "experiment_id": run["experiment_id"]}
    return found


def run_record(run_id: str) -> dict[str, Any]:
    """A run's metrics (latest values) and the paths of its artifacts, for checking a report against MLflow."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
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


def artifact_location() -> str | None:
    """Where the project's experiment keeps its artifacts (None if it does not exist yet)."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
    experiment = mlflow.get_experiment_by_name(experiment_name())
    return experiment.artifact_location if experiment else None


def log_torch_model(model: Any, name: str, input_example: Any) -> None:
    """Log a PyTorch model with a signature inferred from ``input_example`` (a NumPy array) and its output."""
    import copy

    import mlflow
    import torch
    from mlflow.models import infer_signature

    model = copy.deepcopy(model).cpu().eval()
    with torch.no_grad():
        output = model(torch.from_numpy(input_example)).numpy()
    mlflow.pytorch.log_model(
        model,
        name=name,
        signature=infer_signature(input_example, output),
        input_example=input_example,
        # Given, not inferred: inference imports the model in a subprocess (slow).
        pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
    )


def log_child_runs(children: list[tuple[str, Mapping[str, Any], Mapping[str, float]]]) -> list[str]:
    """One child run of the active run per ``(name, params, metrics)``; returns their run IDs.

    Children carry a ``parent_stage`` tag, not ``stage``: one run per stage stays one run.
    """
    import mlflow
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    parent = mlflow.active_run()
    if parent is None:
        raise RuntimeError("log_child_runs needs an active run (inside tracking.stage_run)")
    client = MlflowClient()
    stage = client.get_run(parent.info.run_id).data.tags.get("stage", "")
    now = int(time.time() * 1000)
    ids = []
    for name, params, metrics in children:
        tags = {"mlflow.parentRunId": parent.info.run_id, "mlflow.runName": name, "parent_stage": stage}
        run = client.create_run(parent.info.experiment_id, run_name=name, tags=tags)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
            params=[Param(k, str(v)) for k, v in params.items()],
        )
        client.set_terminated(run.info.run_id)
        ids.append(run.info.run_id)
    return ids


def child_runs(parent_run_id: str) -> list[dict[str, Any]]:
    """The child runs of one run, as plain dicts."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
    frame = mlflow.search_runs(
        experiment_names=[experiment_name()], filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'"
    )
    return frame.to_dict(orient="records")


def log_claims(metrics: Mapping[str, float], figures: Iterable[str | Path]) -> None:
    """Log the numbers behind a stage's claims (``claims.claim_metrics``) and the figures they cite.

    This is the run the claims file names, so the report's numbers can be checked against it.
    """
    log_metrics(metrics)
    for path in figures:
        log_artifact(path, "figures")
