"""End to end: stage q3_rotate inside `dvc repro` on the tiny profile (1,000 test images, ±30 degrees every 15)."""

import json

import pytest
from conftest import run_in

MODELS = ("mlp", "lenet", "mlp_published", "lenet_published", "lenet_avgpool", "lenet_stride")
ANGLES = [-30, -15, 0, 15, 30]


def read(pipeline, path):
    return json.loads((pipeline / path).read_text())


def test_rotate_file_has_every_model_at_every_angle(pipeline):
    """It measures every model at each angle of ±30 every 15; unrotated, consistency is 1 and accuracy q3_shift's."""
    found = read(pipeline, "reports/q3/rotate.json")
    shifted = read(pipeline, "reports/q3/shift.json")
    assert found["angles"] == ANGLES and found["n"] == 1000
    assert set(MODELS) <= set(found["models"])
    for name, block in found["models"].items():
        assert sorted(block["accuracy"], key=int) == sorted(block["consistency"], key=int) == [str(a) for a in ANGLES]
        assert block["consistency"]["0"] == 1.0
        assert block["accuracy"]["0"] == pytest.approx(shifted[name]["accuracy"]["0,0"])
        assert list(block["right_at_every_angle_within"]) == ["30"]
        assert block["right_at_every_angle_within"]["30"] <= min(block["accuracy"].values())


def test_rotation_measurements_and_figures(pipeline):
    """It writes the rotation measurements, each figure they cite, and one MLflow metric per model and angle."""
    data = read(pipeline, "reports/q3/measurements_rotate.json")
    found = data["measurements"]
    assert data["stage"] == "q3_rotate"
    assert {"q3.rotation.cnn_accuracy_drop", "q3.rotation.cnn_minus_mlp.30"} <= set(found)
    assert {f"q3.rotation.accuracy.{name}" for name in MODELS} <= set(found)
    for m in found.values():
        assert m["low"] <= m["value"] <= m["high"]
        for figure in m.get("figures", ()):
            assert (pipeline / "reports" / figure).read_bytes()[:4] == b"\x89PNG"
    code = (
        "import json; from nnsvm import tracking_query; r = tracking_query.runs('q3_rotate')[0]; "
        "print(json.dumps(tracking_query.run_record(r['run_id'])['metrics']))"
    )
    metrics = json.loads(run_in(pipeline, "python", "-c", code).stdout)
    assert "lenet.rotation_accuracy" in metrics and "q3.rotation.cnn_accuracy_drop" in metrics
