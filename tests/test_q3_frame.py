"""Which images keep their ink in the frame under a shift, and the in-frame shift grid, on hand-made images."""

import pytest
import torch
from torch import nn

from nnsvm.core.errors import NnsvmError
from nnsvm.q3 import frame, shift


def ink_at(*pixels: tuple[int, int]) -> torch.Tensor:
    """One uint8 image ``(1, 1, 28, 28)`` with ink 255 at each ``(row, col)``."""
    x = torch.zeros(1, 1, 28, 28, dtype=torch.uint8)
    for row, col in pixels:
        x[0, 0, row, col] = 255
    return x


def test_ink_box_is_the_bounding_box_of_the_nonzero_pixels():
    """It finds rows 0..5 and columns 3..27 for ink at (0, 27) and (5, 3), and ignores zeros only."""
    box = frame.ink_box(ink_at((0, 27), (5, 3)))
    assert [int(v) for v in (box.top, box.bottom, box.left, box.right)] == [0, 5, 3, 27]


def test_uint8_and_float_images_have_the_same_ink():
    """It reads a pixel of 1/255 as ink, as the uint8 pixel 1 it came from."""
    x = torch.zeros(1, 28, 28, dtype=torch.uint8)
    x[0, 9, 4] = 1
    as_float = frame.ink_box(x.float() / 255)
    assert int(as_float.left) == int(frame.ink_box(x).left) == 4 and int(as_float.top) == 9


@pytest.mark.parametrize(
    ("pixel", "dx", "dy", "inside"),
    [
        ((10, 27), 1, 0, False),  # ink on the right border: any shift right loses it
        ((10, 27), -5, 0, True),
        ((10, 0), -1, 0, False),  # left border, shifted left
        ((10, 0), 27, 0, True),  # ... right by the whole frame but one
        ((0, 10), 0, -1, False),  # top border, shifted up
        ((0, 10), 0, 27, True),
        ((27, 10), 0, 1, False),  # bottom border, shifted down
        ((27, 10), 3, -27, True),
        ((20, 20), 7, 0, True),  # 20 + 7 = 27: the last column
        ((20, 21), 7, 0, False),
    ],
)
def test_in_frame_in_every_direction(pixel, dx, dy, inside):
    """It says an image is in frame exactly when its ink pixel lands inside the 28 x 28 frame."""
    x = ink_at(pixel)
    assert bool(frame.ink_box(x).in_frame(dx, dy)[0]) is inside
    assert float(frame.ink_kept(x, dx, dy)[0]) == (1.0 if inside else 0.0)


def test_in_frame_agrees_with_the_ink_that_survives_the_shift():
    """It marks an image in frame iff shift() keeps every one of its ink pixels, for random sparse images."""
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(64, 1, 28, 28, generator=g) > 0.995).to(torch.uint8) * 255
    x[:, :, :4] = 0  # leave room at the top so some images stay in frame upwards
    box = frame.ink_box(x)
    for dx, dy in [(3, 0), (-4, 0), (0, 2), (0, -3), (2, -2)]:
        assert torch.equal(box.in_frame(dx, dy), frame.ink_kept(x, dx, dy) == 1.0)


def test_an_image_without_ink_is_in_frame():
    """It keeps an empty image in frame (nothing to lose) with ink kept 1."""
    empty = torch.zeros(1, 1, 28, 28)
    assert bool(frame.ink_box(empty).in_frame(13, -13)[0]) and float(frame.ink_kept(empty, 5, 5)[0]) == 1.0


def test_ink_kept_is_the_share_of_ink_pixels_left():
    """It gives 1/4 when three of four ink pixels leave on the right."""
    x = ink_at((5, 10), (5, 26), (6, 26), (7, 27))  # columns 26, 26, 27 pass 27
    assert float(frame.ink_kept(x, 2, 0)[0]) == 0.25


def test_first_in_frame_skips_an_image_that_would_lose_ink():
    """It passes over the first 8 (ink at column 25, lost shifted 7 right) and picks the next 8 (column 20)."""
    y = torch.tensor([8, 1, 8, 8, 0, 2, 3, 4, 5, 6, 7, 9])
    x = torch.cat([ink_at((10, 25)), ink_at((10, 3)), ink_at((10, 20)), ink_at((10, 5))] + [ink_at((10, 3))] * 8)
    found = frame.first_in_frame(x, y, 7)
    assert found[8] == 2 and found[1] == 1 and found[0] == 4
    assert frame.in_frame_of_class(x, y, 8, 7).tolist() == [2, 3]
    assert frame.column_range(x, [0, 2]) == [[25, 25], [20, 20]]


def test_first_in_frame_names_a_class_without_an_in_frame_image():
    """It raises the project's error, naming the class, when every image of it would lose ink."""
    y = torch.arange(10)
    x = torch.cat([ink_at((10, 27 if c == 4 else 3)) for c in range(10)])
    with pytest.raises(NnsvmError, match="class 4"):
        frame.first_in_frame(x, y, 1)


class ColumnOfBrightestPixel(nn.Module):
    """Predicts the column (0-9) of the brightest pixel: logits = sums of the first 10 columns."""

    def forward(self, x):
        return x[:, 0, :, :10].sum(1)


def test_in_frame_grid_on_a_hand_made_model():
    """It measures only the images that keep their ink, and counts them.

    Ten images, one pixel at column i (label i), row 27 for even i and row 5 for
    odd i. Shifted down by one, the five even images lose their pixel: the five odd
    ones stay in frame and keep their answer (n 5, accuracy 1, consistency 1), where
    all ten give 0.6. Shifted left by one, image 0 leaves (n 9) and every other
    image's answer drops by one (accuracy and consistency 0).
    """
    x = torch.cat([ink_at((27 if i % 2 == 0 else 5, i)) for i in range(10)]).float() / 255
    y = torch.arange(10)
    model = ColumnOfBrightestPixel()
    everything, inside = frame.grids(model, x, y, max_shift=1, batch_size=4)
    assert everything == shift.shift_grid(model, x, y, max_shift=1, batch_size=4)
    assert inside.n["0,0"] == 10 and inside.accuracy["0,0"] == 1.0
    assert (inside.n["0,1"], inside.accuracy["0,1"], inside.consistency["0,1"]) == (5, 1.0, 1.0)
    assert everything.accuracy["0,1"] == pytest.approx(0.6)
    assert (inside.n["-1,0"], inside.accuracy["-1,0"], inside.consistency["-1,0"]) == (9, 0.0, 0.0)
    assert inside.n["-1,1"] == 5 and inside.n["1,-1"] == 10  # down and left: the odd images; up and right: all
    # the same in-frame images unshifted, and the share right in one of the two only
    assert inside.base_accuracy["-1,0"] == 1.0 and inside.discordant["-1,0"] == 1.0
    assert inside.base_accuracy["0,1"] == 1.0 and inside.discordant["0,1"] == 0.0


def test_a_shift_with_no_image_in_frame_is_left_out_of_the_ring_mean():
    """It records None where n = 0 and averages each ring over the shifts that have images."""
    grid = frame.InFrameGrid(
        accuracy={"0,0": 1.0, "1,0": 0.5, "0,1": None},
        consistency={"0,0": 1.0, "1,0": 0.25, "0,1": None},
        n={"0,0": 4, "1,0": 2, "0,1": 0},
        base_accuracy={"0,0": 1.0, "1,0": 1.0, "0,1": None},
        discordant={"0,0": 0.0, "1,0": 0.5, "0,1": None},
    )
    assert grid.by_distance("accuracy") == {0: 1.0, 1: 0.5}
    assert grid.by_distance("n") == {0: 4.0, 1: 1.0}
    full, rings = frame.tables({"m": grid})
    assert full["m"]["n"]["0,1"] == 0 and full["m"]["accuracy"]["0,1"] is None
    assert rings == {
        "m": {
            "accuracy": {"0": 1.0, "1": 0.5},
            "consistency": {"0": 1.0, "1": 0.25},
            "n": {"0": 4.0, "1": 1.0},
            "base_accuracy": {"0": 1.0, "1": 1.0},
            "discordant": {"0": 0.0, "1": 0.5},
        }
    }
