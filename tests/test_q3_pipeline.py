"""End to end: the Q3 stages inside `dvc repro` on the tiny profile (1 epoch, 1,000 images, shifts up to 2)."""

import json

import pytest
import torch
from conftest import run_in

pytestmark = pytest.mark.slow

MODELS = ("mlp", "lenet", "mlp_published", "lenet_published", "mlp_shiftaug", "lenet_shiftaug")


def read(pipeline, path):
    return json.loads((pipeline / path).read_text())


def test_metrics_file_has_every_model_at_the_fixed_schema(pipeline):
    """It writes {model: {test_accuracy, epochs, train_seconds}}, with the seeds and their mean for multi-seed models."""
    metrics = read(pipeline, "reports/q3/metrics.json")
    assert set(metrics) == set(MODELS)
    for name, m in metrics.items():
        assert 0.0 <= m["test_accuracy"] <= 1.0 and m["epochs"] == 1 and m["train_seconds"] > 0
        assert ("seeds" in m) == name.endswith("_published")
    seeds = metrics["lenet_published"]["seeds"]
    assert list(seeds) == ["42", "43"]
    assert metrics["lenet_published"]["test_accuracy"] == pytest.approx(sum(seeds.values()) / 2)


def test_shift_file_covers_every_shift(pipeline):
    """It measures all 25 shifts of [-2, 2]^2 for every model; at (0, 0) consistency is 1 and accuracy is the test accuracy."""
    grid = read(pipeline, "reports/q3/shift.json")
    metrics = read(pipeline, "reports/q3/metrics.json")
    keys = {f"{dx},{dy}" for dx in range(-2, 3) for dy in range(-2, 3)}
    for name in MODELS:
        assert set(grid[name]["accuracy"]) == keys == set(grid[name]["consistency"])
        assert grid[name]["consistency"]["0,0"] == 1.0
        if not name.endswith("_published"):
            # The tiny profile's shift stage sees the first q3.shift.max_test test
            # images, the training stage all of them: equal up to sampling (sd ~1.5 points).
            assert grid[name]["accuracy"]["0,0"] == pytest.approx(metrics[name]["test_accuracy"], abs=0.08)


def test_claims_and_figures(pipeline):
    """It writes the five Q3 claims with computed verdicts, two headline rows, and every figure they cite."""
    claims = read(pipeline, "reports/q3/claims.json")
    assert claims["stage"] == "shift" and len(claims["claims"]) == 5 and len(claims["headline"]) == 2
    for claim in claims["claims"]:
        assert claim["verdict"] in {"confirmed", "corrected", "differs"}
        for figure in claim["figures"]:
            assert (pipeline / "reports" / figure).read_bytes()[:4] == b"\x89PNG"
    for name in MODELS:
        assert (pipeline / "reports/q3/figures" / f"heatmap_{name}.png").is_file()


def test_checkpoints_and_training_curves(pipeline):
    """It stores each seed's state_dict and one loss and accuracy row per epoch for DVC plots."""
    checkpoint = torch.load(pipeline / "models/q3/mlp_published.pt")
    assert list(checkpoint["states"]) == [42, 43]
    assert checkpoint["states"][42]["fc1.weight"].shape == (300, 784)
    assert (pipeline / "reports/q3/train_loss/lenet/seed42.csv").read_text().splitlines()[0] == "epoch,train_loss"
    assert len((pipeline / "reports/q3/test_accuracy/lenet/seed42.csv").read_text().splitlines()) == 2


def test_models_are_logged_with_signature_and_example(pipeline):
    """It logs each trained model to its stage's MLflow run with a signature and an input example."""
    code = (
        "import json, mlflow; from nnsvm.core import tracking; mlflow.set_tracking_uri(tracking.tracking_uri()); "
        "ms = mlflow.search_logged_models(experiment_ids=[mlflow.get_experiment_by_name('nnsvm').experiment_id], output_format='list'); "
        "print(json.dumps(sorted((m.name, bool(mlflow.models.get_model_info(m.model_uri).signature), "
        "mlflow.models.get_model_info(m.model_uri).saved_input_example_info is not None) for m in ms)))"
    )
    logged = json.loads(run_in(pipeline, "python", "-c", code).stdout)
    assert logged == sorted([name, True, True] for name in MODELS)
