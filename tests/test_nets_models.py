"""The shared architectures (Q3's MLP and LeNet-5): shapes, parameter counts, seeded initialisation."""

import pytest
import torch
from torch import nn

from nnsvm.nets import models
from nnsvm.nets.params import ModelParams


def spec(**kw) -> ModelParams:
    base = {"arch": "lenet", "epochs": 1, "batch_size": 8, "lr": 0.01, "schedule": "constant"}
    return ModelParams(**(base | kw))


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_mlp_has_the_answer_architecture():
    """It is 784-300-50-10: 235,500 + 15,050 + 510 = 251,060 parameters, 10 logits per image."""
    model = models.build(spec(arch="mlp"), torch.Generator().manual_seed(0))
    assert n_parameters(model) == 784 * 300 + 300 + 300 * 50 + 50 + 50 * 10 + 10 == 251_060
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_lenet_has_the_assignment_architecture():
    """It has 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 parameters and the drawn feature-map sizes."""
    model = models.build(spec(), torch.Generator().manual_seed(0))
    assert n_parameters(model) == 61_706
    x = torch.zeros(2, 1, 28, 28)
    c1 = model.conv1(x)
    assert c1.shape == (2, 6, 28, 28)
    assert model.conv2(model.pool(c1, 2)).shape == (2, 16, 10, 10)
    assert model(x).shape == (2, 10)


@pytest.mark.parametrize("arch", ["mlp", "lenet"])
def test_published_setup_outputs_probabilities(arch):
    """It ends in a softmax when softmax_before_loss is set, and probabilities() does not apply a second one."""
    model = models.build(
        spec(arch=arch, activation="sigmoid", pooling="avg", softmax_before_loss=True), torch.Generator().manual_seed(1)
    )
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    out = model(x)
    assert torch.allclose(out.sum(1), torch.ones(4))
    assert torch.equal(models.probabilities(model, x), out)


def test_same_generator_seed_gives_the_same_weights():
    """It draws the initial weights only from the generator passed in."""
    a = models.build(spec(), torch.Generator().manual_seed(7))
    torch.manual_seed(123)  # global state must not matter
    b = models.build(spec(), torch.Generator().manual_seed(7))
    c = models.build(spec(), torch.Generator().manual_seed(8))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.conv1.weight, c.conv1.weight)


def test_init_bounds_follow_fan_in():
    """It keeps PyTorch's default ranges: |bias| <= 1/sqrt(fan_in) (fan_in 25 for conv1, 784 for the MLP's fc1)."""
    lenet = models.build(spec(), torch.Generator().manual_seed(0))
    mlp = models.build(spec(arch="mlp"), torch.Generator().manual_seed(0))
    assert lenet.conv1.bias.abs().max() <= 1 / 5
    assert mlp.fc1.weight.abs().max() <= 1 / 28
