"""Params of section q4 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nnsvm.core.config import Section

SolverName = Literal["CLARABEL", "SCS", "OSQP", "HIGHS", "SCIPY"]


class Q4SvmParams(Section):
    primal_solvers: tuple[SolverName, ...] = Field(min_length=2)
    dual_solvers: tuple[SolverName, ...] = Field(min_length=2)
    hard_c: float = Field(gt=0)  # scikit-learn's C for the hard margin
    answer_c: float = Field(gt=0)  # the C the answer used
    sv_tol: float = Field(gt=0)  # alpha above this times the largest alpha: a support vector
    margin_tol: float = Field(gt=0)  # |y (w.x + b) - 1| below this: on the margin
    tol: float = Field(gt=0)  # the alphas' interval (w, b and the margin carry the accuracy each solver proves)
    # Q4-A's four points with one label flipped: not linearly separable.
    nonseparable_labels: tuple[Literal[-1, 1], ...] = Field(min_length=2)


class Q4MapsParams(Section):
    solver: SolverName


class Q4Params(Section):
    svm: Q4SvmParams
    maps: Q4MapsParams
