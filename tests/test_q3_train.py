"""Q3 training: one step lowers the loss, CPU runs are deterministic, devices resolve."""

import numpy as np
import pytest
import torch

from nnsvm.core.errors import NnsvmError
from nnsvm.nets import models, train
from nnsvm.nets.params import ModelParams
from nnsvm.q3 import results


def spec(**kw) -> ModelParams:
    base = {"arch": "lenet", "epochs": 2, "batch_size": 32, "lr": 0.003, "schedule": "onecycle"}
    return ModelParams(**(base | kw))


def toy_data(n: int = 128, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Images whose class is the row band (10 bands of ~3 rows) holding a bright bar: learnable in a few steps."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 10, (n,), generator=g)
    x = torch.rand(n, 1, 28, 28, generator=g) * 0.1
    for i, label in enumerate(y.tolist()):
        x[i, 0, 1 + 2 * label : 3 + 2 * label, 4:24] = 1.0
    return x[: n // 2], y[: n // 2], x[n // 2 :], y[n // 2 :]


@pytest.mark.parametrize("arch", ["mlp", "lenet"])
def test_one_step_lowers_the_loss_on_its_batch(arch):
    """It lowers the batch's cross-entropy with one Adam step."""
    model = models.build(spec(arch=arch), torch.Generator().manual_seed(0))
    x, y, _, _ = toy_data()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    before = train.train_step(model, optimizer, x, y)
    with torch.no_grad():
        after = torch.nn.functional.cross_entropy(model(x), y).item()
    assert after < before


def test_training_learns_the_toy_task():
    """It drives test accuracy on the bar task well above chance (0.1) in a few epochs."""
    result = train.fit(
        spec(arch="mlp", epochs=5, batch_size=16, lr=0.01), toy_data(512), torch.Generator().manual_seed(0)
    )
    assert [e.epoch for e in result.history] == [1, 2, 3, 4, 5]
    assert result.history[-1].test_accuracy > 0.8
    assert result.history[-1].train_loss < result.history[0].train_loss


@pytest.mark.parametrize(
    "overrides", [{}, {"shift_augment": 3}, {"arch": "mlp", "softmax_before_loss": True, "schedule": "constant"}]
)
def test_same_seed_same_model_on_cpu(overrides):
    """It gives identical histories and weights for two runs with the same seed (with augmentation too)."""
    runs = [train.fit(spec(epochs=1, **overrides), toy_data(64), torch.Generator().manual_seed(5)) for _ in range(2)]
    assert runs[0].history == runs[1].history
    assert all(torch.equal(p, q) for p, q in zip(runs[0].model.parameters(), runs[1].model.parameters()))
    other = train.fit(spec(epochs=1, **overrides), toy_data(64), torch.Generator().manual_seed(6))
    assert other.history != runs[0].history


def test_to_tensors_scales_to_unit_range():
    """It turns uint8 (n, 28, 28) into float (n, 1, 28, 28) in [0, 1] and int64 labels."""
    images = np.full((2, 28, 28), 255, dtype=np.uint8)
    images[1] = 51
    x, y = train.to_tensors(images, np.array([3, 7], dtype=np.uint8), torch.device("cpu"))
    assert x.shape == (2, 1, 28, 28) and x.dtype == torch.float32
    assert x[0].max() == 1.0 and x[1].max() == pytest.approx(0.2)
    assert y.dtype == torch.int64 and y.tolist() == [3, 7]


def test_device_resolution():
    """It maps auto to cpu without CUDA, and refuses cuda when there is none, naming the fix."""
    assert train.resolve_device("cpu").type == "cpu"
    if torch.cuda.is_available():
        assert train.resolve_device("auto").type == "cuda"
    else:
        assert train.resolve_device("auto").type == "cpu"
        with pytest.raises(NnsvmError, match="q3.device: auto or cpu"):
            train.resolve_device("cuda")


def test_summary_of_seeds():
    """It gives mean, sample sd, min and max: 0.90, 0.92, 0.97 -> mean 0.93, sd 0.036056."""
    s = results.summarise({1: 0.90, 2: 0.92, 3: 0.97})
    assert s["mean"] == pytest.approx(0.93)
    assert s["sd"] == pytest.approx(0.0360555, abs=1e-6)
    assert (s["min"], s["max"]) == (0.90, 0.97)
    assert results.summarise({1: 0.5})["sd"] == 0.0
