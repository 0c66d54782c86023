"""Params of section q3 of params.yaml, validated strictly (see nnsvm.core.config).

A model's set-up and the keys every network trains by are ``nnsvm.nets.params``'s (Q1 reads them too).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from nnsvm.core.config import MAX_SEED, Section
from nnsvm.nets.params import ModelParams, TrainingParams


class Q3ShiftParams(Section):
    max_shift: int = Field(ge=0, le=13)  # S: every (dx, dy) in [-S, S]^2
    batch_size: int = Field(ge=1, le=100_000)
    demo_class: int = Field(ge=0, le=9)
    demo_shift: int = Field(ge=-27, le=27)  # pixels to the right
    max_test: int = Field(default=0, ge=0)  # 0: the whole test set; else its first N images (tiny profiles)


class Q3RotateParams(Section):
    """Q3-A's rotation experiment (stage q3_rotate): every ``step`` degrees in ``[-max_angle, max_angle]``."""

    max_angle: int = Field(default=60, ge=0, le=180)
    step: int = Field(default=5, ge=1, le=180)


class Q3Params(TrainingParams):
    """Section q3: how every network trains (seed, device, threads, max_train: ``TrainingParams``), then Q3's own."""

    # Train a model's seeds together as one computation (nnsvm.q3.ensemble): each seed's model equals
    # the one trained alone to float rounding, not bitwise; false trains them one after another.
    ensemble: bool = False
    models: dict[str, ModelParams]
    shift: Q3ShiftParams
    rotate: Q3RotateParams = Q3RotateParams()

    @model_validator(mode="after")
    def _models_named(self) -> Q3Params:
        needed = {"mlp", "lenet", "mlp_published", "lenet_published"}
        if missing := sorted(needed - set(self.models)):
            raise ValueError(f"models must include {sorted(needed)} (the claims compare them); missing {missing}")
        if bad := [n for n in self.models if not n.replace("_", "").isalnum() or not n.islower()]:
            raise ValueError(f"model names must be lower-case letters, digits and _ (got {bad})")
        if (top := self.seed + max(m.seeds for m in self.models.values()) - 1) > MAX_SEED:
            raise ValueError(
                f"seed + seeds - 1 = {top} must stay <= {MAX_SEED} (each model trains with seed, seed + 1, ...)"
            )
        return self

    def seeds_of(self, name: str) -> list[int]:
        """The random seeds model ``name`` trains with: ``seed``, ``seed + 1``, ..."""
        return [self.seed + i for i in range(self.models[name].seeds)]
