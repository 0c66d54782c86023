"""Params of the networks Q1 and Q3 train: one model's set-up, and where and how they train.

Both live in section q3 of params.yaml: a model is a value of ``q3.models``, and ``q3.seed``,
``q3.device``, ``q3.threads`` and ``q3.max_train`` say how every model trains. The section itself
is ``nnsvm.q3.params.Q3Params``; Q1's MNIST stages read these keys through the models here alone
(:func:`load_training`, ``load_section("q3.models.<name>", ModelParams)``), so editing Q3's own
params code reruns none of Q1's stages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from nnsvm.core.config import PARAMS_FILE, Section, Seed, read_params, validate
from nnsvm.core.errors import NnsvmError


class ModelParams(Section):
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
    def _report_epochs_within(self) -> ModelParams:
        if any(not 1 <= e <= self.epochs for e in self.report_epochs) or self.report_epochs != sorted(
            set(self.report_epochs)
        ):
            raise ValueError(f"report_epochs must be increasing epochs in 1..{self.epochs}, got {self.report_epochs}")
        return self


class TrainingParams(Section):
    """The keys of section q3 that say how every network trains (``Q3Params`` adds Q3's own)."""

    seed: Seed  # models with several seeds train with seed, seed + 1, ...
    device: Literal["auto", "cpu", "cuda"]
    # Torch CPU threads (0: torch's default, one per core). Two threads train
    # LeNet 1.60x faster than one on a quiet 2-core machine (benchmarks/threads.py);
    # on a core another process keeps busy, OpenMP spin-waits make two slower.
    threads: int = Field(ge=0, le=256)
    max_train: int = Field(ge=0)  # 0: the whole training set; else its first N images


def load_training(path: str | Path = PARAMS_FILE) -> TrainingParams:
    """The keys of section q3 that :class:`TrainingParams` holds, validated alone (the rest of q3 is Q3's)."""
    raw = read_params(path)
    if "q3" not in raw:
        raise NnsvmError(f"{path}: q3: missing; add it to params.yaml")
    section = raw["q3"]
    if isinstance(section, dict):
        section = {k: v for k, v in section.items() if k in TrainingParams.model_fields}
    return validate(TrainingParams, section, prefix="q3", path=path)
