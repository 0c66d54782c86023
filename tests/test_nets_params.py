"""The training keys of section q3, read alone by Q1's MNIST stages (nnsvm.nets.params.load_training)."""

from pathlib import Path

import pytest
import yaml

from nnsvm.core.errors import NnsvmError
from nnsvm.nets.params import TrainingParams, load_training
from nnsvm.params import load_params
from nnsvm.q3.params import Q3Params

REPO_PARAMS = Path(__file__).resolve().parents[1] / "params.yaml"


def write(tmp_path, q3) -> str:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"q3": q3}))
    return str(path)


def test_it_reads_what_the_whole_section_reads():
    """It gives the seed, device, threads and max_train that Q3Params gives for the committed params.yaml."""
    q3 = load_params(REPO_PARAMS).q3
    assert isinstance(q3, TrainingParams) and issubclass(Q3Params, TrainingParams)
    assert load_training(REPO_PARAMS) == TrainingParams(
        seed=q3.seed, device=q3.device, threads=q3.threads, max_train=q3.max_train
    )


def test_it_ignores_the_rest_of_q3(tmp_path):
    """It leaves Q3's own keys (models, shift, an unknown one) to Q3's stages."""
    path = write(tmp_path, {"seed": 1, "device": "cpu", "threads": 2, "max_train": 0, "shift": None, "typo": 1})
    assert load_training(path) == TrainingParams(seed=1, device="cpu", threads=2, max_train=0)


@pytest.mark.parametrize(
    ("q3", "message"),
    [
        ({"seed": 1, "device": "cpu", "threads": 2}, "q3.max_train: missing"),
        ({"seed": 1, "device": "gpu", "threads": 2, "max_train": 0}, "q3.device:"),
        ({"seed": -1, "device": "cpu", "threads": 2, "max_train": 0}, "q3.seed:"),
        ([1, 2], "q3"),
    ],
)
def test_a_bad_training_key_is_named(tmp_path, q3, message):
    """It stops with one line naming the bad key under q3."""
    with pytest.raises(NnsvmError, match=message.replace(".", r"\.")):
        load_training(write(tmp_path, q3))


def test_a_missing_section_is_named(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"q1": {}}))
    with pytest.raises(NnsvmError, match="q3: missing"):
        load_training(str(path))
