"""Typed, strict loading of ``params.yaml``.

Every section of the file is a frozen pydantic model that forbids unknown keys,
so a typo or an out-of-range value stops a stage before any work, with one line
that names the key and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nnsvm.errors import NnsvmError

Point = tuple[float, float]


class Section(BaseModel):
    """Base of every params section: frozen, strict about unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- data -------------------------------------------------------------------


class MnistParams(Section):
    source: Literal["auto", "full", "subset"] = "auto"
    mirrors: tuple[str, ...] = Field(min_length=1)
    timeout_s: float = Field(gt=0, le=600)
    subset_test_per_class: int = Field(ge=1, le=250)


class DataParams(Section):
    mnist: MnistParams


# --- toy data sets ----------------------------------------------------------


class ClustersParams(Section):
    centers: tuple[Point, Point, Point]
    std: float = Field(gt=0)
    n_per_class: int = Field(ge=2, le=100_000)


class FourPointsParams(Section):
    points: tuple[Point, ...] = Field(min_length=2)
    labels: tuple[Literal[-1, 1], ...]

    @model_validator(mode="after")
    def _same_length(self) -> FourPointsParams:
        if len(self.points) != len(self.labels):
            raise ValueError("points and labels must have the same length")
        return self


class LineParams(Section):
    pattern: str = Field(pattern=r"^[+-]+$", min_length=2)
    start: float
    spacing: float = Field(gt=0)


class RingsParams(Section):
    radii: tuple[float, ...] = Field(min_length=2)
    labels: tuple[Literal[-1, 1], ...]
    n_per_ring: int = Field(ge=3, le=100_000)
    noise: float = Field(ge=0)

    @field_validator("radii")
    @classmethod
    def _increasing(cls, radii: tuple[float, ...]) -> tuple[float, ...]:
        if radii[0] <= 0 or any(b <= a for a, b in zip(radii, radii[1:])):
            raise ValueError("radii must be positive and strictly increasing")
        return radii

    @model_validator(mode="after")
    def _rings_apart(self) -> RingsParams:
        if len(self.labels) != len(self.radii):
            raise ValueError("labels needs one entry per radius")
        # Radial noise must not let neighbouring rings touch, else the sets
        # stop being separable and Q4-B has nothing to show.
        gaps = [b - a for a, b in zip(self.radii, self.radii[1:])]
        if 2 * self.noise >= min(gaps):
            raise ValueError(f"noise must be below half the smallest gap between radii ({min(gaps) / 2:g})")
        return self


class ToyParams(Section):
    seed: int = Field(ge=0)
    clusters: ClustersParams
    four_points: FourPointsParams
    db1: LineParams
    db2: RingsParams
    db3: RingsParams


# --- Q1, Q2, Q4, Q5: the hand-derived claims --------------------------------

SolverName = Literal["CLARABEL", "SCS", "OSQP", "HIGHS", "SCIPY"]


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


class Q2OptimParams(Section):
    l2: float = Field(gt=0)  # keeps the logistic loss strictly convex with a finite minimum
    iterations: int = Field(ge=1, le=100_000)
    sgd_lr: float = Field(gt=0)
    newton_iterations: int = Field(ge=1, le=1_000)


class Q2Params(Section):
    seed: int = Field(ge=0)
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


class Q4SvmParams(Section):
    primal_solvers: tuple[SolverName, ...] = Field(min_length=2)
    dual_solvers: tuple[SolverName, ...] = Field(min_length=2)
    hard_c: float = Field(gt=0)  # scikit-learn's C for the hard margin
    seed_c: float = Field(gt=0)  # the C the seed used
    sv_tol: float = Field(gt=0)  # alpha above this: a support vector
    margin_tol: float = Field(gt=0)  # |y (w.x + b) - 1| below this: on the margin
    tol: float = Field(gt=0)  # largest error against the exact answer we accept
    # Q4-A's four points with one label flipped: not linearly separable.
    nonseparable_labels: tuple[Literal[-1, 1], ...] = Field(min_length=2)


class Q4MapsParams(Section):
    solver: SolverName


class Q4Params(Section):
    svm: Q4SvmParams
    maps: Q4MapsParams


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
# --- Q3: MLP vs LeNet on MNIST, shift invariance ----------------------------


class Q3ModelParams(Section):
    """One trained model: architecture, loss set-up and optimisation (Adam)."""

    arch: Literal["mlp", "lenet"]
    activation: Literal["relu", "sigmoid"] = "relu"
    pooling: Literal["max", "avg"] = "max"  # lenet only
    # The original notebooks applied softmax before CrossEntropyLoss (a double softmax).
    softmax_before_loss: bool = False
    epochs: int = Field(ge=1, le=100)
    batch_size: int = Field(ge=1, le=60_000)
    lr: float = Field(gt=0, le=1)
    schedule: Literal["constant", "onecycle"]
    shift_augment: int = Field(default=0, ge=0, le=13)  # max |dx|, |dy| of random training shifts
    seeds: int = Field(default=1, ge=1, le=20)  # trained with seed, seed+1, ...


class Q3ShiftParams(Section):
    max_shift: int = Field(ge=0, le=13)  # S: every (dx, dy) in [-S, S]^2
    batch_size: int = Field(ge=1, le=100_000)
    demo_class: int = Field(ge=0, le=9)
    demo_shift: int = Field(ge=-27, le=27)  # pixels to the right
    max_test: int = Field(default=0, ge=0)  # 0: the whole test set; else its first N images (tiny profiles)


class Q3Params(Section):
    device: Literal["auto", "cpu", "cuda"]
    # Torch CPU threads (0: torch's default). On a shared 2-core machine one
    # thread is several times faster than two: OpenMP spin-waits on a busy core.
    threads: int = Field(ge=0, le=256)
    max_train: int = Field(ge=0)  # 0: the whole training set; else its first N images
    models: dict[str, Q3ModelParams]
    shift: Q3ShiftParams

    @model_validator(mode="after")
    def _models_named(self) -> Q3Params:
        needed = {"mlp", "lenet", "mlp_published", "lenet_published"}
        if missing := sorted(needed - set(self.models)):
            raise ValueError(f"models must include {sorted(needed)} (the claims compare them); missing {missing}")
        if bad := [n for n in self.models if not n.replace("_", "").isalnum() or not n.islower()]:
            raise ValueError(f"model names must be lower-case letters, digits and _ (got {bad})")
        return self


# --- Q6: SVM kernel grid search on MNIST -------------------------------------


class Q6SplitParams(Section):
    seed: int = Field(ge=0)
    test_fraction: float = Field(gt=0, lt=1)
    # Grid-search set per protocol, as a stratified fraction of the training part.
    grid_fraction: dict[Literal["published", "improved"], float]
    min_per_class: int = Field(ge=1)
    # Use only this many of the 70,000 pooled images (tiny test profile); null = all.
    max_images: int | None = Field(default=None, ge=100)

    @field_validator("grid_fraction")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != {"published", "improved"} or not all(0 < f < 1 for f in value.values()):
            raise ValueError("needs published and improved, each a fraction in (0, 1)")
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


class Q6Protocol(Section):
    # standard: StandardScaler fitted on the training part; unit: pixels / 255.
    scaling: Literal["standard", "unit"]
    # rest: the final model trains on the training part minus the grid-search set; all: on the whole training part.
    final_train: Literal["rest", "all"]
    # Second pass around the best cell: C and gamma times factor**{-1, 0, 1}; 0 = no second pass.
    refine_factor: float = Field(ge=0)
    logreg_max_iter: int = Field(ge=1)
    # Also train the seed's reported best model (RBF, C=10, gamma=1e-4) on the same features, to check its numbers.
    fit_seed_model: bool = False
    kernels: dict[Literal["linear", "poly2", "poly3", "rbf"], Q6KernelGrid]


class Q6Params(Section):
    split: Q6SplitParams
    cv_folds: int = Field(ge=2, le=20)
    n_jobs: int = Field(ge=1, le=64)
    # sklearnex: scikit-learn-intelex's SVC for the final fit (see benchmarks/svm_final.py).
    engine: Literal["sklearn", "sklearnex"]
    published: Q6Protocol
    improved: Q6Protocol


# --- the whole file ---------------------------------------------------------


class Params(Section):
    """The whole of ``params.yaml``."""

    seed: int = Field(ge=0)
    data: DataParams
    toy: ToyParams
    q1: Q1Params
    q2: Q2Params
    q4: Q4Params
    q5: Q5Params
    q3: Q3Params
    q6: Q6Params


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read and validate ``path``; raise NnsvmError naming the first bad key."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise NnsvmError(f"{path}: not found; run from the project root or pass the params file") from None
    except yaml.YAMLError as exc:
        raise NnsvmError(f"{path}: not valid YAML ({exc.__class__.__name__}); fix its syntax") from None
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        raise NnsvmError(f"{path}: {describe_error(exc)}") from None


def describe_error(exc: ValidationError) -> str:
    """One line for the first error: the dotted key, what is wrong, what is allowed."""
    err = exc.errors()[0]
    key = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(Params, err["loc"][:-1]))
        return f"{key}: unknown key (allowed here: {allowed})"
    if err["type"] == "missing":
        return f"{key}: missing; add it to params.yaml"
    got = json.dumps(err.get("input"), default=str)
    return f"{key}: {err['msg']} (got {got})"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def digest(*sections: BaseModel) -> str:
    """A short stable hash of the given sections, for tagging tracked runs."""
    blob = json.dumps([s.model_dump(mode="json") for s in sections], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
