"""Every stage's MLflow run (its data: :mod:`nnsvm.core.inputs`; reading runs back: :mod:`nnsvm.tracking_query`).

Default store: SQLite ``mlflow.db`` at the project root, artifacts under ``mlartifacts/``, both by
absolute path, so that runs of ``dvc exp run --temp`` or ``--queue`` (in a copy under ``.dvc/tmp/exps/``)
land in the same store; ``MLFLOW_TRACKING_URI`` overrides. A stage's fixed cost (the MLflow import,
its store, the params): benchmarks/stage_overhead.py.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
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
    """The base name: ``MLFLOW_EXPERIMENT_NAME`` if set, else ``nnsvm``."""
    return os.environ.get("MLFLOW_EXPERIMENT_NAME") or "nnsvm"


# The two comparisons people make in the UI get an experiment each, so that their
# chart views hold only comparable runs; every other stage goes to the base one.
COMPARISONS = {"q3_train@": "q3-training", "q6_grid@": "q6-grid"}
# MLflow 3 opens an experiment without this tag in its GenAI view ("Traces").
EXPERIMENT_TAGS = {"mlflow.experimentKind": "custom_model_development"}
NOTES = {
    "q3-training": "Q3 models side by side: each q3_train@<model> run logs test_accuracy and train_loss "
    "per epoch (the mean over seeds); its child runs, one per seed (param seed, tag model), "
    "give mean and range with Group by: tag model.",
    "q6-grid": "Q6 grid search: one child run per candidate (params kernel, protocol, C, gamma, degree; "
    "metric cv_accuracy) under each q6_grid@<kernel> run. Parallel coordinates or contour chart.",
    "": "Every other stage of the pipeline (data, Q1, Q2, the rest of Q3 and Q6, Q4, Q5, the report).",
}


def experiment_of(stage: str) -> str:
    """The experiment a stage's runs go to: ``nnsvm-q3-training``, ``nnsvm-q6-grid`` or ``nnsvm``."""
    suffix = next((s for prefix, s in COMPARISONS.items() if stage.startswith(prefix)), "")
    return f"{experiment_name()}-{suffix}" if suffix else experiment_name()


def experiment_names() -> list[str]:
    """Every experiment of the project, the base one first."""
    return [experiment_name(), *(f"{experiment_name()}-{s}" for s in COMPARISONS.values())]


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


def _git(root: Path, *args: str) -> str | None:
    """What a git command prints in ``root``; None where git or the repository is missing."""
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_state(root: Path) -> tuple[str, bool | None]:
    """The commit, and whether tracked files other than the pipeline's own outputs (``reports/``,
    ``dvc.lock``, which a running pipeline rewrites) differ from it (None: not a git tree)."""
    status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!reports", ":!dvc.lock")
    return _git(root, "rev-parse", "HEAD") or "unknown", None if status is None else bool(status)


@contextmanager
def _one_writer(uri: str) -> Iterator[None]:
    """For SQLite: one process at a time creates the tables and the experiment (``mlflow.db-lock``): two
    queued experiments on a new ``mlflow.db`` would both migrate it and break it. Later writes wait on
    SQLite's busy timeout, which MLflow sets."""
    if not uri.startswith("sqlite:///"):
        yield
        return
    with open(uri.removeprefix("sqlite:///") + "-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _experiment_id(client: Any, name: str, root: Path, own_store: bool) -> str:
    experiment = client.get_experiment_by_name(name)
    suffix = name[len(experiment_name()) + 1 :] if name != experiment_name() else ""
    tags = EXPERIMENT_TAGS | {"mlflow.note.content": NOTES.get(suffix, "")}
    if experiment is not None:
        for key, value in tags.items():  # stores made before the tags were set
            if experiment.tags.get(key) != value:
                client.set_experiment_tag(experiment.experiment_id, key, value)
        return experiment.experiment_id
    # Only our own SQLite store gets the project's artifact folder; a server keeps its own.
    location = (root / "mlartifacts").as_uri() if own_store else None
    return client.create_experiment(name, artifact_location=location, tags=tags)


def process_tags() -> dict[str, str]:
    """Which process owns a run: a run RUNNING whose process is gone was killed (:func:`end_orphaned_runs`)."""
    me = psutil.Process()
    return {"nnsvm.host": socket.gethostname(), "nnsvm.pid": str(me.pid), "nnsvm.pid_start": f"{me.create_time():.3f}"}


def _process_gone(tags: Mapping[str, str]) -> bool:
    """True when the process that opened a run no longer runs (a run from another host: never)."""
    if "nnsvm.pid" not in tags:
        return True  # opened before runs carried their process: nothing can still be writing to it
    if tags.get("nnsvm.host") != socket.gethostname():
        return False
    try:
        started = psutil.Process(int(tags["nnsvm.pid"])).create_time()
    except (psutil.NoSuchProcess, ValueError):
        return True
    return abs(started - float(tags.get("nnsvm.pid_start", "0"))) > 1.0  # the PID was reused


def end_orphaned_runs(client: Any, experiment_ids: list[str]) -> list[str]:
    """End KILLED every RUNNING run of these experiments whose process no longer exists; return their IDs."""
    ended = []
    for run in client.search_runs(experiment_ids, "attributes.status = 'RUNNING'", max_results=5000):
        if _process_gone(run.data.tags):
            client.set_tag(run.info.run_id, "error", "killed: its process ended without closing the run")
            client.set_terminated(run.info.run_id, "KILLED")
            ended.append(run.info.run_id)
    if ended:
        log.warning("ended %d MLflow run(s) left RUNNING by a killed process: %s", len(ended), ", ".join(ended))
    return ended


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in params.items():
        flat |= flatten(value, f"{prefix}{key}.") if isinstance(value, Mapping) else {f"{prefix}{key}": value}
    return flat


RUNS_DIR = Path("reports/runs")  # one run record per stage, the report's stage table


def run_record_path(stage: str) -> Path:
    """``reports/runs/<stage>.json``: which MLflow run made a stage's outputs, and how long it took (the
    report's own lies beside the report, which reads ``reports/runs``)."""
    return Path("reports/report_run.json") if stage == "report" else RUNS_DIR / f"{stage}.json"


def host() -> dict[str, str]:
    """CPU, GPU (when torch is already loaded) and Python of this machine."""
    import platform
    import sys

    cpu = platform.processor() or platform.machine()
    with suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), cpu)
    torch = sys.modules.get("torch")
    gpu = torch.cuda.get_device_name(0) if torch is not None and torch.cuda.is_available() else "none used"
    return {"cpu": cpu, "gpu": gpu, "python": platform.python_version()}


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for the ``error`` tag."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()[:500]


@contextmanager
def stage_run(stage: str, *, params: Mapping[str, Any], params_digest: str = "-") -> Iterator[str]:
    """One MLflow run spanning one executed stage's process; yields its run ID.

    It starts at the process's start (imports included), so MLflow's Duration is the stage's real
    time. ``params`` (the stage's in ``dvc.yaml``: ``config.declared_params``) are logged flat. Tags:
    stage, git commit and dirtiness, params digest, the owning process (:func:`process_tags`). A stage
    that raises ends its run FAILED, the one-line error its ``error`` tag. Runs left RUNNING by a killed
    process are ended KILLED first. On success it writes the run record (:func:`run_record_path`).
    """
    root = project_root()
    uri = tracking_uri(root)
    own_store = "MLFLOW_TRACKING_URI" not in os.environ  # before MLflow, which sets it
    check_reachable(uri)
    logged = flatten(params)
    import mlflow

    mlflow.set_tracking_uri(uri)
    try:
        with _one_writer(uri):
            client = mlflow.MlflowClient()  # a new SQLite store runs its migrations here: one process at a time
            experiment_id = _experiment_id(client, experiment_of(stage), root, own_store)
        end_orphaned_runs(client, existing_experiment_ids(client))
    except Exception as exc:  # noqa: BLE001 - any store failure is the user's to fix
        raise NnsvmError(store_error(uri, exc)) from None
    commit, dirty = git_state(root)
    tags = {"stage": stage, "git_commit": commit, "git_dirty": str(dirty).lower(), "params_digest": params_digest}
    started = psutil.Process().create_time()
    run = client.create_run(experiment_id, start_time=int(started * 1000), tags=tags | process_tags(), run_name=stage)
    run_id = run.info.run_id
    with mlflow.start_run(run_id=run_id):
        mlflow.log_params({k: str(v)[:6000] for k, v in logged.items()})
        log.info("MLflow run %s (stage %s) in %s", run_id, stage, uri)
        try:
            yield run_id
        except BaseException as exc:
            mlflow.set_tag("error", one_line(exc))
            raise
        mlflow.log_metric("stage_wall_seconds", time.time() - started)
    info = client.get_run(run_id).info
    record = {
        "stage": stage,
        "run_id": run_id,
        "experiment": experiment_of(stage),
        "git_commit": commit,
        "git_dirty": dirty,
        "wall_seconds": round((info.end_time - info.start_time) / 1000, 1),  # MLflow's Duration
        "host": host(),
    }
    write_json(run_record_path(stage), record)


def existing_experiment_ids(client: Any) -> list[str]:
    """The IDs of those of :func:`experiment_names` the store holds."""
    found = (client.get_experiment_by_name(name) for name in experiment_names())
    return [e.experiment_id for e in found if e is not None]


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    import mlflow

    mlflow.log_metrics({k: float(v) for k, v in metrics.items()}, step=step)


def log_artifact(path: str | Path, artifact_path: str | None = None) -> None:
    import mlflow

    mlflow.log_artifact(str(path), artifact_path=artifact_path)


def log_claims(metrics: Mapping[str, float], figures: Iterable[str | Path]) -> None:
    """Log a stage's measurements (``measurement.measurement_metrics``) and the figures they cite, on the run
    the report names for them."""
    log_metrics(metrics)
    for path in figures:
        log_artifact(path, "figures")
