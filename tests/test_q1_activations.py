"""Q1-A: a net of identities collapses to one linear map; ReLU zeros are counted and timed; measurements build."""

import numpy as np
import pytest
import torch
from test_q3_train import toy_data

from nnsvm.measurement import Measurement
from nnsvm.nets import models
from nnsvm.nets.params import ModelParams
from nnsvm.q1 import deepnet, linear, measurements_activations, sparsity
from nnsvm.q1.params import LinearParams
from nnsvm.stats import difference_halfwidth

LINEAR = LinearParams(
    seed=0,
    depth=2,
    width=8,
    batch_size=32,
    collapse={"layers": 3, "width": 8},
    rings={"n_points": 200, "noise": 0.1, "test_fraction": 0.3, "epochs": 3, "lr": 0.01},
    mnist={"epochs": 1, "lr": 0.001},
)


def two_layer_net() -> deepnet.DeepMLP:
    """2 -> 2 -> 1, identity: W1 = [[1, 2], [3, 4]], b1 = [1, 0], W2 = [[1, -1]], b2 = [0.5]."""
    net = deepnet.DeepMLP(2, 1, 1, 2, "identity").double()
    with torch.no_grad():
        net.layers[0].weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        net.layers[0].bias.copy_(torch.tensor([1.0, 0.0]))
        net.layers[1].weight.copy_(torch.tensor([[1.0, -1.0]]))
        net.layers[1].bias.copy_(torch.tensor([0.5]))
    return net


def test_two_layer_linear_net_collapses_by_hand():
    """It gives W = W2 W1 = [[-2, -2]] and b = W2 b1 + b2 = 1.5, and the map equals the net's forward."""
    net = two_layer_net()
    weight, bias = deepnet.collapse(net.linears())
    assert weight.tolist() == [[-2.0, -2.0]] and bias.tolist() == [1.5]
    x = torch.randn(50, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(net(x), x @ weight.T + bias, rtol=0, atol=1e-12)


def test_random_deep_identity_net_is_one_map_to_rounding():
    """It measures a random 6-layer identity net within its float64 rounding bound, predictions all agreeing."""
    net = deepnet.deep_mlp(20, 5, 5, 16, "identity", torch.Generator().manual_seed(1)).double()
    x = torch.randn(200, 20, generator=torch.Generator().manual_seed(2))
    err = deepnet.collapse_error(net, x)
    assert err["relative_err"] < err["rounding_bound"] < 1e-12
    assert err["agreement"] == 1.0 and err["layers"] == 6


def test_relu_net_does_not_collapse():
    """It finds a ReLU net far from the map its weights multiply to (the non-linearity matters)."""
    net = deepnet.deep_mlp(20, 5, 3, 16, "relu", torch.Generator().manual_seed(1)).double()
    weight, bias = deepnet.collapse(net.linears())
    x = torch.randn(200, 20, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        assert (net(x) - (x @ weight.T + bias)).abs().max() > 1e-3


def test_rings_are_split_and_balanced():
    """It makes n points, both classes alike, split by test_fraction, radii where asked."""
    x, y, xt, yt = linear.rings(LINEAR.rings, np.random.default_rng(0))
    assert (len(x), len(xt)) == (140, 60) and x.shape[1] == 2
    labels, radius = torch.cat([y, yt]), torch.cat([x, xt]).norm(dim=1)
    assert int(labels.sum()) == 100
    assert radius[labels == 0].mean() == pytest.approx(1.0, abs=0.05)
    assert radius[labels == 1].mean() == pytest.approx(2.0, abs=0.05)


def test_zero_share_of_a_hand_made_activation():
    """It counts 5 zeros of 8 units pooled, half of layer a, and one dead unit in each layer."""
    a = torch.tensor([[0.0, 1.0, 0.0], [0.0, 2.0, 3.0]])  # unit 0 never active
    b = torch.tensor([[0.0], [0.0]])  # dead
    stats = sparsity.zero_stats([a, b], ["a", "b"])
    assert stats["zero_share"] == 5 / 8 and stats["dead"] == 2
    assert stats["layers"]["a"] == {"units": 3, "zero_share": 0.5, "dead": 1}
    assert stats["active_share_per_image"] == pytest.approx((1 / 4 + 2 / 4) / 2)


def test_dead_channels_of_a_feature_map():
    """It counts a channel zero at every position of every image as dead."""
    maps = torch.ones(2, 3, 2, 2)
    maps[:, 1] = 0
    maps[0, 2, 0, 0] = 0
    stats = sparsity.zero_stats([maps], ["conv"])["layers"]["conv"]
    assert (stats["dead_channels"], stats["dead"], stats["channels"]) == (1, 4, 3)


def test_densify_fills_only_zeros():
    """It replaces exact zeros and keeps every other value."""
    h = torch.tensor([0.0, 2.0, 0.0, 5e-7])
    assert sparsity.densify(h).tolist() == pytest.approx([sparsity.DENSE_FILL, 2.0, sparsity.DENSE_FILL, 5e-7])


@pytest.mark.parametrize("arch", ["mlp", "lenet"])
@pytest.mark.parametrize("softmax", [False, True])
def test_blocks_compose_to_the_model(arch, softmax):
    """It cuts a Q3 model into blocks whose chain gives the model's output exactly."""
    spec = ModelParams(arch=arch, epochs=1, batch_size=8, lr=0.01, schedule="constant", softmax_before_loss=softmax)
    model = models.build(spec, torch.Generator().manual_seed(0)).eval()
    x = toy_data(32)[0]
    parts = sparsity.parts(model)
    with torch.no_grad():
        h = x
        for block in parts.blocks:
            h = block(h)
        assert torch.equal(h, model(x))
    acts = sparsity.hidden_activations(parts.blocks, x, 5)
    assert [a.shape[0] for a in acts] == [16] * len(parts.names)


def test_mean_interval_by_hand():
    """It gives mean 2 and half-width t(0.995, 2) / sqrt(3) for 1, 2, 3."""
    mean, low, high = sparsity.mean_interval(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0 and high - mean == pytest.approx(9.9248432 / np.sqrt(3), rel=1e-6)


def test_interleaved_alternates_the_order():
    """It runs each timer once to warm up, then once per round, reversing the order every other round."""
    calls: list[str] = []
    timers = {name: (lambda n=name: calls.append(n) or 1.0) for name in "ab"}
    out = sparsity.interleaved(timers, 3)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"] and out == {"a": [1.0] * 3, "b": [1.0] * 3}


@pytest.fixture(scope="module")
def records():
    """The q1_activations records on tiny data: rings, fake MNIST, untrained Q3 models."""
    data = toy_data(96)
    lin, ring_models, ring_data = linear.measure(LINEAR, data)
    spec = {"epochs": 1, "batch_size": 8, "lr": 0.01, "schedule": "constant"}
    q3 = {a: models.build(ModelParams(arch=a, **spec), torch.Generator().manual_seed(0)) for a in ("mlp", "lenet")}
    return lin, *sparsity.measure(q3, data[2], 16, 2)


def test_measurements_of_q1a_are_valid(records):
    """It builds every q1a measurement, each a valid Measurement with the gains and intervals as defined."""
    lin, sparse, timings = records
    figs = {"linear": "q1/l.png", "sparsity": "q1/s.png"}
    found = measurements_activations.measurements(lin, sparse, timings, figs)
    assert set(found) == {
        "q1a.linear.product_err",
        "q1a.linear.depth_gain.rings",
        "q1a.linear.depth_gain.mnist",
        "q1a.relu.gain.rings",
        "q1a.relu.gain.mnist",
        "q1a.relu.zero_share.mlp",
        "q1a.relu.zero_share.lenet",
        "q1a.relu.zeros_faster",
    }
    assert all(isinstance(m, Measurement) and m.value is not None for m in found.values())
    acc = lin["rings"]["accuracy"]
    gain = found["q1a.relu.gain.rings"]
    assert gain.value == pytest.approx(acc["deep_relu"] - acc["linear"])
    half = difference_halfwidth(acc["deep_relu"], acc["linear"], lin["rings"]["test_points"])
    assert gain.high - gain.value == pytest.approx(half)
    assert found["q1a.linear.product_err"].value < 1e-12
    assert found["q1a.relu.zero_share.lenet"].value == sparse["zeros"]["lenet"]["zero_share"]
    assert found["q1a.relu.zeros_faster"].value == float(timings["speed"]["all"]["low"] > 1)
    assert found["q1a.relu.zeros_faster"].figures == ()  # the report's HTML inlines figures: a timing's would vary


def test_the_zeros_record_holds_no_timing(records):
    """It keeps every wall time out of the zeros record (a DVC output): the timings go to their own record."""
    _, sparse, timings = records
    assert set(sparse) == {"test_images", "batch_size", "zeros"}
    assert {"speed", "csr", "threads"} <= set(timings)


@pytest.mark.parametrize(
    ("low", "high", "value", "interval"),
    [(1.1, 1.3, 1.0, (1.0, 1.0)), (0.7, 0.9, 0.0, (0.0, 0.0)), (0.77, 1.08, 0.0, (0.0, 1.0))],
)
def test_zeros_faster_says_yes_no_or_cannot_tell(low, high, value, interval):
    """It says yes when the timing interval clears 1, no when it lies below 1, and spans [0, 1] (cannot tell)
    when it holds 1: a 'no' would claim the zeros make it slower."""
    speed = {"speed": {"all": {"low": low, "high": high, "ratios": [1.0] * 7}, "models": ["mlp"]}, "dense_fill": 0.5}
    found = measurements_activations.zeros_faster({"test_images": 10, "batch_size": 5}, speed)
    assert (found.value, found.interval()) == (value, interval)
