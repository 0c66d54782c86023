"""params.yaml is loaded strictly: every mistake names its key."""

from pathlib import Path

import pytest
import yaml
from conftest import REPO

from nnsvm.core.config import digest
from nnsvm.core.errors import NnsvmError
from nnsvm.params import load_params


def write_params(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    edit(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_repo_params_load():
    """It loads the committed params.yaml."""
    params = load_params(REPO / "params.yaml")
    assert params.data.mnist.source in {"auto", "full", "subset"}
    assert params.toy.four_points.labels == (1, 1, -1, -1)


def test_unknown_key_names_the_key_and_the_allowed_ones(tmp_path):
    """It rejects a typo, naming the dotted key and the keys allowed there."""
    path = write_params(tmp_path, lambda p: p["data"]["mnist"].update(sourse="full"))
    with pytest.raises(NnsvmError, match=r"data\.mnist\.sourse: unknown key \(allowed here: source, mirrors"):
        load_params(path)


def test_bad_choice_names_the_key_and_the_choices(tmp_path):
    """It rejects a value outside a fixed set of choices."""
    path = write_params(tmp_path, lambda p: p["data"]["mnist"].update(source="ful"))
    with pytest.raises(NnsvmError, match=r"data\.mnist\.source: .*'auto', 'full' or 'subset'.*got \"ful\""):
        load_params(path)


def test_out_of_range_value_is_rejected(tmp_path):
    """It rejects a non-positive timeout."""
    path = write_params(tmp_path, lambda p: p["data"]["mnist"].update(timeout_s=0))
    with pytest.raises(NnsvmError, match=r"data\.mnist\.timeout_s: Input should be greater than 0"):
        load_params(path)


def test_wrong_type_is_rejected(tmp_path):
    """It rejects a string where a number belongs."""
    path = write_params(tmp_path, lambda p: p["toy"]["clusters"].update(n_per_class="many"))
    with pytest.raises(NnsvmError, match=r"toy\.clusters\.n_per_class: .*integer"):
        load_params(path)


def test_missing_key_is_named(tmp_path):
    """It names a section that is missing."""
    path = write_params(tmp_path, lambda p: p.pop("toy"))
    with pytest.raises(NnsvmError, match=r"toy: missing"):
        load_params(path)


def test_rings_that_could_touch_are_rejected(tmp_path):
    """It refuses noise that would let two rings overlap."""
    path = write_params(tmp_path, lambda p: p["toy"]["db2"].update(noise=1.5))
    with pytest.raises(NnsvmError, match=r"toy\.db2: .*noise must be below half the smallest gap"):
        load_params(path)


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
    params = load_params(REPO / "params.yaml")
    with pytest.raises(Exception):
        params.data.mnist.source = "full"  # type: ignore[misc]


def test_digest_follows_the_values():
    """It gives equal digests for equal sections and different ones otherwise."""
    a = load_params(REPO / "params.yaml").toy
    b = a.model_copy(update={"seed": a.seed + 1})
    assert digest(a) == digest(a.model_copy())
    assert digest(a) != digest(b)
