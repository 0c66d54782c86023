"""Q3-B part by part (nnsvm.q3.pooling): equivariance of a convolution, pooling under small shifts, gains."""

import numpy as np
import pytest
import torch
from torch import nn

from nnsvm.nets.models import LeNet
from nnsvm.q3 import pooling
from nnsvm.stats import difference_halfwidth


def _image() -> torch.Tensor:
    """A hand-made 1 x 1 x 28 x 28 image: an L of ink in the middle, zero near the border."""
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 8:20, 10] = 1.0
    x[0, 0, 19, 10:18] = 0.5
    return x


def _conv(seed: int = 0) -> nn.Conv2d:
    torch.manual_seed(seed)
    return nn.Conv2d(1, 4, 5, padding=2)


def test_a_convolution_is_shift_equivariant():
    """It finds conv(shift(x)) = shift(conv(x)) away from the border, for shifts either way."""
    conv = _conv()
    for dx, dy in ((1, 0), (0, 3), (-2, 2), (5, -4)):
        assert pooling.shift_equivariance_error(conv, _image(), dx, dy) < 1e-6


def test_the_shift_error_sees_a_layer_that_is_not_equivariant():
    """A layer whose weights differ by position (a random per-pixel gain after the conv) is caught."""
    conv, gain = _conv(), torch.rand(1, 1, 28, 28) + 0.5

    class Uneven(nn.Module):
        padding = conv.padding

        def forward(self, x):
            return conv(x) * gain

    assert pooling.shift_equivariance_error(Uneven(), _image(), 2, 0) > 0.01  # type: ignore[arg-type]


def test_rotation_error_is_zero_for_symmetric_filters_and_not_otherwise():
    """A filter equal to its own 90-degree turn gives a turned map for a turned image; a random one does not."""
    symmetric = nn.Conv2d(1, 1, 5, padding=2)
    with torch.no_grad():
        w = torch.rand(5, 5)
        symmetric.weight.copy_((w + w.rot90(1) + w.rot90(2) + w.rot90(3))[None, None])
    assert pooling.filter_asymmetry(symmetric) < 1e-6
    assert pooling.rotation_equivariance_error(symmetric, _image()) < 1e-6
    random = _conv()
    assert pooling.filter_asymmetry(random) > 0.1
    assert pooling.rotation_equivariance_error(random, _image()) > 0.1


def test_max_pooling_keeps_a_feature_that_moves_inside_its_window():
    """One bright pixel moved by one inside its 2 x 2 window: max pooling unchanged, subsampling loses it."""
    identity = nn.Conv2d(1, 1, 1, bias=False)
    with torch.no_grad():
        identity.weight.fill_(1.0)
    x = torch.zeros(1, 1, 8, 8)
    x[0, 0, 2, 2] = 1.0  # top-left of the window rows 2-3, columns 2-3
    change = pooling.pooled_change(identity, torch.relu, x, 1, 0)
    assert change["max"][0] == 0.0
    assert change["avg"][0] == 0.0
    assert change["stride"][0] == pytest.approx(np.sqrt(1.0))  # the pixel left the sampled grid


def test_pooled_change_runs_on_the_lenet_first_layer():
    """It gives one relative change per image for each way of pooling, on LeNet's own layer."""
    net = LeNet()
    x = torch.rand(5, 1, 28, 28)
    change = pooling.pooled_change(net.conv1, net.act, x, 1, 0, batch_size=2)
    assert set(change) == {"max", "avg", "stride"} and all(len(v) == 5 for v in change.values())


def test_consistency_gain_averages_over_distances():
    """It subtracts ring by ring and averages; the interval uses the fewest images per shift."""
    rings = {
        "a": {"consistency": {"0": 1.0, "1": 0.9, "2": 0.7}, "n": {"0": 100, "1": 90, "2": 80}},
        "b": {"consistency": {"0": 1.0, "1": 0.8, "2": 0.4}, "n": {"0": 100, "1": 95, "2": 85}},
    }
    g = pooling.consistency_gain(rings, "a", "b", [1, 2], difference_halfwidth)
    assert g.by_distance == pytest.approx({1: 0.1, 2: 0.3})
    assert g.value == pytest.approx(0.2) and g.n == 80
    assert g.half_width == pytest.approx(difference_halfwidth(0.8, 0.6, 80))


def test_consistency_gain_defaults_to_the_difference_interval():
    """It needs no interval function: the stage calls it with the difference of two shares."""
    rings = {m: {"consistency": {"1": c}, "n": {"1": 50}} for m, c in (("a", 0.9), ("b", 0.5))}
    assert pooling.consistency_gain(rings, "a", "b", [1]).half_width == pytest.approx(
        difference_halfwidth(0.9, 0.5, 50)
    )
