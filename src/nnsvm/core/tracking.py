"""The one place a stage talks to MLflow (reading runs back: :mod:`nnsvm.tracking_query`, for the UI and tests).

Default store: SQLite ``mlflow.db`` at the project root, artifacts under
``mlartifacts/``, both addressed by absolute path so that runs started by
``dvc exp run --temp`` or ``--queue`` (which execute in a copy under
``.dvc/tmp/exps/``) land in the same store. ``MLFLOW_TRACKING_URI`` overrides.
MLflow is imported lazily, so stages that do no work never pay for it; a stage's fixed cost
(the MLflow import, its store, the params) is measured by benchmarks/stage_overhead.py.
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


def git_dirty(root: Path) -> bool | None:
    """Whether tracked files other than the pipeline's own outputs differ from HEAD (None: not a git tree).

    ``reports/`` and ``dvc.lock`` are left out: a running pipeline rewrites them itself.
    """
    command = ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!reports", ":!dvc.lock"]
    try:
        out = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def _experiment_id(client: Any, name: str, root: Path, own_store: bool) -> str:
    experiment = client.get_experiment_by_name(name)
    suffix = name[len(experiment_name()) + 1 :] if name != experiment_name() else ""
    tags = EXPERIMENT_TAGS | {"mlflow.note.content": NOTES.get(suffix, "")}
    if experiment is not None:
        for key, value in tags.items():  # stores made before the tags were set
            if experiment.tags.get(key) != value:
                client.set_experiment_tag(experiment.experiment_id, key, value)
        return experiment.experiment_id
    # Only our own SQLite store gets the project's artifact folder; a server
    # keeps its own artifact root.
    location = (root / "mlartifacts").as_uri() if own_store else None
    return client.create_experiment(name, artifact_location=location, tags=tags)


def process_tags() -> dict[str, str]:
    """Which process owns a run: a run RUNNING whose process is gone was killed (:func:`end_orphaned_runs`)."""
    import socket

    me = psutil.Process()
    return {"nnsvm.host": socket.gethostname(), "nnsvm.pid": str(me.pid), "nnsvm.pid_start": f"{me.create_time():.3f}"}


def _process_gone(tags: Mapping[str, str]) -> bool:
    """True when the process that opened a run no longer runs (a run from another host: never)."""
    import socket

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

    Read from ``dvc.yaml`` and ``params.yaml`` the way DVC reads them (plain stages and ``foreach``
    stages, ``${key}``/``${item}`` in param names), in milliseconds; anything else (``matrix``,
    other params files, other ``${...}``, a missing key) goes through ``dvc.api.params_show``,
    which costs most of a second. tests/test_tracking.py checks both agree on every stage.
    """
    try:
        fast = _declared_params(stage)
    except _NeedsDvc:
        fast = None
    return fast if fast is not None else _dvc_params(stage)


class _NeedsDvc(Exception):
    """A dvc.yaml construct the fast reader leaves to DVC."""


def _declared_params(stage: str) -> dict[str, Any]:
    import re

    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    # DVC's own loader (YAML 1.2): PyYAML would read 1.0e6 as a string.
    loader = YAML(typ="safe")
    try:
        stages = loader.load(Path("dvc.yaml").read_text())["stages"]
        values = loader.load(Path("params.yaml").read_text())
    except (OSError, KeyError, TypeError, YAMLError):
        raise _NeedsDvc from None
    name, _, key = stage.partition("@")
    entry = stages.get(name) if isinstance(stages, dict) else None
    if not isinstance(entry, dict) or "matrix" in entry or "vars" in entry:
        raise _NeedsDvc
    context: dict[str, Any] = {}
    if "foreach" in entry:
        items = _interpolate(entry["foreach"], values)
        if isinstance(items, dict) and key in items:
            context = {"key": key, "item": items[key]}
        elif isinstance(items, list) and key in [str(i) for i in items] and not isinstance(items[0], dict):
            context = {"item": key}
        else:
            raise _NeedsDvc
        entry = entry.get("do") or {}
    elif key:
        raise _NeedsDvc
    found: dict[str, Any] = {}
    for declared in entry.get("params") or []:
        if not isinstance(declared, str):
            raise _NeedsDvc  # another params file
        dotted = re.sub(r"\$\{(\w+)\}", lambda m: _scalar(context, m.group(1)), declared)
        _put(found, dotted.split("."), _get(values, dotted.split(".")))
    return found


def _interpolate(value: Any, values: Mapping[str, Any]) -> Any:
    """``${a.b}`` -> the value at ``a.b`` of params.yaml; a literal list or mapping as it is."""
    if isinstance(value, str):
        if not (value.startswith("${") and value.endswith("}")):
            raise _NeedsDvc
        return _get(values, value[2:-1].split("."))
    return value


def _scalar(context: Mapping[str, Any], name: str) -> str:
    value = context.get(name)
    if value is None or isinstance(value, dict | list):
        raise _NeedsDvc
    return str(value)


def _get(values: Any, keys: list[str]) -> Any:
    for part in keys:
        if not isinstance(values, dict) or part not in values:
            raise _NeedsDvc  # DVC words the error
        values = values[part]
    return values


def _put(found: dict[str, Any], keys: list[str], value: Any) -> None:
    for part in keys[:-1]:
        found = found.setdefault(part, {})
    found[keys[-1]] = value


def _dvc_params(stage: str) -> dict[str, Any]:
    """The params of ``stage`` through DVC itself."""
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


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for the ``error`` tag."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()[:500]


@contextmanager
def stage_run(
    stage: str,
    *,
    params: Mapping[str, Any] | None = None,
    params_digest: str = "-",
) -> Iterator[str]:
    """One MLflow run spanning one executed stage's process; yields its run ID.

    The run starts at the process's start time (imports and param checks
    included), so MLflow's Duration is the stage's real time; it ends when the
    stage's work ends. ``params`` default to the stage's params in ``dvc.yaml``
    (:func:`stage_params`), logged flat. Tags: stage, git commit, whether the
    tree was dirty, params digest, the owning process (:func:`process_tags`);
    :func:`tag_data` adds the data's. A stage that raises ends its run FAILED
    with the one-line error as the ``error`` tag. Runs left RUNNING by a killed
    process are ended KILLED first (:func:`end_orphaned_runs`). On success the
    stage's run record is written (:func:`run_record_path`), its seconds MLflow's.
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
            client = mlflow.MlflowClient()  # a new SQLite store runs its migrations here: one process at a time
            experiment_id = _experiment_id(client, experiment_of(stage), root, own_store)
        end_orphaned_runs(client, existing_experiment_ids(client))
    except Exception as exc:  # noqa: BLE001 - any store failure is the user's to fix
        raise NnsvmError(store_error(uri, exc)) from None
    commit, dirty = git_commit(root), git_dirty(root)
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


def tag_data(digest: str, source: str) -> None:
    """Tag the active run with the digest and source (``full``, ``subset``, ``generated``) of the data it read."""
    import mlflow

    mlflow.set_tags({"data_digest": digest, "data_source": source})


def use_data(name: str, path: str | Path, digest: str, source: str, context: str = "training") -> None:
    """The data a stage reads: :func:`tag_data` and a dataset input (:func:`log_dataset`) of the active run."""
    tag_data(digest, source)
    log_dataset(name, source=Path(path).resolve().as_uri(), digest=digest, context=context)


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


def log_claims(metrics: Mapping[str, float], figures: Iterable[str | Path]) -> None:
    """Log the numbers behind a stage's claims (``claims.claim_metrics``) and the figures they cite.

    This is the run the claims file names, so the report's numbers can be checked against it.
    """
    log_metrics(metrics)
    for path in figures:
        log_artifact(path, "figures")
