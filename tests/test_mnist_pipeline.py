"""MNIST under DVC: the same bytes get the same lock entry wherever they came from, full data is never
replaced by the subset, and an experiment reruns only the stages its change reaches.

Most tests run the mnist stage on a tiny stand-in for MNIST (the copy's canonical sums are the stand-in's);
the experiment tests reuse the end-to-end pipeline (tiny profile) of conftest.
"""

import json
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_pipeline, make_blobs, run_in, write_mirror

from nnsvm.data import mnist, mnist_fetch

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("mnist_pipeline")]  # one worker: its fixtures built once

NO_MIRROR_ANSWERS = {"data": {"mnist": {"mirrors": ["http://127.0.0.1:9/"], "timeout_s": 1}}}
# What `-S toy.seed=7` reaches: the seed moves the clusters and rings, not the four points (q4_svm) or DB1.
TOY_CHANGE_REACHES = {"toy", "q1", "q2", "q4_maps", "report"}


def stand_in_project(dest: Path, blobs: dict[str, bytes]) -> Path:
    """The pipeline in a fresh repo that takes ``blobs`` as full MNIST, with no configured mirror answering."""
    work = copy_pipeline(dest, NO_MIRROR_ANSWERS)
    module = work / "src" / "nnsvm" / "data" / "mnist.py"
    text = module.read_text()
    for name, blob in blobs.items():
        text = text.replace(mnist.CANONICAL_SHA256[name], mnist.sha256(blob))
    module.write_text(text)
    return work


def repro_mnist(work: Path, mirror: str | None):
    """`dvc repro mnist` with NNSVM_MNIST_MIRROR set to ``mirror``, or unset."""
    return run_in(work, "dvc", "repro", "mnist", env={"NNSVM_MNIST_MIRROR": mirror})


def lock_entry(lock_text: str, path: str = "data/mnist") -> dict:
    """The mnist stage's ``dvc.lock`` entry for ``path``."""
    return next(o for o in yaml.safe_load(lock_text)["stages"]["mnist"]["outs"] if o["path"] == path)


def origin(work: Path) -> dict:
    return json.loads((work / "reports" / "data" / "mnist_origin.json").read_text())


def commit_all(work: Path) -> None:
    shutil.copy2(REPO / ".gitignore", work / ".gitignore")
    run_in(work, "git", "add", "-A")
    run_in(work, "git", "-c", "user.name=nnsvm", "-c", "user.email=nnsvm@example.invalid", "commit", "-qm", "baseline")


@pytest.fixture(scope="module")
def stand_in() -> dict[str, bytes]:
    return make_blobs(n_train=30, n_test=10)


def test_fetches_from_two_paths_and_a_url_get_one_lock_entry(tmp_path, stand_in):
    """It records the same data/mnist hash in dvc.lock for the same files fetched from two paths and a file:// URL."""
    mirrors = [
        str(write_mirror(tmp_path / "mirror-a", stand_in)),
        str(write_mirror(tmp_path / "far" / "away" / "mirror-b", stand_in, compress=False)),
        write_mirror(tmp_path / "mirror-c", stand_in).as_uri(),
    ]
    entries, origins = [], []
    for i, mirror in enumerate(mirrors):
        work = stand_in_project(tmp_path / f"clone-{i}", stand_in)
        repro_mnist(work, mirror)
        entries.append(lock_entry((work / "dvc.lock").read_text()))
        origins.append(origin(work)["origin"])
    assert entries[0] == entries[1] == entries[2]
    assert entries[0]["md5"].endswith(".dir") and entries[0]["nfiles"] == 5
    assert origins == [Path(mirrors[0]).resolve().as_uri(), Path(mirrors[1]).resolve().as_uri(), mirrors[2]]


def test_fresh_clone_with_the_mirror_elsewhere_matches_the_committed_lock(tmp_path, stand_in):
    """It gives a fresh clone, its mirror at another path, the data/mnist entry of the committed dvc.lock."""
    first = stand_in_project(tmp_path / "first", stand_in)
    repro_mnist(first, str(write_mirror(tmp_path / "mine", stand_in)))
    commit_all(first)
    run_in(tmp_path, "git", "clone", "-q", str(first), "clone")
    clone = tmp_path / "clone"
    assert not (clone / "data" / "mnist").exists()
    repro_mnist(clone, str(write_mirror(tmp_path / "theirs" / "mnist", stand_in, compress=False)))
    committed = run_in(clone, "git", "show", "HEAD:dvc.lock").stdout
    assert lock_entry((clone / "dvc.lock").read_text()) == lock_entry(committed)


def test_full_data_missing_from_the_workspace_comes_back_from_the_dvc_cache(tmp_path, stand_in):
    """It restores the full set that dvc.lock names from the DVC cache when the workspace lacks it and no mirror
    answers, rather than falling back to the subset."""
    work = stand_in_project(tmp_path / "project", stand_in)
    repro_mnist(work, str(write_mirror(tmp_path / "mirror", stand_in)))
    before = lock_entry((work / "dvc.lock").read_text())
    shutil.rmtree(work / "data" / "mnist")
    result = repro_mnist(work, None)
    assert mnist.read_manifest(work / "data" / "mnist")["source"] == "full"
    assert origin(work)["route"] == "dvc-cache"
    assert lock_entry((work / "dvc.lock").read_text()) == before
    assert mnist.SUBSET_WARNING not in result.stdout + result.stderr


def test_a_cached_copy_that_dvc_lock_does_not_name_is_found(tmp_path, stand_in):
    """It finds the four files in the DVC cache from a copy no dvc.lock names (e.g. the lock came from elsewhere)."""
    run_in(tmp_path, "git", "init", "-q")
    run_in(tmp_path, "dvc", "init", "-q")
    write_mirror(tmp_path / "old" / "mnist", stand_in, compress=False)
    run_in(tmp_path, "dvc", "add", "-q", "old/mnist")
    shutil.rmtree(tmp_path / "old" / "mnist")
    copies = mnist_fetch.dvc_cached_copies(Path("data/mnist"), root=tmp_path)
    assert len(copies) == 1
    assert {name: path.read_bytes() for name, path in copies[0][0].items()} == stand_in


def test_committed_lock_holds_the_content_hash_of_full_mnist(tmp_path, real_mirror):
    """It gives a fresh copy, its mirror anywhere, the data/mnist entry of the committed dvc.lock (full MNIST)."""
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    for name in mnist.FILES:
        found = next(p for p in (Path(real_mirror) / f"{name}.gz", Path(real_mirror) / name) if p.exists())
        (elsewhere / found.name).symlink_to(found.resolve())
    work = copy_pipeline(tmp_path / "project", NO_MIRROR_ANSWERS)
    shutil.copy2(REPO / "dvc.lock", work / "dvc.lock")
    repro_mnist(work, str(elsewhere))
    assert lock_entry((work / "dvc.lock").read_text()) == lock_entry((REPO / "dvc.lock").read_text())


# --- a queued experiment -------------------------------------------------------


def wait_for(work: Path, name: str, timeout_s: float = 900) -> str:
    """The final status (Success or Failed) of the queued experiment ``name``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in run_in(work, "dvc", "queue", "status").stdout.splitlines():
            if name in line and ("Success" in line or "Failed" in line):
                return "Success" if "Success" in line else "Failed"
        time.sleep(5)
    raise AssertionError(f"experiment {name} still queued or running after {timeout_s} s")


def fresh_store_and_state(directory: str, names: list[str]) -> list[str]:
    """What a copy of a project leaves out: the MLflow store and .dvc/tmp (DVC's locks, state and queue)."""
    return [
        n for n in names if n.startswith("mlflow.db") or n == "mlartifacts" or f"{directory}/{n}".endswith(".dvc/tmp")
    ]


@pytest.fixture(scope="module")
def toy_experiment(pipeline, tmp_path_factory) -> dict:
    """The end-to-end pipeline, committed, then `dvc exp run --queue -S toy.seed=7` run by a queue worker started
    without NNSVM_MNIST_MIRROR; MLflow starts empty, so its runs are the experiment's."""
    work = tmp_path_factory.mktemp("exp") / "project"
    shutil.copytree(pipeline, work, symlinks=True, ignore=fresh_store_and_state)
    commit_all(work)
    run_in(work, "dvc", "exp", "run", "--queue", "-S", "toy.seed=7", "-n", "toy-seed-7")
    run_in(work, "dvc", "queue", "start", env={"NNSVM_MNIST_MIRROR": None})
    status = wait_for(work, "toy-seed-7")
    logs = run_in(work, "dvc", "queue", "logs", "toy-seed-7").stdout
    assert status == "Success", logs
    ref = run_in(work, "git", "for-each-ref", "--format=%(refname)", "refs/exps").stdout.split()[0]
    code = (
        "import json; from nnsvm import tracking_query; "
        "print(json.dumps([r['tags.stage'] for r in tracking_query.runs()]))"
    )
    return {
        "work": work,
        "logs": logs,
        "dvc_ran": set(re.findall(r"Running stage '([^']+)'", logs)),
        "mlflow_ran": json.loads(run_in(work, "python", "-c", code).stdout),
        "baseline_lock": (work / "dvc.lock").read_text(),
        "experiment_lock": run_in(work, "git", "show", f"{ref}:dvc.lock").stdout,
    }


def test_toy_experiment_runs_only_the_stages_its_change_reaches(toy_experiment):
    """It runs toy, the question stages that read the changed toy sets and the report, and nothing of Q3 or Q6
    (mnist only re-checks its data, writing nothing)."""
    assert sorted(toy_experiment["mlflow_ran"]) == sorted(TOY_CHANGE_REACHES), toy_experiment["logs"]
    assert toy_experiment["dvc_ran"] == TOY_CHANGE_REACHES | {"mnist"}, toy_experiment["logs"]


def test_queued_experiment_without_a_mirror_keeps_full_mnist(toy_experiment, real_mirror):
    """It keeps the full set, same hash, in an experiment queued with no mirror variable set."""
    baseline = mnist.read_manifest(toy_experiment["work"] / "data" / "mnist")
    assert baseline["source"] == "full"
    assert lock_entry(toy_experiment["experiment_lock"]) == lock_entry(toy_experiment["baseline_lock"])
    assert mnist.SUBSET_WARNING not in toy_experiment["logs"]
