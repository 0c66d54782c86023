"""Stage entry points: user mistakes give one line, a non-zero exit and no output."""

import pytest
from conftest import REPO, copy_pipeline, make_blobs, run_in, write_mirror


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """One pipeline copy with the committed params, for commands that must fail before writing anything."""
    return copy_pipeline(tmp_path_factory.mktemp("cli") / "p")


def test_param_typo_prints_one_line_and_exits_nonzero(tmp_path):
    """It names the misspelt key on one line, exits 2 and writes no data."""
    work = copy_pipeline(tmp_path / "p", {"data": {"mnist": {"sourse": "full"}}})
    result = run_in(work, "python", "-m", "stages.mnist", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "data.mnist.sourse: unknown key" in lines[0]
    assert not (work / "data").exists()


@pytest.mark.parametrize(
    ("stage", "item", "message"),
    [
        ("q3_train", "mlpp", "unknown Q3 model 'mlpp'"),
        ("q6_grid", "rbff", "kernel 'rbff' unknown"),
        ("q6_final", "publishd", "protocol 'publishd' unknown"),
    ],
)
def test_unknown_foreach_item_prints_one_line_and_exits_nonzero(untouched, stage, item, message):
    """It names the unknown model, kernel or protocol on one line, exits 2 and starts no MLflow run."""
    work = untouched
    result = run_in(work, "python", "-m", f"stages.{stage}", item, check=False)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"nnsvm {stage}@{item}: error:") and message in line
    assert not (work / "reports").exists() and not (work / "mlflow.db").exists()


def test_corrupt_mirror_names_file_and_checksum_and_writes_nothing(tmp_path, real_mirror):
    """It names the damaged file and its checksum, and leaves data/mnist absent."""
    import shutil
    from pathlib import Path

    bad = tmp_path / "bad-mirror"
    shutil.copytree(Path(real_mirror), bad)
    labels = bad / "t10k-labels-idx1-ubyte.gz"
    import gzip

    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[100] ^= 1
    labels.chmod(0o644)
    labels.write_bytes(gzip.compress(bytes(raw)))
    work = copy_pipeline(tmp_path / "p", {"data": {"mnist": {"source": "full", "mirrors": [str(bad)]}}})
    env_result = run_in(work, "env", f"NNSVM_MNIST_MIRROR={bad}", "python", "-m", "stages.mnist", check=False)
    assert env_result.returncode == 2
    (line,) = env_result.stderr.strip().splitlines()
    assert "t10k-labels-idx1-ubyte" in line and "SHA-256" in line and "ff7bcfd416de" in line
    assert not (work / "data" / "mnist").exists()


def test_mirror_of_non_mnist_files_is_refused(tmp_path):
    """It fails cleanly on a mirror of non-MNIST files rather than storing them."""
    mirror = write_mirror(tmp_path / "m", make_blobs())
    work = copy_pipeline(tmp_path / "p", {"data": {"mnist": {"source": "full", "mirrors": [str(mirror)]}}})
    result = run_in(work, "env", "-u", "NNSVM_MNIST_MIRROR", "python", "-m", "stages.mnist", check=False)
    assert result.returncode == 2 and "does not match the canonical" in result.stderr
    assert not (work / "data" / "mnist").exists()


QUICK_EXIT = """
import atexit, sys, threading, time
from pathlib import Path
from nnsvm.core.cli import run_stage
from nnsvm.core.errors import NnsvmError

def main():
    atexit.register(lambda: Path("atexit.txt").write_text("ran"))
    threading.Thread(target=lambda: (time.sleep(0.3), Path("thread.txt").write_text("done"))).start()
    print("printed, unflushed", end="")
    if sys.argv[1] == "fail":
        raise NnsvmError("bad input")

run_stage("demo", main)
raise SystemExit("run_stage returned")
"""


@pytest.mark.parametrize(("outcome", "code"), [("ok", 0), ("fail", 2)])
def test_a_stage_exits_quickly_yet_finishes_its_threads_handlers_and_output(tmp_path, outcome, code):
    """It exits with the stage's status after its threads end, its exit handlers run and its output is flushed."""
    import subprocess
    import sys

    from conftest import pipeline_env

    script = tmp_path / "demo.py"
    script.write_text(QUICK_EXIT)
    env = pipeline_env(tmp_path) | {"PYTHONPATH": str(REPO / "src")}
    result = subprocess.run(
        [sys.executable, str(script), outcome], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == code, result.stderr
    assert result.stdout == "printed, unflushed"
    assert (tmp_path / "atexit.txt").read_text() == "ran" and (tmp_path / "thread.txt").read_text() == "done"
    assert ("nnsvm demo: error: bad input" in result.stderr) == (outcome == "fail")
