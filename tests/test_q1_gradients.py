"""Q1-B: weight-gradient norms by hand, their ratios over seeds, the LeNet variants, the measurements."""

import numpy as np
import pytest
import torch
from test_q3_train import toy_data

from nnsvm.core.errors import NnsvmError
from nnsvm.measurement import Measurement
from nnsvm.nets import models
from nnsvm.nets.params import ModelParams
from nnsvm.q1 import deepnet, gradients, measurements_gradients
from nnsvm.q1.params import GradientsParams

GRADIENTS = GradientsParams(
    seed=0,
    seeds=3,
    depth=3,
    width=8,
    epochs=2,
    lr=0.1,
    batch_size=16,
    init_batches=2,
    probe_size=16,
    lenet_epochs=1,
)
ORIGINAL = ModelParams(
    arch="lenet",
    activation="sigmoid",
    pooling="avg",
    softmax_before_loss=True,
    epochs=3,
    batch_size=16,
    lr=0.01,
    schedule="constant",
)


def test_grad_norms_of_a_two_layer_net_by_hand():
    """It gives ||dL/dW2|| = ||(p - e_y) h^T|| / n and ||dL/dW1|| = ||W2^T (p - e_y) x^T|| / n, and their ratio."""
    net = deepnet.deep_mlp(3, 4, 1, 5, "identity", torch.Generator().manual_seed(0)).double()
    x = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    w1, b1 = net.layers[0].weight.detach(), net.layers[0].bias.detach()
    w2, b2 = net.layers[1].weight.detach(), net.layers[1].bias.detach()
    h = x @ w1.T + b1
    delta = ((h @ w2.T + b2).softmax(1) - torch.nn.functional.one_hot(y, 4)) / len(x)  # dL/dz, mean loss
    by_hand = np.array([float((delta @ w2).T.matmul(x).norm()), float((delta.T @ h).norm())])
    norms = deepnet.layer_grad_norms(net, x, y)
    assert norms == pytest.approx(by_hand, rel=1e-12)
    assert gradients.first_over_last(norms[None, :])[0] == pytest.approx(by_hand[0] / by_hand[1], rel=1e-12)


def test_init_grad_norms_average_the_batches():
    """It averages the per-batch norms of the first batches, taking no step between them."""
    net = deepnet.deep_mlp(3, 4, 2, 5, "sigmoid", torch.Generator().manual_seed(0))
    x, y = torch.randn(8, 3, generator=torch.Generator().manual_seed(1)), torch.arange(8) % 4
    expected = (deepnet.layer_grad_norms(net, x[:4], y[:4]) + deepnet.layer_grad_norms(net, x[4:], y[4:])) / 2
    assert deepnet.init_grad_norms(net, x, y, 2, 4) == pytest.approx(expected, rel=1e-6)


def test_geometric_mean_and_interval_on_log10():
    """It gives 10 for 1 and 100, with an interval symmetric around it in log10."""
    value, low, high = gradients.geometric([1.0, 100.0])
    assert value == pytest.approx(10.0)
    assert np.log10(low) + np.log10(high) == pytest.approx(2.0) and low < 1 and high > 100


def test_sigmoid_loses_more_gradient_than_relu_at_depth():
    """It finds the first layer's share of the gradient smaller with sigmoid than with ReLU, same init, 10 layers."""
    x, y = toy_data(64)[:2]
    norms = {
        act: deepnet.init_grad_norms(
            deepnet.deep_mlp(784, 10, 10, 32, act, torch.Generator().manual_seed(0)), x, y, 2, 16
        )
        for act in ("sigmoid", "relu")
    }
    assert gradients.first_over_last(norms["sigmoid"][None])[0] < gradients.first_over_last(norms["relu"][None])[0]


def test_he_init_keeps_relu_variance():
    """It redraws the weights with variance 2 / fan_in under He init."""
    net = deepnet.deep_mlp(4000, 2, 1, 500, "relu", torch.Generator().manual_seed(0), init="he")
    assert float(net.layers[0].weight.detach().var()) == pytest.approx(2 / 4000, rel=0.02)


def test_lenet_variants_start_from_the_originals_weights():
    """It builds every activation x loss combination with the original's initial weights for one seed."""
    built = [
        models.build(ORIGINAL.model_copy(update=change), torch.Generator().manual_seed(42))
        for change in gradients.LENET_COMBOS.values()
    ]
    for other in built[1:]:
        assert all(torch.equal(p, q) for p, q in zip(built[0].parameters(), other.parameters()))
    assert gradients.LENET_COMBOS["relu_logits"] == {"activation": "relu", "softmax_before_loss": False}


def test_lenet_epochs_beyond_the_recorded_curve_stop():
    """It refuses more LeNet epochs than the original's recorded curve holds, naming the key."""
    with pytest.raises(NnsvmError, match=r"q1\.gradients\.lenet_epochs is 1 .* 0 epochs"):
        gradients.measure_lenet(ORIGINAL, [], toy_data(32), 42, GRADIENTS)


@pytest.fixture(scope="module")
def record():
    data = toy_data(64)
    recorded = [[1, 2.3, 0.1], [2, 2.2, 0.2], [3, 2.1, 0.3]]
    return {
        "deep": gradients.measure_deep(data, GRADIENTS),
        "lenet": gradients.measure_lenet(ORIGINAL, recorded, data, 42, GRADIENTS),
    }


def test_deep_record_has_a_curve_and_probe_per_epoch(record):
    """It records init norms per seed and layer, and one history row and probe (after init) per epoch."""
    deep = record["deep"]
    assert np.array(deep["init_norms"]["sigmoid"]).shape == (3, 4) and deep["layers"][-1] == "output"
    for run in deep["runs"].values():
        assert len(run["history"]) == 2 and len(run["probe_norms"]) == 3


def test_measurements_of_q1b_are_valid(record):
    """It builds every q1b measurement, each a valid Measurement; the paired ratio is per seed, then geometric."""
    found = measurements_gradients.measurements(record, {"gradients": "q1/g.png", "gradients_training": "q1/t.png"})
    assert {
        "q1b.sigmoid.grad_ratio",
        "q1b.relu.grad_ratio",
        "q1b.relu_over_sigmoid",
        "q1b.relu_accuracy_gain",
        "q1b.lenet.original.epoch1",
        "q1b.lenet.sigmoid_logits.epoch1",
        "q1b.lenet.relu_softmax.epoch1",
        "q1b.lenet.grad_conv1.sigmoid_softmax",
        "q1b.lenet.grad_conv1.relu_logits",
    } <= set(found)
    assert all(isinstance(m, Measurement) and m.value is not None for m in found.values())
    ratios = record["deep"]["ratios"]
    paired = np.array(ratios["relu"]) / np.array(ratios["sigmoid"])
    assert found["q1b.relu_over_sigmoid"].value == pytest.approx(10 ** np.log10(paired).mean())
    original = found["q1b.lenet.original.epoch1"]
    assert original.value == 0.1 and original.high - 0.1 == pytest.approx(2.5758293 * np.sqrt(0.09 / 32), rel=1e-6)


def test_lenet_gain_is_paired_on_the_same_test_images(record):
    """It retrains the original beside the variants and judges each gain on the same test images: the paired
    interval comes from the share of images right in one model only (McNemar), not from two independent samples."""
    lenet = record["lenet"]
    assert len(lenet["original_retrained"]) == lenet["epochs"]
    assert isinstance(lenet["original_is_recorded"], bool) and not lenet["original_is_recorded"]  # made-up curve
    found = measurements_gradients.lenet_gain(lenet, "relu_softmax", "q1/t.png")
    a, b = lenet["history"]["relu_softmax"][-1][2], lenet["original_retrained"][-1][2]
    share, n = lenet["discordant"]["relu_softmax"], lenet["test_images"]
    assert found.value == pytest.approx(a - b)
    assert found.high - found.value == pytest.approx(2.5758293 * np.sqrt(max(share - (a - b) ** 2, 0) / n), rel=1e-6)
    assert "paired" in found.spread and "differs" in found.note


def test_discordant_counts_images_right_in_one_model_only():
    """It counts an image where both are right or both wrong as concordant."""
    a = torch.tensor([True, True, False, False])
    b = torch.tensor([True, False, True, False])
    assert gradients.discordant(a, b) == 0.5 and gradients.discordant(a, a) == 0.0
