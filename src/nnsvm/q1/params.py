"""Params of section q1 of params.yaml, validated strictly (see nnsvm.core.config).

The subsections ``linear`` and ``sparsity`` belong to stage q1_activations (Q1-A),
``gradients`` to stage q1_gradients (Q1-B); the flat keys to stage q1 (C, D, E).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from nnsvm.core.config import MAX_SEED, Section, Seed


class RingsParams(Section):
    """Q1-A's 2-D set no line separates: two noisy concentric rings, one class each."""

    n_points: int = Field(ge=40, le=1_000_000)  # both rings together
    radii: tuple[float, float] = (1.0, 2.0)  # inner, outer
    noise: float = Field(ge=0, le=1)  # std of the radial noise
    test_fraction: float = Field(gt=0, lt=1)
    epochs: int = Field(ge=1, le=10_000)
    lr: float = Field(gt=0, le=1)  # Adam

    @field_validator("radii")
    @classmethod
    def _increasing_radii(cls, radii: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= radii[0] < radii[1]:
            raise ValueError("radii must be inner < outer, both >= 0")
        return radii


class MnistFitParams(Section):
    epochs: int = Field(ge=1, le=100)
    lr: float = Field(gt=0, le=1)  # Adam


class CollapseParams(Section):
    """A random deep net of identity activations, float64, on MNIST's test images."""

    layers: int = Field(ge=2, le=100)  # linear layers
    width: int = Field(ge=1, le=4096)  # hidden width


class LinearParams(Section):
    """Q1-A 1: one linear layer vs ``depth`` hidden layers of identity or ReLU, same optimiser and budget."""

    seed: Seed
    depth: int = Field(ge=1, le=50)  # hidden layers of the deep nets
    width: int = Field(ge=1, le=4096)
    batch_size: int = Field(ge=1, le=60_000)
    collapse: CollapseParams
    rings: RingsParams
    mnist: MnistFitParams


class SparsityParams(Section):
    """Q1-A 2: zeros of the trained Q3 models' ReLUs, and whether dense kernels get faster for them."""

    models: tuple[str, ...] = Field(min_length=1)  # keys of q3.models with ReLU activations
    batch_size: int = Field(ge=1, le=100_000)  # the test set in batches of this size, as q3 evaluates it
    repeats: int = Field(ge=2, le=1_000)  # interleaved timing rounds (>= 2 for a t interval)
    max_test: int = Field(default=0, ge=0)  # 0: the whole test set; else its first N images


class GradientsParams(Section):
    """Q1-B: a deep sigmoid vs ReLU MLP (PyTorch's default init, plain SGD) and the original LeNet's two changes."""

    seed: Seed  # seeds seed, seed + 1, ... for the gradients at initialisation; seed for training
    seeds: int = Field(ge=2, le=100)  # >= 2: the interval is over seeds
    depth: int = Field(ge=1, le=50)  # hidden layers
    width: int = Field(ge=1, le=4096)
    epochs: int = Field(ge=1, le=100)
    lr: float = Field(gt=0, le=10)  # plain SGD, no momentum
    batch_size: int = Field(ge=1, le=60_000)
    init_batches: int = Field(ge=1, le=100)  # gradient norms at initialisation: mean over this many batches
    probe_size: int = Field(ge=1, le=60_000)  # the fixed batch the per-epoch gradient norms are taken on
    lenet_epochs: int = Field(ge=1, le=100)  # at most q3.models.lenet_published.epochs (its recorded curve)

    @model_validator(mode="after")
    def _seeds_in_range(self) -> GradientsParams:
        if self.seed + self.seeds - 1 > MAX_SEED:
            raise ValueError(f"seed + seeds - 1 = {self.seed + self.seeds - 1} must stay <= {MAX_SEED}")
        return self


class Q1Params(Section):
    relu_grid_points: int = Field(ge=3, le=10_000_000)  # Q1-D: fine grid over [0, 1]
    region_grid_points: int = Field(ge=10, le=2_000)  # Q1-C: decision-region figure, per axis
    pulses: tuple[int, ...] = Field(min_length=2)  # Q1-E: numbers of square pulses
    target: Literal["sine", "tent", "gauss"]  # Q1-E: the continuous function to approximate
    steepness: float = Field(gt=0)  # sigmoid slope = steepness * n / (bin width 1)
    eval_points: int = Field(ge=100, le=10_000_000)  # Q1-E: grid for the sup-norm
    linear: LinearParams  # stage q1_activations
    sparsity: SparsityParams  # stage q1_activations
    gradients: GradientsParams  # stage q1_gradients

    @field_validator("pulses")
    @classmethod
    def _increasing_pulses(cls, pulses: tuple[int, ...]) -> tuple[int, ...]:
        if pulses[0] < 1 or any(b <= a for a, b in zip(pulses, pulses[1:])):
            raise ValueError("pulses must be positive and strictly increasing")
        return pulses
