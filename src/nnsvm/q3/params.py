"""Params of section q3 of params.yaml, validated strictly (see nnsvm.core.config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from nnsvm.core.config import MAX_SEED, Section, Seed


class Q3ModelParams(Section):
    """One trained model: architecture, loss set-up and optimisation (Adam)."""

    arch: Literal["mlp", "lenet"]
    activation: Literal["relu", "sigmoid"] = "relu"
    pooling: Literal["max", "avg", "stride"] = "max"  # lenet only; stride: stride-2 convolutions, no pooling
    # The original notebooks applied softmax before CrossEntropyLoss (a double softmax).
    softmax_before_loss: bool = False
    epochs: int = Field(ge=1, le=100)
    batch_size: int = Field(ge=1, le=60_000)
    lr: float = Field(gt=0, le=1)
    schedule: Literal["constant", "onecycle"]
    shift_augment: int = Field(default=0, ge=0, le=13)  # max |dx|, |dy| of random training shifts
    seeds: int = Field(default=1, ge=1, le=20)  # trained with seed, seed+1, ...
    # Epochs whose test accuracy is summarised over the seeds as well as the last:
    # with a constant learning rate, epochs 1-10 of a 30-epoch run are a 10-epoch run.
    report_epochs: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _report_epochs_within(self) -> Q3ModelParams:
        if any(not 1 <= e <= self.epochs for e in self.report_epochs) or self.report_epochs != sorted(
            set(self.report_epochs)
        ):
            raise ValueError(f"report_epochs must be increasing epochs in 1..{self.epochs}, got {self.report_epochs}")
        return self


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


class Q3Params(Section):
    seed: Seed  # models with several seeds train with seed, seed + 1, ...
    device: Literal["auto", "cpu", "cuda"]
    # Torch CPU threads (0: torch's default, one per core). Two threads train
    # LeNet 1.60x faster than one on a quiet 2-core machine (benchmarks/threads.py);
    # on a core another process keeps busy, OpenMP spin-waits make two slower.
    threads: int = Field(ge=0, le=256)
    max_train: int = Field(ge=0)  # 0: the whole training set; else its first N images
    # Train a model's seeds together as one computation (nnsvm.q3.ensemble): each seed's model equals
    # the one trained alone to float rounding, not bitwise; false trains them one after another.
    ensemble: bool = False
    models: dict[str, Q3ModelParams]
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
