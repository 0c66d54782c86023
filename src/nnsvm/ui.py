"""The MLflow UI over the project's store: links that open in the model-training view, a server, screenshots.

MLflow 3's UI opens every experiment in its GenAI view ("Traces") unless the
page says otherwise: the ``mlflow.experimentKind`` tag set by tracking is not
enough in the versions that have a global GenAI / Model training switch, so
every link here carries ``workflowType=machine_learning``.

``python -m nnsvm.ui [PORT]`` prints the links; ``python -m nnsvm.ui serve [PORT]`` (``make ui``)
prints them and runs the server in the foreground; ``python -m nnsvm.ui screenshots [OUT]``
starts a one-worker server over the store and saves the comparison views as PNGs
under ``OUT`` (default ``reports/mlflow``), with headless Chromium.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from nnsvm import tracking_query
from nnsvm.core import tracking
from nnsvm.core.errors import NnsvmError

log = logging.getLogger(__name__)

WORKFLOW = "workflowType=machine_learning"
OUT = Path("reports/mlflow")


def server_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """``mlflow server`` over the project's store: one web worker (the default is four)."""
    root = tracking.project_root()
    if tracking.tracking_uri(root).startswith(("http://", "https://")):
        raise NnsvmError(f"MLFLOW_TRACKING_URI is a server ({tracking.tracking_uri(root)}): open it instead")
    return [
        *[sys.executable, "-m", "mlflow", "server"],
        *["--backend-store-uri", tracking.tracking_uri(root)],
        *["--default-artifact-root", str(root / "mlartifacts")],
        *["--host", host, "--port", str(port), "--workers", "1"],
    ]


def server_env() -> dict[str, str]:
    """No job runner (a huey consumer and its workers): no feature the project uses needs it."""
    return os.environ | {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(port: int | None = None, timeout_s: float = 180.0) -> Iterator[str]:
    """Run the UI server for the block; yields its base URL. Stops it (and its worker) afterwards."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as logfile:
        proc = subprocess.Popen(
            server_command(port), env=server_env(), stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_healthy(base, proc, timeout_s, logfile)
            yield base
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout_s: float, logfile: IO[bytes]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            logfile.seek(0)
            tail = logfile.read().decode(errors="replace")[-1500:]
            raise NnsvmError(f"the MLflow server exited ({proc.returncode}): {tail}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise NnsvmError(f"the MLflow server at {base} did not answer within {timeout_s:.0f} s")


def experiment_url(base: str, experiment_id: str, charts: bool = False) -> str:
    """The experiment's runs (``charts``: its chart view), in the model-training view."""
    mode = "&compareRunsMode=CHART" if charts else ""
    return f"{base}/#/experiments/{experiment_id}/runs?{WORKFLOW}{mode}"


def _json(value: object) -> str:
    return urllib.parse.quote(json.dumps(value, separators=(",", ":")))


def compare_url(base: str, run_ids: list[str], experiment_id: str) -> str:
    """MLflow's compare page for these runs: parallel coordinates, scatter and contour plots of params vs metrics."""
    return f"{base}/#/compare-runs?runs={_json(run_ids)}&experiments={_json([experiment_id])}&{WORKFLOW}"


def metric_url(base: str, metric: str, run_ids: list[str], experiment_id: str) -> str:
    """One metric's curves over steps, one per run (the query MLflow's own links to this page carry)."""
    query = f"runs={_json(run_ids)}&metric={_json(metric)}&experiments={_json([experiment_id])}"
    query += f"&plot_metric_keys={_json([metric])}&plot_layout=%7B%7D&x_axis=step&y_axis_scale=linear"
    query += "&line_smoothness=1&show_point=true&deselected_curves=%5B%5D&last_linear_y_axis_range=%5B%5D"
    return f"{base}/#/metric/?{query}&{WORKFLOW}"


# MLflow's metric page lists the runs in a table that shows this many rows without scrolling (a screenshot
# would hide the rest): a view of more runs is cut into parts of at most this many.
TABLE_ROWS = 6


def _chunks(run_ids: list[str], name: str) -> list[tuple[str, list[str]]]:
    """``[(name, run_ids)]``, or ``[(name_1, first part), (name_2, ...)]`` when there are more than TABLE_ROWS."""
    if not run_ids:
        return []
    parts = [run_ids[i : i + TABLE_ROWS] for i in range(0, len(run_ids), TABLE_ROWS)]
    return [(name, parts[0])] if len(parts) == 1 else [(f"{name}_{k}", p) for k, p in enumerate(parts, 1)]


def links(base: str) -> dict[str, str]:
    """``{experiment name: URL}`` for every experiment of the project in the store."""
    return {name: experiment_url(base, eid) for name, eid in tracking_query.experiment_ids().items()}


def views(base: str) -> dict[str, str]:
    """The views the README shows: file stem -> URL (Q3 runs, charts and seeds; Q6 candidates per grid run)."""
    ids = tracking_query.experiment_ids()
    found: dict[str, str] = {}
    q3 = ids.get(tracking.experiment_of("q3_train@"))
    if q3 is not None:
        found["q3_runs"] = experiment_url(base, q3)
        found["q3_charts"] = experiment_url(base, q3, charts=True)
        runs = [r for r in tracking_query.runs() if r["experiment_id"] == q3]
        groups = {
            "published": [r["run_id"] for r in runs if str(r["tags.stage"]).endswith("_published")],
            "ours": [r["run_id"] for r in runs if not str(r["tags.stage"]).endswith("_published")],
        }
        for group, models in groups.items():
            for metric in ("test_accuracy", "train_loss"):  # one curve per model: the mean over its seeds
                for part, chunk in _chunks(models, f"q3_{group}_{metric}"):
                    found[part] = metric_url(base, metric, chunk, q3)
        for run in runs:  # each multi-seed model's seeds, one curve per seed
            seeds = [c["run_id"] for c in tracking_query.child_runs(run["run_id"])]
            for part, chunk in _chunks(
                seeds if len(seeds) > 1 else [], f"q3_seeds_{str(run['tags.stage']).split('@')[-1]}"
            ):
                found[part] = metric_url(base, "test_accuracy", chunk, q3)
    q6 = ids.get(tracking.experiment_of("q6_grid@"))
    if q6 is not None:
        found["q6_runs"] = experiment_url(base, q6)
        for run in (r for r in tracking_query.runs() if r["experiment_id"] == q6):
            by_protocol: dict[str, list[str]] = {}
            for child in tracking_query.child_runs(run["run_id"]):
                by_protocol.setdefault(str(child.get("params.protocol")), []).append(child["run_id"])
            kernel = str(run["tags.stage"]).split("@")[-1]
            for protocol, candidates in sorted(by_protocol.items()):
                found[f"q6_{kernel}_{protocol}_candidates"] = compare_url(base, candidates, q6)
    if ids.get(tracking.experiment_name()) is not None:
        found["other_runs"] = experiment_url(base, ids[tracking.experiment_name()])
    return found


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"]
CHROMIUM_FLAGS += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        raise NnsvmError("no Chromium found (chromium, chromium-browser or google-chrome on PATH); install one")
    return found


def render(url: str, screenshot: Path | None = None, size: tuple[int, int] = (1800, 1200), budget_s: int = 60) -> str:
    """Load ``url`` in headless Chromium until the page settles: its DOM, or with ``screenshot`` a PNG there."""
    out = ["--dump-dom"] if screenshot is None else [f"--screenshot={screenshot.resolve()}"]
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"]
        command += [f"--virtual-time-budget={budget_s * 1000}", *out, url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=budget_s + 120)
    if result.returncode != 0:
        raise NnsvmError(f"chromium failed on {url} ({result.returncode}): {result.stderr[-500:]}")
    return result.stdout


def screenshots(out: Path = OUT, port: int | None = None) -> list[Path]:
    """Start the UI over the project's store and save each of :func:`views` as ``out/<view>.png``."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with serve(port) as base:
        for name, url in views(base).items():
            size = (1800, 1400) if "candidates" in name else (1800, 4000) if name.endswith("charts") else (1800, 1200)
            render(url, out / f"{name}.png", size)
            log.info("%s: %s", out / f"{name}.png", url)
            saved.append(out / f"{name}.png")
    for stale in set(out.glob("*.png")) - set(saved):  # views that no longer exist
        stale.unlink()
    return saved


def main(argv: list[str]) -> None:
    if argv[:1] == ["screenshots"]:
        for path in screenshots(Path(argv[1]) if len(argv) > 1 else OUT):
            print(path)
        return
    serving = argv[:1] == ["serve"]
    port = int(argv[1 if serving else 0]) if len(argv) > serving else 5000
    print("The project's experiments, in MLflow's model-training view:")
    for name, url in links(f"http://127.0.0.1:{port}").items():
        print(f"  {name}: {url}")
    if serving:  # `make ui`: the server in the foreground, stopped with Ctrl-C
        sys.stdout.flush()
        command = server_command(port)
        os.execve(command[0], command, server_env())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        main(sys.argv[1:])
    except NnsvmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
