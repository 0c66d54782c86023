"""Params of section q6 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from nnsvm.core.config import Section, Seed

# The two protocols every Q6 stage runs: the original notebook's, and ours.
PROTOCOLS = ("published", "improved")
Protocol = Literal["published", "improved"]


class Q6SplitParams(Section):
    seed: Seed
    test_fraction: float = Field(gt=0, lt=1)
    # Grid-search set per protocol, as a stratified fraction of the training part.
    grid_fraction: dict[Protocol, float]
    min_per_class: int = Field(ge=1)
    # Use only this many of the 70,000 pooled images (tiny test profile); null = all.
    max_images: int | None = Field(default=None, ge=100)

    @field_validator("grid_fraction")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != set(PROTOCOLS) or not all(0 < f < 1 for f in value.values()):
            raise ValueError(f"needs {' and '.join(PROTOCOLS)}, each a fraction in (0, 1)")
        return value


class Q6KernelGrid(Section):
    kernel: Literal["linear", "poly", "rbf"]
    C: tuple[float, ...] = Field(min_length=1)
    gamma: tuple[float, ...] = (1.0,)
    degree: int = Field(default=3, ge=1, le=5)
    coef0: float = 0.0

    @field_validator("C", "gamma")
    @classmethod
    def _positive(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(v <= 0 for v in value):
            raise ValueError("every value must be > 0")
        return value


class Q6Model(Section):
    """One SVM, named by its hyper-parameters (scikit-learn's meaning)."""

    kernel: Literal["linear", "poly", "rbf"]
    C: float = Field(gt=0)
    gamma: float | None = Field(default=None, gt=0)  # None for linear
    degree: int | None = Field(default=None, ge=1, le=5)  # poly only
    coef0: float = 0.0


class Q6Protocol(Section):
    # standard: StandardScaler fitted on the training part; unit: pixels / 255.
    scaling: Literal["standard", "unit"]
    # rest: the final model trains on the training part minus the grid-search set; all: on the whole training part.
    final_train: Literal["rest", "all"]
    # Second pass around the best cell: C and gamma times factor**{-1, 0, 1}; 0 = no second pass.
    refine_factor: float = Field(ge=0)
    logreg_max_iter: int = Field(ge=1)
    # Also train the answer's reported best model on the same features, to check its numbers (null: none).
    answer_model: Q6Model | None = None
    kernels: dict[str, Q6KernelGrid]


class Q6Diagnose(Section):
    # Grey levels: a pixel whose training std is below this counts as near-constant, and the
    # diagnosis's scaling variant divides by max(std, std_floor) instead of the std.
    std_floor: float = Field(gt=0, le=255)


class Q6Params(Section):
    # The grid-searched kernels: each protocol's ``kernels`` has exactly these keys (DVC's q6_grid foreach).
    kernels: tuple[str, ...] = Field(min_length=1)
    split: Q6SplitParams
    cv_folds: int = Field(ge=2, le=20)
    n_jobs: int = Field(ge=1, le=64)
    # sklearnex: scikit-learn-intelex's SVC for the final fit (see benchmarks/svm_final.py).
    engine: Literal["sklearn", "sklearnex"]
    published: Q6Protocol
    improved: Q6Protocol
    diagnose: Q6Diagnose

    @model_validator(mode="after")
    def _same_kernels(self) -> Q6Params:
        for name in PROTOCOLS:
            if set(getattr(self, name).kernels) != set(self.kernels):
                raise ValueError(f"{name}.kernels must have exactly the keys of q6.kernels {list(self.kernels)}")
        return self

    def protocol(self, name: str) -> Q6Protocol:
        return getattr(self, name)
