"""Integer shifts with zero fill, and the shift-invariance measures, on hand-made images."""

import pytest
import torch
from torch import nn

from nnsvm.q3 import shift


def one_pixel(row: int, col: int) -> torch.Tensor:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, row, col] = 1.0
    return x


@pytest.mark.parametrize(("dx", "dy"), [(3, 0), (-2, 0), (0, 5), (0, -4), (7, -6), (-1, 1)])
def test_a_pixel_moves_exactly_by_the_shift(dx, dy):
    """It moves the pixel at (row 10, col 12) to (10 + dy, 12 + dx) and nowhere else."""
    out = shift.shift(one_pixel(10, 12), dx, dy)
    assert out.sum() == 1.0
    assert out[0, 0, 10 + dy, 12 + dx] == 1.0


def test_vacated_pixels_are_zero_and_nothing_wraps():
    """It fills with zeros and drops what leaves the frame: an all-ones image shifted (2, -3) keeps 26 x 25 ones."""
    out = shift.shift(torch.ones(1, 1, 28, 28), 2, -3)
    assert out.sum() == 26 * 25
    assert out[0, 0, :, :2].sum() == 0  # columns shifted in on the left
    assert out[0, 0, -3:, :].sum() == 0  # rows shifted in at the bottom
    assert shift.shift(one_pixel(5, 27), 1, 0).sum() == 0  # right edge: lost, not wrapped to column 0


def test_shift_beyond_the_frame_is_blank():
    """It returns an empty image when the shift is at least the image size."""
    assert shift.shift(torch.ones(1, 1, 28, 28), 28, 0).sum() == 0


def test_zero_shift_is_identity():
    """It returns the image unchanged for (0, 0)."""
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert torch.equal(shift.shift(x, 0, 0), x)


def test_consistency_is_the_share_of_unchanged_predictions():
    """It gives 3/4 when one of four predictions changes."""
    assert shift.consistency(torch.tensor([1, 2, 3, 4]), torch.tensor([1, 2, 0, 4])) == 0.75


class ColumnOfBrightestPixel(nn.Module):
    """Predicts the column (0-9) of the brightest pixel: logits = sums of the first 10 columns."""

    def forward(self, x):
        return x[:, 0, :, :10].sum(1)


def test_grid_on_a_hand_made_model():
    """It measures a model whose answers we can work out by hand.

    Ten images, one pixel at column i (label i), at row 27 for even i and row 5
    for odd i. Shifting down by one drops the even pixels out of the frame:
    the model then sees zeros and says 0, so images 0, 1, 3, 5, 7, 9 keep
    their answer (consistency 0.6, accuracy 0.6). Shifting right by one changes
    every answer (image 9 moves to column 10, unseen, and becomes 0).
    """
    x = torch.cat([one_pixel(27 if i % 2 == 0 else 5, i) for i in range(10)])
    y = torch.arange(10)
    grid = shift.shift_grid(ColumnOfBrightestPixel(), x, y, max_shift=1, batch_size=4)
    assert len(grid.accuracy) == 9
    assert grid.accuracy["0,0"] == 1.0 and grid.consistency["0,0"] == 1.0
    assert grid.consistency["0,1"] == pytest.approx(0.6) and grid.accuracy["0,1"] == pytest.approx(0.6)
    assert grid.consistency["0,-1"] == 1.0
    assert grid.consistency["1,0"] == 0.0
    assert grid.accuracy["1,0"] == pytest.approx(0.0)


def test_rings_average_by_chebyshev_distance():
    """It averages the 8 shifts at distance 1 and keeps the single one at 0."""
    values = {f"{dx},{dy}": (1.0 if (dx, dy) == (0, 0) else 0.5 + 0.05 * dx) for dx, dy in shift.offsets(1)}
    rings = shift.ShiftGrid(values, values).by_distance("accuracy")
    assert rings == {0: 1.0, 1: pytest.approx(0.5)}


def test_first_of_each_class():
    """It finds the first index of every class, and fails on a missing class."""
    y = torch.tensor([3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 0])
    assert shift.first_of_each_class(y) == [1, 2, 3, 0, 4, 5, 6, 7, 8, 9]
    with pytest.raises(ValueError, match="class 9"):
        shift.first_of_each_class(y[:9])
