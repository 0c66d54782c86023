"""Q3 seeds trained together: each equals its model trained alone, runs repeat bitwise, the stage's switch."""

import pytest
import torch

from nnsvm.nets import models, train
from nnsvm.nets.params import ModelParams
from nnsvm.q3 import ensemble

PUBLISHED = {"softmax_before_loss": True, "lr": 0.01, "schedule": "constant"}
SPECS = {
    "lenet_published": {"arch": "lenet", "activation": "sigmoid", "pooling": "avg", **PUBLISHED},
    "mlp_published": {"arch": "mlp", **PUBLISHED},
    "lenet_shiftaug_onecycle": {"arch": "lenet", "lr": 0.003, "schedule": "onecycle", "shift_augment": 2},
}
SEEDS = (42, 43, 44)


def spec(name: str, epochs: int = 1) -> ModelParams:
    return ModelParams(**SPECS[name], epochs=epochs, batch_size=128, seeds=len(SEEDS))


def mnist_like(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """``n`` training images (3 batches of 128 and a short one) and 100 test images: a bright bar per class."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 10, (n + 100,), generator=g)
    x = torch.rand(n + 100, 1, 28, 28, generator=g) * 0.1
    for i, label in enumerate(y.tolist()):
        x[i, 0, 2 + 2 * label : 4 + 2 * label, 4:24] = 1.0
    return x[:n], y[:n], x[n:], y[n:]


def generators() -> list[torch.Generator]:
    return [torch.Generator().manual_seed(s) for s in SEEDS]


@pytest.mark.parametrize("name", list(SPECS))
def test_each_seed_equals_its_model_trained_alone(name):
    """It trains seed k to the weights, losses and test accuracies train.fit gives seed k alone (float tolerance)."""
    data = mnist_like()
    together = ensemble.fit(spec(name, epochs=2), data, generators())
    for k, seed in enumerate(SEEDS):
        alone = train.fit(spec(name, epochs=2), data, torch.Generator().manual_seed(seed))
        assert type(together[k].model) is type(alone.model)
        for (key, p), (_, q) in zip(together[k].model.named_parameters(), alone.model.named_parameters(), strict=True):
            torch.testing.assert_close(
                p, q, rtol=1e-4, atol=1e-5, msg=lambda m, key=key, seed=seed: f"seed {seed} {key}: {m}"
            )
        for e, f in zip(together[k].history, alone.history, strict=True):
            assert e.epoch == f.epoch and e.test_accuracy == f.test_accuracy
            assert e.train_loss == pytest.approx(f.train_loss, rel=1e-5)


def test_the_seeds_start_from_their_own_initial_weights():
    """It starts seed k from exactly models.build(spec, seed k's generator), not from another seed's weights."""
    s = spec("lenet_published")
    stacked = ensemble.Stacked([models.build(s, g) for g in generators()])
    nets = [models.build(s) for _ in SEEDS]
    stacked.copy_into(nets)
    for net, g in zip(nets, generators(), strict=True):
        built = models.build(s, g)
        assert all(torch.equal(p, q) for p, q in zip(net.parameters(), built.parameters(), strict=True))
    assert not torch.equal(nets[0].conv1.weight, nets[1].conv1.weight)


@pytest.mark.parametrize("name", ["lenet_published", "mlp_published"])
def test_two_runs_give_bitwise_identical_models(name):
    """It gives bitwise-identical weights and histories on two runs with the same seeds."""
    data = mnist_like(300)
    runs = [ensemble.fit(spec(name), data, generators()) for _ in range(2)]
    for a, b in zip(*runs, strict=True):
        assert a.history == b.history
        assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True))


def test_fit_seeds_together_or_one_by_one():
    """It returns every seed's fit keyed by seed, stacked in groups of MAX_TOGETHER or one by one, to tolerance."""
    data = mnist_like(200)
    seeds = list(range(ensemble.MAX_TOGETHER + 1))  # two groups: MAX_TOGETHER seeds, then one
    s = spec("mlp_published")
    together = ensemble.fit_seeds(s, data, seeds, together=True)
    apart = ensemble.fit_seeds(s, data, seeds, together=False)
    assert list(together) == list(apart) == seeds
    for seed in seeds:
        for p, q in zip(together[seed].model.parameters(), apart[seed].model.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)
