"""Params of section q1 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from nnsvm.core.config import Section


class Q1Params(Section):
    relu_grid_points: int = Field(ge=3, le=10_000_000)  # Q1-D: fine grid over [0, 1]
    region_grid_points: int = Field(ge=10, le=2_000)  # Q1-C: decision-region figure, per axis
    pulses: tuple[int, ...] = Field(min_length=2)  # Q1-E: numbers of square pulses
    target: Literal["sine", "tent", "gauss"]  # Q1-E: the continuous function to approximate
    steepness: float = Field(gt=0)  # sigmoid slope = steepness * n / (bin width 1)
    eval_points: int = Field(ge=100, le=10_000_000)  # Q1-E: grid for the sup-norm

    @field_validator("pulses")
    @classmethod
    def _increasing_pulses(cls, pulses: tuple[int, ...]) -> tuple[int, ...]:
        if pulses[0] < 1 or any(b <= a for a, b in zip(pulses, pulses[1:])):
            raise ValueError("pulses must be positive and strictly increasing")
        return pulses
