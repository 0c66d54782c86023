"""Shared fixtures (small IDX mirrors made on the spot, the real mirror if set, the tiny pipeline) and the tiers.

Tiers (docs/testing.md): a test that requests the session fixture ``pipeline`` is marked
``e2e`` unless it is ``system``, and every one of them goes to the xdist group ``pipeline``,
so that under ``pytest -n 2 --dist loadgroup`` one worker builds the pipeline once and runs
its readers while the other runs the unit tests.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from nnsvm.data import mnist, toy

REPO = Path(__file__).resolve().parents[1]

# The assignment's toy sets, as a params dict (section toy of params.yaml): unit
# tests build their params from this, never from the committed params.yaml.
TOY = {
    "seed": 42,
    "clusters": {"centers": [[1.0, 1.0], [3.0, 3.0], [5.0, 5.0]], "std": 0.35, "n_per_class": 60},
    "four_points": {"points": [[1, 4], [2, 3], [4, 5], [5, 6]], "labels": [1, 1, -1, -1]},
    "db1": {"pattern": "++---++", "start": 1.0, "spacing": 1.0},
    "db2": {"radii": [1.0, 3.0], "labels": [-1, 1], "n_per_ring": 40, "noise": 0.2},
    "db3": {"radii": [1.0, 3.0, 5.0], "labels": [-1, 1, -1], "n_per_ring": 48, "noise": 0.2},
}


def toy_params() -> toy.ToyParams:
    """The toy section as a validated model, built from ``TOY``."""
    return toy.ToyParams.model_validate(TOY)


def make_blobs(n_train: int = 20, n_test: int = 10, seed: int = 0) -> dict[str, bytes]:
    """Four small, valid IDX files (28x28 images, labels 0..9)."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8),
    }
    return {name: mnist.encode_idx(a) for name, a in arrays.items()}


def write_mirror(directory: Path, blobs: dict[str, bytes], compress: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, blob in blobs.items():
        if compress:
            (directory / f"{name}.gz").write_bytes(gzip.compress(blob, mtime=0))
        else:
            (directory / name).write_bytes(blob)
    return directory


@pytest.fixture(autouse=True)
def _isolate_tracking_env(monkeypatch):
    """MLflow's set_tracking_uri writes MLFLOW_TRACKING_URI into os.environ; keep it from leaking between tests."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "unset-by-test")
    monkeypatch.delenv("MLFLOW_TRACKING_URI")


@pytest.fixture
def small_blobs() -> dict[str, bytes]:
    return make_blobs()


@pytest.fixture
def small_sums(small_blobs: dict[str, bytes]) -> dict[str, str]:
    return {name: mnist.sha256(blob) for name, blob in small_blobs.items()}


@pytest.fixture
def real_mirror() -> str:
    """The MNIST mirror named by NNSVM_MNIST_MIRROR (CI sets it); tests needing full MNIST skip without it."""
    mirror = os.environ.get("NNSVM_MNIST_MIRROR")
    if not mirror:
        pytest.skip("NNSVM_MNIST_MIRROR is not set: no full MNIST to test against")
    return mirror


# --- the pipeline in a temp dir ----------------------------------------------

PIPELINE_FILES = ("dvc.yaml", "stages", "src", "claims", "requirements.lock")


def deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = (
            deep_merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
        )
    return merged


def copy_pipeline(dest: Path, overrides: dict | None = None) -> Path:
    """A fresh git + DVC repo at ``dest`` holding the pipeline and params.yaml with ``overrides``."""
    import shutil
    import subprocess

    import yaml

    dest.mkdir(parents=True)
    for name in PIPELINE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(src, dest / name)
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    (dest / "params.yaml").write_text(yaml.safe_dump(deep_merge(params, overrides or {}), sort_keys=False))
    for cmd in (["git", "init", "-q"], ["dvc", "init", "-q"], ["dvc", "config", "core.analytics", "false"]):
        subprocess.run(cmd, cwd=dest, env=pipeline_env(dest), check=True, capture_output=True)
    return dest


def pipeline_env(work: Path, overrides: dict[str, str | None] | None = None) -> dict[str, str]:
    """The environment a stage gets from `make repro`: the venv first, this copy's library.

    ``overrides`` set variables, or unset those given as None.
    """
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(work / "src")
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    # Each copy's PYTHONPATH gets its own warm server (nnsvm.warm, about 1 GB): gone 20 s after its last stage.
    env.setdefault("NNSVM_WARM_IDLE_S", "20")
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_in(work: Path, *cmd: str, check: bool = True, env: dict[str, str | None] | None = None):
    import subprocess

    result = subprocess.run(
        list(cmd), cwd=work, env=pipeline_env(work, env), capture_output=True, text=True, timeout=1800
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


PIPELINE_GROUP = "pipeline"


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, worker_id) -> Path:
    """The whole pipeline run once with `dvc repro` on the tiny profile (tests/tiny_params.yaml).

    Session-scoped, hence once per xdist worker: the collection hook below keeps every test that
    asks for it on one worker. Each build is noted in ``pipeline-builds.txt`` beside the
    workers' temp folders and reported at the end (more than one build is a grouping bug).
    """
    import time

    import yaml

    overrides = yaml.safe_load((REPO / "tests" / "tiny_params.yaml").read_text())
    work = copy_pipeline(tmp_path_factory.mktemp("e2e") / "project", overrides)
    start = time.perf_counter()
    run_in(work, "dvc", "repro")
    with open(_builds_file(tmp_path_factory), "a") as notes:
        notes.write(f"{worker_id} {time.perf_counter() - start:.0f}\n")
    return work


def _builds_file(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return (base.parent if base.name.startswith("popen-gw") else base) / "pipeline-builds.txt"


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """The xdist worker's name (``gw0``...), ``master`` without xdist."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def pytest_itemcollected(item):
    """Mark a pipeline reader ``e2e`` and put every test that uses the pipeline in one xdist group.

    Done as each test is collected, before xdist's own collection hook reads the group marks.
    """
    if "pipeline" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group(PIPELINE_GROUP))
        if item.get_closest_marker("system") is None:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On an xdist worker under ``--dist loadgroup``: the group's suffix on each grouped test's node ID.

    pytest-xdist 3.8 groups tests by renaming them ``<node ID>@<group>`` through ``item._nodeid``, which
    pytest 9 no longer reads (a node ID is now the structured ``item._id``), so the group fell apart and
    both workers built the pipeline. This renames them the pytest 9 way; it does nothing where xdist's
    own renaming took.
    """
    if not getattr(config.option, "loadgroup", False) or not items or not hasattr(items[0], "_id"):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is not None and "@" not in item.nodeid.rpartition("]")[2]:
            item._id = NodeId.parse(f"{item.nodeid}@{mark.args[0]}")


def pytest_terminal_summary(terminalreporter, config):
    """Per tier: how many tests ran and the seconds they took (summed over workers); and the pipeline builds."""
    totals: dict[str, list[float]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            keywords = getattr(report, "keywords", {})
            tier = "system" if "system" in keywords else "e2e" if "e2e" in keywords else "unit"
            entry = totals.setdefault(tier, [0.0, 0.0])
            entry[0] += report.when == "call"
            entry[1] += getattr(report, "duration", 0.0)
    if totals:
        terminalreporter.write_sep("-", "time per tier (seconds of test time, summed over workers)")
        for tier, (count, seconds) in sorted(totals.items()):
            terminalreporter.write_line(f"{tier:<7s} {int(count):4d} tests {seconds:8.1f} s")
    builds_file = _builds_file(config._tmp_path_factory) if hasattr(config, "_tmp_path_factory") else None
    if builds_file is not None and builds_file.exists():
        builds = builds_file.read_text().split()
        terminalreporter.write_line(
            "pipeline fixture built " + ", ".join(f"on {w} in {s} s" for w, s in zip(builds[::2], builds[1::2]))
        )
