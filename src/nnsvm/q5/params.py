"""Params of section q5 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from nnsvm.core.config import Section, Seed


class Q5Params(Section):
    seed: Seed
    n_points: int = Field(ge=2, le=5_000)
    dim: int = Field(ge=1, le=10)
    # A degree below 1 is no polynomial kernel; the explicit map has (dim + 1)^degree features.
    poly_degrees: tuple[Annotated[int, Field(ge=1, le=5)], ...] = Field(min_length=1)
    poly_coef0: float = Field(ge=0)
    gamma: float = Field(gt=0)  # for polynomial and RBF (scikit-learn's meaning)
    rff_features: tuple[Annotated[int, Field(ge=1)], ...] = Field(min_length=2)  # 0 features: sqrt(2 / 0)
    rff_repeats: int = Field(ge=1, le=100)
    tol: float = Field(gt=0)  # Cauchy-Schwarz ratio must stay <= 1 + tol
