"""Params of section q2 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from nnsvm.core.config import Point, Section, Seed


class Q2OptimParams(Section):
    l2: float = Field(gt=0)  # keeps the logistic loss strictly convex with a finite minimum
    iterations: int = Field(ge=1, le=100_000)
    sgd_lr: float = Field(gt=0)
    newton_iterations: int = Field(ge=1, le=1_000)


class Q2Params(Section):
    seed: Seed
    init_std: float = Field(gt=0)
    x: Point  # the one training sample of Q2-A
    y: tuple[Literal[0, 1], Literal[0, 1]]  # its one-hot label

    fd_step: float = Field(gt=0, lt=1e-2)
    tol: float = Field(gt=0)  # backprop, autograd and finite differences must agree to this
    optim: Q2OptimParams

    @field_validator("y")
    @classmethod
    def _one_hot(cls, y: tuple[int, int]) -> tuple[int, int]:
        if sum(y) != 1:
            raise ValueError("y must be one-hot: [1, 0] or [0, 1]")
        return y
