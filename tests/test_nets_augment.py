"""Random per-image shifts for training (nnsvm.nets.augment), on hand-made images."""

import torch

from nnsvm.nets import augment
from nnsvm.q3 import shift


def one_pixel(row: int, col: int) -> torch.Tensor:
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, row, col] = 1.0
    return x


def test_per_image_shift_matches_the_shared_shift():
    """It gives image i exactly what shift() gives for (dx[i], dy[i])."""
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    dx, dy = torch.tensor([0, 3, -5, 6]), torch.tensor([2, -1, 0, 6])
    out = augment.shift_each(x, dx, dy)
    for i in range(4):
        assert torch.equal(out[i], shift.shift(x[i : i + 1], int(dx[i]), int(dy[i]))[0])


def test_random_shift_is_seeded_and_bounded():
    """It draws shifts from the generator only, and a pixel moves at most max_shift each way."""
    x = one_pixel(14, 14).repeat(50, 1, 1, 1)
    a = augment.random_shift(x, 2, torch.Generator().manual_seed(3))
    b = augment.random_shift(x, 2, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    rows, cols = torch.nonzero(a[:, 0], as_tuple=True)[1:]
    assert len(rows) == 50 and rows.min() >= 12 and rows.max() <= 16 and cols.min() >= 12 and cols.max() <= 16
    assert torch.equal(augment.random_shift(x, 0, torch.Generator()), x)
