"""Params of section q5 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from pydantic import Field

from nnsvm.core.config import Section


class Q5Params(Section):
    seed: int = Field(ge=0)
    n_points: int = Field(ge=2, le=5_000)
    dim: int = Field(ge=1, le=10)
    poly_degrees: tuple[int, ...] = Field(min_length=1)
    poly_coef0: float = Field(ge=0)
    gamma: float = Field(gt=0)  # for polynomial and RBF (scikit-learn's meaning)
    rff_features: tuple[int, ...] = Field(min_length=2)
    rff_repeats: int = Field(ge=1, le=100)
    tol: float = Field(gt=0)  # Cauchy-Schwarz ratio must stay <= 1 + tol
