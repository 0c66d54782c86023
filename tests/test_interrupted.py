"""Interrupted stages: a SIGKILL at any point leaves nothing taken for finished.

Each kill is injected in a child process at the point where a write is under way:
half the bytes out, then ``SIGKILL`` (no ``finally``, no ``atexit`` runs). The
fast tests cover every kind of write the stages make; the slow ones kill a
training stage after its first epoch and the report stage while it writes, under
``dvc repro`` on the tiny profile, then rerun and compare with an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, run_in

# Imported first by every Python process of a killed run: kills the process where
# NNSVM_TEST_KILL says (see _HOOK), so the kill lands inside the code under test.
_HOOK = textwrap.dedent(
    """
    import os, signal, sys, importlib.abc, importlib.util

    AT = os.environ.get("NNSVM_TEST_KILL", "")

    def die():
        sys.stdout.flush(); sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    if AT.startswith("write_text:"):  # half the text into a file of this name, then die
        import pathlib
        name, plain = AT.split(":", 1)[1], pathlib.Path.write_text
        def write_text(self, data, *args, **kwargs):
            if self.name == name or self.name.startswith("." + name + "."):
                plain(self, data[: len(data) // 2], *args, **kwargs)
                die()
            return plain(self, data, *args, **kwargs)
        pathlib.Path.write_text = write_text

    if AT == "epoch":  # die when the first training epoch has finished
        class Finder(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name != "nnsvm.nets.train":
                    return None
                sys.meta_path.remove(self)
                spec = importlib.util.find_spec(name)
                load = spec.loader.exec_module
                def exec_module(module):
                    load(module)
                    epoch = module.train_epoch
                    def train_epoch(*args, **kwargs):
                        out = epoch(*args, **kwargs)
                        die()
                        return out
                    module.train_epoch = train_epoch
                spec.loader.exec_module = exec_module
                return spec
        sys.meta_path.insert(0, Finder())
    """
)


def hook_dir(tmp_path: Path) -> Path:
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(_HOOK)
    return hooks


def killed(tmp_path: Path, at: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a child with the kill hook armed at ``at``; it must die by SIGKILL."""
    env = os.environ | {"NNSVM_TEST_KILL": at, "PYTHONPATH": f"{hook_dir(tmp_path)}:{REPO / 'src'}"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    return result


# --- every kind of write, killed half-way ------------------------------------


def test_a_readme_killed_mid_sync_keeps_its_headline_block(tmp_path):
    """It leaves README whole (old text) when `make readme` dies writing it; on main it was cut in half,
    which loses the end marker, so no rerun could ever restore the block."""
    from nnsvm import timings

    readme = tmp_path / "README.md"
    old = f"intro\n{timings.README_START}\nold table\n{timings.README_END}\ntail\n" + "words " * 200
    readme.write_text(old)
    (tmp_path / "headline.md").write_text("new table\n")
    killed(
        tmp_path,
        "write_text:README.md",
        "from pathlib import Path; from nnsvm import timings; "
        "timings.sync_readme_file(Path('README.md'), Path('headline.md'))",
    )
    assert readme.read_text() == old
    assert timings.sync_readme_file(readme, tmp_path / "headline.md")
    assert "new table" in readme.read_text() and readme.read_text().endswith("words " * 200)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".README")] == []


def test_a_split_killed_mid_save_leaves_no_file(tmp_path):
    """It writes the Q6 split atomically; on main ``np.savez`` left a half zip at the output's path."""
    code = """
        import numpy as np, numpy.lib.format as fmt, os, signal
        from nnsvm.q6.split import Split
        write, n = fmt.write_array, []
        def write_array(*a, **k):
            write(*a, **k); n.append(1)
            if len(n) == 2: os.kill(os.getpid(), signal.SIGKILL)
        fmt.write_array = write_array
        Split(np.arange(50), np.arange(50, 60), {"original": np.arange(10)}).save("q6/split.npz")
    """
    killed(tmp_path, "", code)
    assert not (tmp_path / "q6" / "split.npz").exists()


def test_the_split_file_is_byte_identical_when_rewritten(tmp_path):
    """It writes the same bytes for the same split (``np.savez`` stamped the time)."""
    import numpy as np

    from nnsvm.q6.split import Split

    split = Split(np.arange(50), np.arange(50, 60), {"original": np.arange(10)})
    split.save(tmp_path / "a.npz")
    split.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    again = Split.load(tmp_path / "a.npz")
    assert np.array_equal(again.train, split.train) and np.array_equal(again.grid["original"], np.arange(10))


def test_a_run_record_killed_mid_write_is_never_read_as_one(tmp_path):
    """It leaves no file the report reads as a run record; on main the hidden temp ``.x.json.*.json``
    matched ``*.json`` and the report stage read half a record."""
    from nnsvm import timings
    from nnsvm.core.io import write_json

    runs = tmp_path / "reports" / "runs"
    write_json(runs / "toy.json", {"stage": "toy"})
    killed(
        tmp_path,
        "write_text:q1.json",
        "from nnsvm.core.io import write_json; write_json('reports/runs/q1.json', {'stage': 'q1', 'pad': 'x' * 1000})",
    )
    assert not (runs / "q1.json").exists()
    assert timings.read_run_records(runs) == [{"stage": "toy"}]
    write_json(runs / "q1.json", {"stage": "q1"})  # the rerun
    assert sorted(p.name for p in runs.iterdir()) == ["q1.json", "toy.json"]


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("x.json", "from nnsvm.core.io import write_json; write_json('out/x.json', {'a': 1})"),
        (
            "x.pt",
            "from nnsvm.nets import checkpoint; from nnsvm.nets.models import build; "
            "from nnsvm.nets.params import ModelParams; "
            "s = ModelParams(arch='mlp', epochs=1, batch_size=8, lr=0.01, schedule='constant'); "
            "checkpoint.save('out/x.pt', s, {1: build(s)})",
        ),
        (
            "x.png",
            "import matplotlib.pyplot as plt; from nnsvm import plotting; fig = plt.figure(); "
            "plotting.save_figure(fig, 'out/x.png')",
        ),
    ],
)
def test_a_kill_before_the_rename_leaves_the_output_absent(tmp_path, target, code):
    """It never leaves an output half-written: killed before the rename, the path does not exist."""
    killed(tmp_path, "", "import os, signal; os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL); " + code)
    assert not (tmp_path / "out" / target).exists()


def test_mnist_killed_mid_swap_is_refetched_and_its_temp_dirs_removed(tmp_path, small_blobs, small_sums):
    """It leaves data/mnist whole or absent (never partial) and sweeps the temp dirs a kill left."""
    from conftest import write_mirror

    from nnsvm.data import mnist, mnist_fetch

    mirror = write_mirror(tmp_path / "mirror", small_blobs)
    code = f"""
        import os, signal
        from pathlib import Path
        from nnsvm.data import mnist, mnist_fetch
        rename, n = Path.rename, []
        def dying_rename(self, target):
            n.append(1)
            if len(n) == 2: os.kill(os.getpid(), signal.SIGKILL)  # old moved away, new not yet in place
            return rename(self, target)
        Path.rename = dying_rename
        blobs = {{k: (Path({str(mirror)!r}) / (k + '.gz')).read_bytes() for k in mnist.FILES}}
        import gzip
        blobs = {{k: gzip.decompress(v) for k, v in blobs.items()}}
        mnist_fetch.write_atomically(Path('data/mnist'), blobs, mnist_fetch.manifest_for(blobs, 'full'))
    """
    out = tmp_path / "data" / "mnist"
    mnist_fetch.write_atomically(out, small_blobs, mnist_fetch.manifest_for(small_blobs, "full"))
    killed(tmp_path, "", code)
    assert mnist.read_store(out) is None  # absent: not taken for data
    got = mnist_fetch.acquire(out, tmp_path / "origin.json", "full", [str(mirror)], 5, 1, expected=small_sums)
    assert got.written and mnist.read_store(out) is not None
    assert [p.name for p in out.parent.iterdir()] == ["mnist"]


# --- the pipeline, killed and rerun ---------------------------------------------


def masked(path: Path) -> bytes:
    """A file's bytes: with times and run IDs out of the hashed outputs, a rerun repeats them all."""
    return path.read_bytes()


def outputs(work: Path, paths: list[str]) -> dict[str, object]:
    files = {}
    for rel in paths:
        root = work / rel
        for f in sorted([root] if root.is_file() else root.rglob("*")):
            if f.is_file():
                files[str(f.relative_to(work))] = masked(f)
    return files


@pytest.fixture
def interrupted_copy(pipeline, tmp_path) -> Path:
    """A copy of the finished tiny pipeline, to kill stages in."""
    work = tmp_path / "project"
    shutil.copytree(pipeline, work, symlinks=True)
    return work


def repro_killed(work: Path, tmp_path: Path, at: str, stage: str) -> None:
    hooks = hook_dir(tmp_path)
    env = {"NNSVM_TEST_KILL": at, "PYTHONPATH": f"{hooks}:{work / 'src'}"}
    result = run_in(work, "dvc", "repro", "--force", "--single-item", stage, check=False, env=env)
    assert result.returncode != 0, result.stdout
    status = run_in(work, "dvc", "status", stage).stdout
    assert stage in status, f"DVC takes the killed {stage} for finished:\n{status}"


@pytest.mark.system
def test_a_training_stage_killed_after_its_first_epoch_reruns_to_the_same_outputs(interrupted_copy, tmp_path):
    """It leaves q3_train@mlp unfinished to DVC after a SIGKILL mid-training; `dvc repro` then redoes it
    with the outputs of the uninterrupted run, and leaves no temp file behind."""
    work = interrupted_copy
    outs = ["models/q3/mlp.pt", "reports/q3/train/mlp.json", "reports/q3/train_loss/mlp", "reports/q3/test_accuracy"]
    before = outputs(work, outs)
    repro_killed(work, tmp_path, "epoch", "q3_train@mlp")
    run_in(work, "dvc", "repro", "q3_train@mlp")
    assert outputs(work, outs) == before
    assert not [p for p in (work / "reports").rglob(".*") if p.is_file() and p.name != ".gitignore"]


@pytest.mark.system
def test_the_report_stage_killed_while_writing_reruns_to_the_same_report(interrupted_copy, tmp_path):
    """It leaves the report stage unfinished to DVC when killed mid-way through report.html, and no
    half report; `dvc repro` then writes the report an uninterrupted run writes."""
    work = interrupted_copy
    outs = ["reports/report.html", "reports/report.md", "reports/headline.md", "reports/verdicts.json"]
    before = outputs(work, outs)
    repro_killed(work, tmp_path, "write_text:report.html", "report")
    html = work / "reports" / "report.html"
    assert not html.exists() or masked(html) == before["reports/report.html"]  # never half: the old one or none
    run_in(work, "dvc", "repro", "report")
    assert outputs(work, outs) == before
