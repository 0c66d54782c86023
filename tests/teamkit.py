"""Helpers of the team tests: a PostgreSQL-backed MLflow server in a temp folder, and MLflow queries."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import run_in

from nnsvm.core.errors import NnsvmError
from nnsvm.server import Server, pg_bindir, start, stop, stop_mlflow

# .ci/run sets this: there the server test must run, never skip.
REQUIRE_ENV = "NNSVM_REQUIRE_SERVER"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_postgres() -> None:
    """Skip (fail where NNSVM_REQUIRE_SERVER is set) without PostgreSQL's server programs."""
    try:
        pg_bindir()
    except NnsvmError as exc:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but the server cannot start: {exc}")
        pytest.skip(f"no tracking server can start here: {exc}")


@contextmanager
def server_factory() -> Iterator[Callable[[bool], Server]]:
    """``make_server(auth)``: the MLflow server of one PostgreSQL cluster, restarted when ``auth`` changes.

    The cluster lives under /tmp (not pytest's 0700 tmp folder) so that user postgres can reach it.
    """
    need_postgres()
    home = Path(tempfile.mkdtemp(prefix="nnsvm-server-"))
    ports = (free_port(), free_port())
    current: list[Server] = []

    def make(auth: bool) -> Server:
        if current and current[0].auth == auth:
            return current[0]
        if current:
            stop_mlflow(current.pop())
        current.append(Server(home, ports[0], ports[1], auth))
        start(current[0])
        return current[0]

    try:
        yield make
    finally:
        stop(Server(home, ports[0], ports[1]))
        shutil.rmtree(home, ignore_errors=True)


def python_json(work: Path, code: str, env: dict[str, str | None]) -> object:
    """Run ``code`` (which prints one JSON value) with the copy's venv and library; the parsed value."""
    return json.loads(run_in(work, "python", "-c", code, env=env).stdout.strip().splitlines()[-1])


def stage_runs(work: Path, env: dict[str, str | None]) -> list[dict]:
    """Every top-level run of the project's experiment in the store ``env`` points at."""
    code = (
        "import json; from nnsvm import tracking_query; "
        "print(json.dumps([{k: r[k] for k in ('tags.stage', 'status', 'run_id')} for r in tracking_query.runs()]))"
    )
    return python_json(work, code, env)  # type: ignore[return-value]


# --- queued experiments -------------------------------------------------------------

QUEUE_SEEDS = (11, 12, 13)  # one queued experiment per q5.seed: reruns q5 and the report, nothing else


def commit_all(work: Path) -> None:
    """Commit the pipeline copy and its results (never the MLflow store), as a user's repo would be."""
    ignore = work / ".gitignore"
    ignore.write_text(
        (ignore.read_text() if ignore.exists() else "") + "/mlflow.db\n/mlflow.db-*\n/mlartifacts/\n__pycache__/\n"
    )
    for cmd in (
        ["git", "config", "user.email", "test@nnsvm"],
        ["git", "config", "user.name", "nnsvm test"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "base"],
    ):
        run_in(work, *cmd)


def run_queue(work: Path, env: dict[str, str | None], timeout_s: float = 1200) -> dict[int, str]:
    """Queue one experiment per seed, run them with `dvc queue start -j 2`; ``{seed: dvc queue logs}``."""
    import time

    for seed in QUEUE_SEEDS:
        run_in(work, "dvc", "exp", "run", "--queue", "-S", f"q5.seed={seed}", "--name", f"seed{seed}", env=env)
    run_in(work, "dvc", "queue", "start", "-j", "2", env=env)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = run_in(work, "dvc", "queue", "status", env=env).stdout
        if not any(word in status for word in ("Queued", "Running")):
            break
        time.sleep(5)
    else:
        run_in(work, "dvc", "queue", "stop", "--kill", check=False, env=env)
        raise AssertionError(f"queue still busy after {timeout_s} s:\n{status}")
    run_in(work, "dvc", "queue", "stop", check=False, env=env)  # workers gone before the temp folder is
    assert status.count("Success") == len(QUEUE_SEEDS), status
    return {s: run_in(work, "dvc", "queue", "logs", f"seed{s}", env=env).stdout for s in QUEUE_SEEDS}


def exp_metrics(work: Path, env: dict[str, str | None]) -> dict[int, dict]:
    """``{seed: {"rev", "kernels"}}`` of each queued experiment, from `dvc exp show --json`."""
    shown = json.loads(run_in(work, "dvc", "exp", "show", "--json", env=env).stdout)
    found: dict[int, dict] = {}

    def visit(node: object) -> None:
        if isinstance(node, list):
            for value in node:
                visit(value)
        if not isinstance(node, dict):
            return
        data = node.get("data") if "rev" in node else None
        if isinstance(data, dict) and (node.get("name") or "").startswith("seed"):
            seed = data["params"]["params.yaml"]["data"]["q5"]["seed"]
            found[seed] = {"rev": node["rev"], "kernels": data["metrics"]["reports/q5/kernels.json"]["data"]}
        for key, value in node.items():
            if key != "data":  # a revision's params and metrics hold no revisions
                visit(value)

    visit(shown)
    return found


def check_queue_against_mlflow(work: Path, env: dict[str, str | None], runs_before: int) -> None:
    """Every queued experiment's q5 and report runs arrived, once each, and agree with `dvc exp show`."""
    logs = run_queue(work, env)
    for seed, text in logs.items():
        assert "database is locked" not in text and "Traceback" not in text, (seed, text[-2000:])
    shown = exp_metrics(work, env)
    assert set(shown) == set(QUEUE_SEEDS)
    code = (
        "import json; from nnsvm import tracking_query; from nnsvm.core import tracking; import mlflow; "
        "print(json.dumps([{'stage': r['tags.stage'], 'status': r['status'], 'run_id': r['run_id'], "
        "'seed': r.get('params.q5.seed'), 'metrics': mlflow.get_run(r['run_id']).data.metrics} "
        "for r in tracking_query.runs()]))"
    )
    runs = python_json(work, code, env)
    assert isinstance(runs, list)
    assert len(runs) == runs_before + 2 * len(QUEUE_SEEDS)  # q5 and the report per experiment: none lost
    for seed, exp in shown.items():
        q5 = [r for r in runs if r["stage"] == "q5" and r["seed"] == str(seed)]
        assert len(q5) == 1 and q5[0]["status"] == "FINISHED", (seed, q5)
        metrics, kernels = q5[0]["metrics"], exp["kernels"]
        assert metrics["q5.rff_slope"] == kernels["rbf_rff"]["loglog_slope"]
        assert metrics["q5.cs_worst_ratio"] == max(k["cs_max_ratio"] for k in kernels["kernels"].values())
        assert metrics["q5.gram_min_eig_rel"] == min(k["min_eig_rel"] for k in kernels["kernels"].values())
        committed = json.loads(run_in(work, "git", "show", f"{exp['rev']}:reports/q5/measurements.json").stdout)
        assert committed["stage"] == "q5"  # measurement files name the stage; the run record names the run
        record = run_in(work, "git", "show", f"{exp['rev']}:reports/runs/q5.json", check=False)
        if record.returncode == 0:
            assert json.loads(record.stdout)["run_id"] == q5[0]["run_id"], seed
        for key, m in committed["measurements"].items():
            if m["value"] is not None and abs(m["value"]) != float("inf"):
                assert metrics[key] == m["value"], (seed, key)
    assert sum(r["stage"] == "report" and r["status"] == "FINISHED" for r in runs[: 2 * len(QUEUE_SEEDS)]) == 3
