"""Checkpoints read back, and the shifted-image demonstration, on hand-made models."""

import torch
from torch import nn

from nnsvm.q3 import checkpoint, demo, models
from nnsvm.q3.params import Q3ModelParams


class ColumnOfBrightestPixel(nn.Module):
    """Logits = sums of the first 10 columns: predicts the column of a single bright pixel."""

    def forward(self, x):
        return x[:, 0, :, :10].sum(1)


def test_checkpoint_round_trip(tmp_path):
    """It rebuilds every seed's model with the saved weights, first seed first."""
    spec = Q3ModelParams(arch="mlp", epochs=1, batch_size=8, lr=0.01, schedule="constant")
    nets = {s: models.build(spec, torch.Generator().manual_seed(s)) for s in (3, 4)}
    torch.save(
        {"spec": spec.model_dump(mode="json"), "states": {s: m.state_dict() for s, m in nets.items()}},
        tmp_path / "m.pt",
    )
    loaded = checkpoint.load(str(tmp_path / "m.pt"), torch.device("cpu"))
    x = torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert len(loaded) == 2 and not loaded[0].training
    assert torch.equal(loaded[0](x), nets[3](x)) and torch.equal(loaded[1](x), nets[4](x))


def test_demo_shifts_the_first_image_of_each_class():
    """It picks the first image of each class, shifts it right, and reports each model's answer on it."""
    y = torch.tensor([5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    x = torch.zeros(11, 1, 28, 28)
    for i, label in enumerate(y.tolist()):
        x[i, 0, 3, label] = 1.0  # a pixel in the column of its class
    shown = demo.run({"col": [ColumnOfBrightestPixel()]}, x, y, dx=1)
    assert shown.originals.shape == shown.shifted.shape == (10, 28, 28)
    assert shown.shifted[5, 3, 6] == 1.0 and shown.originals[5, 3, 5] == 1.0
    assert shown.predictions(5) == {"col": [6]}
    assert shown.first_seed_predictions()["col"] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]
