"""params.yaml values that used to validate and then crash, and files that raised raw Python errors."""

import random
import sys

import numpy as np
import pytest
import yaml
from conftest import REPO

from nnsvm.core.config import MAX_SEED, load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.seeding import seed_everything
from nnsvm.data.toy import ToyParams
from nnsvm.params import load_params
from nnsvm.q3.params import Q3Params


def write_params(tmp_path, edit):
    """The committed params.yaml (the subject here), edited in place by ``edit``, under ``tmp_path``."""
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    edit(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


SEEDS = [("toy",), ("q2",), ("q3",), ("q5",), ("q6", "split")]


def put(raw: dict, keys: tuple[str, ...], value) -> None:
    for key in keys[:-1]:
        raw = raw[key]
    raw[keys[-1]] = value


@pytest.mark.parametrize("section", SEEDS, ids=".".join)
def test_a_seed_numpy_cannot_take_is_refused(tmp_path, section):
    """It refuses seed 2**32, which NumPy's legacy seeding (in seed_everything) rejects."""
    path = write_params(tmp_path, lambda p: put(p, (*section, "seed"), 2**32))
    with pytest.raises(NnsvmError, match=rf"{'.'.join(section)}\.seed: .*less than or equal to {MAX_SEED}"):
        load_params(path)


def test_the_largest_seed_loads_and_seeds(tmp_path, monkeypatch):
    """It accepts seed 2**32 - 1, and seed_everything takes it."""
    monkeypatch.delitem(sys.modules, "torch", raising=False)  # leave torch's global settings alone
    state = random.getstate(), np.random.get_state()
    path = write_params(tmp_path, lambda p: p["toy"].update(seed=MAX_SEED))
    try:
        assert seed_everything(load_params(path).toy.seed).integers(10) in range(10)
    finally:
        random.setstate(state[0])
        np.random.set_state(state[1])


def test_q3_seeds_past_the_largest_seed_are_refused(tmp_path):
    """It refuses a Q3 seed whose models' later seeds (seed + 1, ...) pass 2**32 - 1."""
    path = write_params(tmp_path, lambda p: p["q3"].update(seed=MAX_SEED))
    most = max(m.get("seeds", 1) for m in yaml.safe_load(path.read_text())["q3"]["models"].values())
    with pytest.raises(NnsvmError, match=rf"q3: .*seed \+ seeds - 1 = {MAX_SEED + most - 1} must stay <= {MAX_SEED}"):
        load_section("q3", Q3Params, path)


@pytest.mark.parametrize(
    ("keys", "value"),
    [
        (("toy", "clusters", "std"), float("inf")),
        (("q5", "gamma"), float("inf")),
        (("q5", "gamma"), float("nan")),
        (("q4", "svm", "hard_c"), float("inf")),
        (("toy", "clusters", "centers"), [[1.0, 1.0], [3.0, float("-inf")], [5.0, 5.0]]),
    ],
    ids=["std-inf", "gamma-inf", "gamma-nan", "hard_c-inf", "center-minus-inf"],
)
def test_nan_and_infinity_are_refused(tmp_path, keys, value):
    """It refuses .inf, -.inf and .nan wherever a number goes, naming the key."""
    path = write_params(tmp_path, lambda p: put(p, keys, value))
    with pytest.raises(NnsvmError, match=rf"{'.'.join(keys)}(\.\d+)*: Input should be a finite number"):
        load_params(path)


@pytest.mark.parametrize(("key", "value"), [("poly_degrees", [0, 2]), ("rff_features", [0, 10])])
def test_q5_sizes_below_one_are_refused(tmp_path, key, value):
    """It refuses a polynomial degree 0 or zero random features."""
    path = write_params(tmp_path, lambda p: p["q5"].update({key: value}))
    with pytest.raises(NnsvmError, match=rf"q5\.{key}\.0: Input should be greater than or equal to 1"):
        load_params(path)


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    """It says the file is not UTF-8 rather than raising UnicodeDecodeError."""
    path = tmp_path / "params.yaml"
    path.write_bytes((REPO / "params.yaml").read_text().replace("auto", "aut\xe9", 1).encode("latin-1"))
    with pytest.raises(NnsvmError, match="not UTF-8.*save it as UTF-8"):
        load_params(path)


def test_a_folder_is_named(tmp_path):
    """It says the path is a folder rather than raising IsADirectoryError."""
    with pytest.raises(NnsvmError, match="is a folder, not a file"):
        load_params(tmp_path)


def test_a_value_yaml_cannot_build_is_named(tmp_path):
    """It names a date YAML cannot build (2001-13-01) rather than raising ValueError."""
    path = tmp_path / "params.yaml"
    path.write_text((REPO / "params.yaml").read_text().replace("seed: 42", "seed: 2001-13-01", 1))
    with pytest.raises(NnsvmError, match="a value YAML cannot build"):
        load_params(path)


def test_yaml_nested_too_deeply_is_named(tmp_path):
    """It names a file nested beyond what the YAML reader can follow rather than raising RecursionError."""
    path = tmp_path / "params.yaml"
    path.write_text("toy: " + "[" * 600 + "]" * 600 + "\n")
    with pytest.raises(NnsvmError, match="nested too deeply"):
        load_params(path)


def test_unknown_key_inside_a_q3_model_lists_the_model_keys(tmp_path):
    """It lists a Q3 model's keys after q3.models.<name>, looking through the dict of models."""
    path = write_params(tmp_path, lambda p: p["q3"]["models"]["lenet"].update(epoch=3))
    with pytest.raises(NnsvmError) as err:
        load_section("q3", Q3Params, path)
    assert str(err.value).endswith(
        "q3.models.lenet.epoch: unknown key (allowed here: arch, activation, pooling, softmax_before_loss, "
        "epochs, batch_size, lr, schedule, shift_augment, seeds, report_epochs)"
    )


def test_unknown_key_inside_an_optional_model_lists_its_keys(tmp_path):
    """It lists the keys of q6.published.answer_model (a model or null), not 'none'."""
    path = write_params(tmp_path, lambda p: p["q6"]["published"]["answer_model"].update(gama=1))
    with pytest.raises(NnsvmError, match=r"answer_model\.gama: unknown key \(allowed here: kernel, C, gamma, degree"):
        load_params(path)


def test_a_key_with_a_line_break_stays_on_one_line(tmp_path):
    """It quotes a key holding a line break, so the message stays one line."""
    path = write_params(tmp_path, lambda p: p["q5"].update({"gam\nma": 1}))
    with pytest.raises(NnsvmError, match=r'q5\."gam\\nma": unknown key') as err:
        load_params(path)
    assert "\n" not in str(err.value)


def test_a_cyclic_value_is_described_not_dumped(tmp_path):
    """It describes a value that a YAML alias makes refer to itself, rather than failing to print it."""
    path = tmp_path / "params.yaml"
    path.write_text((REPO / "params.yaml").read_text().replace("seed: 42", "seed: &s [*s]", 1))
    with pytest.raises(NnsvmError, match=r"toy\.seed: .*too deep or too long to show"):
        load_section("toy", ToyParams, path)


def test_report_epochs_must_lie_within_the_run(tmp_path):
    """It refuses report epochs past the last epoch or out of order, naming the model."""
    from nnsvm.nets.params import ModelParams

    base = {"arch": "mlp", "epochs": 30, "batch_size": 64, "lr": 0.01, "schedule": "constant"}
    assert ModelParams.model_validate(base | {"report_epochs": [10, 20, 30]}).report_epochs == [10, 20, 30]
    for bad in ([10, 40], [20, 10], [0]):
        with pytest.raises(ValueError, match="report_epochs must be increasing epochs in 1..30"):
            ModelParams.model_validate(base | {"report_epochs": bad})
