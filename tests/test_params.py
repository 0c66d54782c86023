"""params.yaml is loaded strictly: every mistake names its key.

Each test writes its own small params file; only ``test_committed_params_yaml_is_valid``
reads the committed params.yaml.
"""

import copy
from pathlib import Path

import pytest
import yaml
from conftest import REPO, TOY, toy_params
from pydantic import ValidationError

from nnsvm.core.config import digest, load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.data.mnist import MnistParams
from nnsvm.data.toy import ToyParams
from nnsvm.params import load_params

MNIST = {"source": "auto", "mirrors": ["https://example.org/mnist/"], "timeout_s": 20, "subset_test_per_class": 100}


def write_params(tmp_path: Path, raw: dict) -> Path:
    """``raw`` as a params file under ``tmp_path``."""
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def mnist_file(tmp_path: Path, **changes) -> Path:
    """A params file holding only ``data.mnist``, with ``changes`` applied."""
    return write_params(tmp_path, {"data": {"mnist": MNIST | changes}})


def toy_file(tmp_path: Path, edit) -> Path:
    """A params file holding only ``toy``, edited in place by ``edit``."""
    raw = copy.deepcopy(TOY)
    edit(raw)
    return write_params(tmp_path, {"toy": raw})


def test_committed_params_yaml_is_valid():
    """It loads the committed params.yaml whole, with the assignment's toy labels and a Q3 seed."""
    params = load_params(REPO / "params.yaml")
    assert params.data.mnist.source in {"auto", "full", "subset"}
    assert params.toy.four_points.labels == (1, 1, -1, -1)
    assert params.toy.db3.labels == (-1, 1, -1)
    assert params.q3.seed >= 0 and set(params.q6.published.kernels) == set(params.q6.kernels)


def test_a_valid_section_loads(tmp_path):
    """It loads a section from a file that holds only that section."""
    assert load_section("data.mnist", MnistParams, mnist_file(tmp_path)).timeout_s == 20
    assert load_section("toy", ToyParams, toy_file(tmp_path, lambda t: None)) == toy_params()


def test_unknown_key_names_the_key_and_the_allowed_ones(tmp_path):
    """It rejects a typo, naming the dotted key and the keys allowed there."""
    path = mnist_file(tmp_path, sourse="full")
    with pytest.raises(NnsvmError, match=r"data\.mnist\.sourse: unknown key \(allowed here: source, mirrors"):
        load_section("data.mnist", MnistParams, path)


def test_unknown_section_is_named(tmp_path):
    """It rejects a top-level key that is no section, naming the sections."""
    path = write_params(tmp_path, {"toys": TOY})
    with pytest.raises(NnsvmError, match=r"toys: unknown key \(allowed here: data, toy, q1"):
        load_section("toy", ToyParams, path)


def test_bad_choice_names_the_key_and_the_choices(tmp_path):
    """It rejects a value outside a fixed set of choices."""
    path = mnist_file(tmp_path, source="ful")
    with pytest.raises(NnsvmError, match=r"data\.mnist\.source: .*'auto', 'full' or 'subset'.*got \"ful\""):
        load_section("data.mnist", MnistParams, path)


def test_out_of_range_value_is_rejected(tmp_path):
    """It rejects a non-positive timeout."""
    path = mnist_file(tmp_path, timeout_s=0)
    with pytest.raises(NnsvmError, match=r"data\.mnist\.timeout_s: Input should be greater than 0"):
        load_section("data.mnist", MnistParams, path)


def test_wrong_type_is_rejected(tmp_path):
    """It rejects a string where a number belongs."""
    path = toy_file(tmp_path, lambda t: t["clusters"].update(n_per_class="many"))
    with pytest.raises(NnsvmError, match=r"toy\.clusters\.n_per_class: .*integer"):
        load_section("toy", ToyParams, path)


def test_missing_key_is_named(tmp_path):
    """It names a section missing from the whole file, and one a stage asks for."""
    path = write_params(tmp_path, {"data": {"mnist": MNIST}})
    with pytest.raises(NnsvmError, match=r"toy: missing"):
        load_params(path)
    with pytest.raises(NnsvmError, match=r"toy: missing"):
        load_section("toy", ToyParams, path)


def test_rings_that_could_touch_are_rejected(tmp_path):
    """It refuses noise that would let two rings overlap."""
    path = toy_file(tmp_path, lambda t: t["db2"].update(noise=1.5))
    with pytest.raises(NnsvmError, match=r"toy\.db2: .*noise must be below half the smallest gap"):
        load_section("toy", ToyParams, path)


def test_missing_file_and_bad_yaml_are_named(tmp_path):
    """It names a missing or unparsable file."""
    with pytest.raises(NnsvmError, match="not found"):
        load_params(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: [unclosed\n")
    with pytest.raises(NnsvmError, match="not valid YAML"):
        load_params(bad)


def test_params_are_frozen():
    """It refuses to change a loaded value."""
    params = MnistParams.model_validate(MNIST)
    with pytest.raises(ValidationError, match="frozen"):
        params.source = "full"  # type: ignore[misc]


def test_digest_follows_the_values():
    """It gives equal digests for equal sections and different ones otherwise."""
    a = toy_params()
    b = a.model_copy(update={"seed": a.seed + 1})
    assert digest(a) == digest(a.model_copy())
    assert digest(a) != digest(b)
