"""Identical reruns: what a rerun recomputes comes out with the same bytes."""

import hashlib

import numpy as np
import pytest
import torch

from nnsvm.nets import checkpoint
from nnsvm.nets.models import build
from nnsvm.nets.params import ModelParams
from nnsvm.q6 import diagnose, final
from nnsvm.q6.grid import Candidate


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_equal_weights_give_a_byte_identical_checkpoint(tmp_path):
    """It writes the same bytes for the same weights, whatever temp name the atomic write used."""
    spec = ModelParams(arch="mlp", epochs=1, batch_size=8, lr=0.01, schedule="constant")
    torch.manual_seed(0)
    model = build(spec)
    checkpoint.save(tmp_path / "a.pt", spec, {42: model})
    checkpoint.save(tmp_path / "b.pt", spec, {42: model})
    assert sha(tmp_path / "a.pt") == sha(tmp_path / "b.pt")
    reloaded = checkpoint.load(str(tmp_path / "a.pt"), torch.device("cpu"))[0]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), reloaded.state_dict().values()))


def test_the_checkpoint_bytes_do_not_depend_on_the_file_name(tmp_path):
    """It does not let torch's archive name follow the file name (it did: the temp name went into the zip)."""
    spec = ModelParams(arch="mlp", epochs=1, batch_size=8, lr=0.01, schedule="constant")
    torch.manual_seed(0)
    checkpoint.save(tmp_path / "one.pt", spec, {1: build(spec)})
    torch.manual_seed(0)
    checkpoint.save(tmp_path / "another_name.pt", spec, {1: build(spec)})
    assert sha(tmp_path / "one.pt") == sha(tmp_path / "another_name.pt")
    assert b"archive/data.pkl" in (tmp_path / "one.pt").read_bytes()[:200]


def separable_digits(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Ten Gaussian clusters in 30 dimensions, overlapping enough that the SVM has many support vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(10, 30))
    y = np.arange(n) % 10
    return centres[y] + 2.5 * rng.normal(size=(n, 30)), y


@pytest.mark.parametrize("engine", ["sklearn", "sklearnex"])
def test_fitting_and_predicting_twice_gives_identical_coefficients_and_predictions(engine):
    """It refits the final SVM and predicts by libsvm's rule with the same result, bit for bit, on either engine."""
    x, y = separable_digits()
    x_train, y_train, x_test = x[:400], y[:400], x[400:]
    cand = Candidate("rbf", 10.0, 0.01, None, 0.0)
    first, second = (final.fit_svm(x_train, y_train, x_test, cand, engine) for _ in range(2))
    assert np.array_equal(first.model.support_, second.model.support_)
    assert np.array_equal(first.model.dual_coef_, second.model.dual_coef_)
    assert np.array_equal(first.model.intercept_, second.model.intercept_)
    one, two = (diagnose.rule_predictions(f.model, x_test) for f in (first, second))
    assert np.array_equal(one, two)
    assert 0.5 < np.mean(one == y[400:]) < 1.0  # a problem with errors to make, not a trivial one


@pytest.mark.system
@pytest.mark.serial
def test_a_forced_rerun_of_the_whole_pipeline_gives_the_same_dvc_lock(pipeline, tmp_path):
    """It reruns every stage of the tiny pipeline (`dvc repro -f`, on a copy) and finds dvc.lock unchanged: every
    DVC output has the same hash: Q1-A's timings and the MNIST origin record are not DVC outputs. The build
    ran its stages in the warm server's forks (nnsvm.warm), the rerun each in its own process
    (``NNSVM_WARM=0``), so this also finds that the server changes no output. Run alone (``serial``, after
    the parallel tests): built while another worker trained, mlp_shiftaug's checkpoint once differed from a
    quiet rerun's, not yet explained (1 and 2 quiet threads agree)."""
    import shutil

    from conftest import run_in

    work = tmp_path / "again"
    # a store of its own: the copied one's experiments name the first copy's artifact folder
    shutil.copytree(pipeline, work, symlinks=True, ignore=shutil.ignore_patterns("mlflow.db*", "mlartifacts"))
    before = (work / "dvc.lock").read_text()
    run_in(work, "dvc", "repro", "-f", env={"NNSVM_WARM": "0"})
    assert (work / "dvc.lock").read_text() == before
