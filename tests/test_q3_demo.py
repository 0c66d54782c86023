"""Checkpoints read back, and the shifted-image demonstration, on hand-made models."""

import pytest
import torch
from torch import nn

from nnsvm.nets import checkpoint, models
from nnsvm.nets.params import ModelParams
from nnsvm.q3 import demo


class ColumnOfBrightestPixel(nn.Module):
    """Logits = sums of the first 10 columns: predicts the column of a single bright pixel."""

    def forward(self, x):
        return x[:, 0, :, :10].sum(1)


def test_checkpoint_round_trip(tmp_path):
    """It rebuilds every seed's model with the saved weights, first seed first."""
    spec = ModelParams(arch="mlp", epochs=1, batch_size=8, lr=0.01, schedule="constant")
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


def one_pixel_images(columns: list[int]) -> torch.Tensor:
    """``(n, 1, 28, 28)`` float images with a single ink pixel in row 3 at each column."""
    x = torch.zeros(len(columns), 1, 28, 28)
    for i, col in enumerate(columns):
        x[i, 0, 3, col] = 1.0
    return x


class Says(nn.Module):
    """Always predicts class ``k``."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.k = k

    def forward(self, x):
        return nn.functional.one_hot(torch.full((len(x),), self.k), 10).float()


def test_demo_skips_an_image_that_would_lose_ink():
    """It shows the first 8 whose ink stays in frame: the 8 at index 0 (column 27) would leave it shifted right."""
    y = torch.tensor([8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    x = one_pixel_images([27, 0, 1, 2, 3, 4, 5, 6, 7, 6, 9])
    shown = demo.run({"col": [ColumnOfBrightestPixel()]}, x, y, dx=1)
    assert shown.index[8] == 9 and shown.index[0] == 1
    assert shown.predictions(8) == {"col": [7]}
    record = demo.chosen(x, y, shown.index, 1)["8"]
    assert record == {
        "index": 9,
        "ink_columns": [6, 6],
        "ink_kept": 1.0,
        "first_of_class": {"index": 0, "ink_columns": [27, 27], "ink_kept": 0.0},
    }


def outcomes_on_three_eights() -> demo.Outcomes:
    """Four 8s (columns 27, 7, 6, 7) and a 3; shifted 1 right the last three 8s stay in frame (columns 8, 7, 8)."""
    y = torch.tensor([8, 8, 8, 8, 3])
    x = one_pixel_images([27, 7, 6, 7, 2])
    nets = {"lenet_published": [ColumnOfBrightestPixel()] * 2, "mlp_published": [Says(7), ColumnOfBrightestPixel()]}
    return demo.outcomes(nets, x, y, label=8, dx=1, batch_size=2)


def test_outcomes_cover_every_in_frame_image_of_the_class():
    """It measures the three in-frame 8s: LeNet says 8, 7, 8 (2/3 right); the first MLP says 7 to all."""
    found = outcomes_on_three_eights()
    assert (found.index, found.of_class) == ([1, 2, 3], 4)
    shares = found.shares()
    assert shares["lenet_published"][0][8] == pytest.approx(2 / 3) and shares["lenet_published"][0][7] == pytest.approx(
        1 / 3
    )
    assert shares["mlp_published"][0][7] == 1.0


def test_pairs_count_seed_i_with_seed_i_for_every_mlp_answer():
    """It counts the 8s where LeNet seed i says 8 while MLP seed i says 7: 2 for the first pair, 0 for the second;
    and the same for every digit the MLP may say."""
    found = outcomes_on_three_eights()
    assert found.paired("lenet_published", "mlp_published", 7) == [2, 0]
    record = found.result({"lenet_published": [42, 43], "mlp_published": [42, 43]})
    assert record["paired"]["counts"]["7"] == [2, 0] and record["paired"]["n"] == 3
    assert set(record["paired"]["counts"]) == {str(k) for k in range(10)}
    assert record["accuracy"]["mlp_published"] == [0.0, pytest.approx(2 / 3)]
    assert record["n"] == 3 and record["of_class"] == 4


def test_outcomes_over_every_image_of_the_class_keep_those_shifted_out_too():
    """It measures all four 8s when asked for every image of the class, the one whose ink leaves the frame too."""
    y = torch.tensor([8, 8, 8, 8, 3])
    x = one_pixel_images([27, 7, 6, 7, 2])
    nets = {"lenet_published": [ColumnOfBrightestPixel()] * 2, "mlp_published": [Says(7), ColumnOfBrightestPixel()]}
    every = demo.outcomes(nets, x, y, label=8, dx=1, batch_size=2, in_frame=False)
    assert (every.index, every.of_class) == ([0, 1, 2, 3], 4)
    assert every.result({"lenet_published": [42, 43]})["paired"]["n"] == 4
