"""Why the original protocol's SVM calls test zeros 6: the engine's predictions against libsvm's rule.

A fitted SVC is a set of one-vs-one binary classifiers (libsvm's layout: support
vectors grouped by class, ``dual_coef_`` of shape ``(n_classes - 1, n_sv)``, one
intercept per pair). ``reference_decisions`` evaluates every pair from those
coefficients as libsvm does and ``vote`` predicts by libsvm's vote, so the
prediction of the *same* fitted model can be compared with the engine's
(scikit-learn-intelex) ``predict``. A second comparison tests the suspect the
report first named: standardized near-constant pixels. It rescales those
pixels of the test images only (``floored_standardize``) and predicts again
with the same model; if they drove the errors, the count would drop.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from nnsvm.core.errors import NnsvmError
from nnsvm.q6.final import Fitted
from nnsvm.q6.grid import Candidate, kernel_matrix
from nnsvm.q6.results import describe

log = logging.getLogger(__name__)

TRUE, PREDICTED = 0, 6  # the confusion under study: a true 0 predicted as 6
GAP_TOLERANCE = 1e-4  # |engine - reference| decision value above which a pair "disagrees" (float noise is ~1e-9)


@dataclass(frozen=True)
class Coefficients:
    """A fitted multi-class SVC in libsvm's layout (see the module docstring)."""

    support_vectors: np.ndarray  # (n_sv, d) float64, grouped by class
    dual_coef: np.ndarray  # (n_classes - 1, n_sv)
    intercept: np.ndarray  # (n_pairs,) in ovo_pairs order
    n_support: np.ndarray  # (n_classes,) support vectors per class

    @classmethod
    def of(cls, model: Any) -> Coefficients:
        """The coefficients a fitted scikit-learn(-intelex) ``SVC`` exposes; 3 classes or more."""
        n_support = np.asarray(model.n_support_)
        if len(n_support) < 3:
            raise NnsvmError("the one-vs-one diagnosis needs 3 classes or more (a binary SVC flips its signs)")
        sv, dual, intercept = (
            np.asarray(a, dtype=np.float64) for a in (model.support_vectors_, model.dual_coef_, model.intercept_)
        )
        return cls(sv, dual, intercept, n_support)


def ovo_pairs(n_classes: int) -> list[tuple[int, int]]:
    """libsvm's order of the one-vs-one classifiers: (0, 1), (0, 2), ..., (n - 2, n - 1)."""
    return list(itertools.combinations(range(n_classes), 2))


def reference_decisions(x: np.ndarray, coef: Coefficients, model: Candidate, chunk: int = 1024) -> np.ndarray:
    """``(n, n_pairs)`` decision values; positive means the pair's first class, as libsvm and scikit-learn."""
    start = np.concatenate([[0], np.cumsum(coef.n_support)])
    pairs = ovo_pairs(len(coef.n_support))
    out = np.empty((len(x), len(pairs)))
    for lo in range(0, len(x), chunk):  # chunks keep the (chunk, n_sv) kernel block small
        k = kernel_matrix(x[lo : lo + chunk], coef.support_vectors, model)
        for p, (i, j) in enumerate(pairs):
            si, sj = slice(start[i], start[i + 1]), slice(start[j], start[j + 1])
            out[lo : lo + chunk, p] = k[:, si] @ coef.dual_coef[j - 1, si] + k[:, sj] @ coef.dual_coef[i, sj]
    return out + coef.intercept


def vote(decisions: np.ndarray, n_classes: int) -> np.ndarray:
    """libsvm's prediction: each pair votes for its first class if its decision is > 0; ties go to the lower class."""
    votes = np.zeros((len(decisions), n_classes), dtype=np.int64)
    for p, (i, j) in enumerate(ovo_pairs(n_classes)):
        votes[:, i] += decisions[:, p] > 0
        votes[:, j] += decisions[:, p] <= 0
    return votes.argmax(1)


def engine_decisions(model: Any, x: np.ndarray) -> np.ndarray:
    """The fitted model's own one-vs-one decision values ``(n, n_pairs)``; leaves its settings as they were."""
    shape = model.decision_function_shape
    model.decision_function_shape = "ovo"
    try:
        return np.asarray(model.decision_function(x), dtype=np.float64)
    finally:
        model.decision_function_shape = shape


def pair_gaps(engine: np.ndarray, reference: np.ndarray, n_classes: int) -> np.ndarray:
    """``(n_classes, n_classes)`` symmetric: the largest |engine - reference| decision value of each pair."""
    gaps = np.zeros((n_classes, n_classes))
    for p, (i, j) in enumerate(ovo_pairs(n_classes)):
        gaps[i, j] = gaps[j, i] = np.abs(engine[:, p] - reference[:, p]).max(initial=0.0)
    return gaps


def pixel_stats(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel mean and (population) std of the raw training pixels, as ``StandardScaler`` fits them."""
    x = np.asarray(x_train, dtype=np.float64)
    return x.mean(0), x.std(0)


def floored_standardize(x: np.ndarray, mean: np.ndarray, std: np.ndarray, floor: float) -> np.ndarray:
    """``(x - mean) / max(std, floor)``: standardization whose near-constant pixels cannot blow up.

    Equal to ``StandardScaler`` on every pixel whose training std is at least ``floor`` grey levels.
    """
    return (np.asarray(x, dtype=np.float64) - mean) / np.maximum(std, floor)


def near_constant_share(features: np.ndarray, near_constant: np.ndarray) -> np.ndarray:
    """``(n,)`` fraction of each row's squared norm that sits on the ``near_constant`` pixels (0 for a zero row)."""
    total = (features**2).sum(1)
    part = (features[:, near_constant] ** 2).sum(1)
    return np.divide(part, total, out=np.zeros_like(total), where=total > 0)


def count(y: np.ndarray, pred: np.ndarray, true: int = TRUE, predicted: int = PREDICTED) -> int:
    """How many images of digit ``true`` are predicted ``predicted``."""
    return int(np.sum((np.asarray(y) == true) & (np.asarray(pred) == predicted)))


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if len(values) else None


def candidate_of(model: Any) -> Candidate:
    """The kernel a fitted ``SVC`` uses, as a ``Candidate`` (its ``gamma`` must be a number unless linear)."""
    p = model.get_params()
    gamma = None if p["kernel"] == "linear" else float(p["gamma"])
    degree = p["degree"] if p["kernel"] == "poly" else None
    return Candidate(p["kernel"], float(p["C"]), gamma, degree, float(p["coef0"]))


@dataclass(frozen=True)
class ModelDiagnosis:
    """One fitted SVM: its test predictions by the engine and by libsvm's rule, and what its zeros look like.

    ``floored_*`` are None unless the model reads standardized pixels. The ``*_share``
    and ``*_max_abs`` arrays hold, for the test zeros the engine predicts 6 (``as_six``)
    and 0 (``as_zero``), the near-constant pixels' share of the squared feature norm and
    the largest |feature| (a z-score under standardization).
    """

    model: str
    classes: np.ndarray  # (n_classes,) the label of each class index
    engine_pred: np.ndarray  # (n_test,)
    reference_pred: np.ndarray  # (n_test,)
    gaps: np.ndarray  # (n_classes, n_classes), over the test zeros
    floored_engine: int | None
    floored_reference: int | None
    as_six_share: np.ndarray
    as_zero_share: np.ndarray
    as_six_max_abs: np.ndarray
    as_zero_max_abs: np.ndarray

    def pair_names(self) -> dict[str, tuple[int, int]]:
        """``"0-6"`` (labels) -> the pair's class indices, in libsvm's order."""
        return {f"{self.classes[i]}-{self.classes[j]}": (i, j) for i, j in ovo_pairs(len(self.classes))}

    def to_dict(self, y: np.ndarray) -> dict[str, Any]:
        """This model's block of ``Diagnosis.to_dict()["svms"]``; ``y`` the test labels."""
        pairs = self.pair_names()
        disagree = [name for name, ij in pairs.items() if self.gaps[ij] > GAP_TOLERANCE]
        return {
            "model": self.model,
            "zero_as_six_engine": count(y, self.engine_pred),
            "zero_as_six_reference": count(y, self.reference_pred),
            "zero_as_six_floored_engine": self.floored_engine,
            "zero_as_six_floored_reference": self.floored_reference,
            "test_accuracy_engine": float(np.mean(self.engine_pred == y)),
            "test_accuracy_reference": float(np.mean(self.reference_pred == y)),
            "predictions_changed": int(np.sum(self.engine_pred != self.reference_pred)),
            "pairs_disagreeing": disagree,
            "max_decision_gap": {name: float(self.gaps[pairs[name]]) for name in disagree},
            "largest_gap_elsewhere": max(
                (float(self.gaps[ij]) for n, ij in pairs.items() if n not in disagree), default=0.0
            ),
            "near_constant_share_median": {
                "as_six": _median(self.as_six_share),
                "as_zero": _median(self.as_zero_share),
            },
            "max_abs_feature_median": {
                "as_six": _median(self.as_six_max_abs),
                "as_zero": _median(self.as_zero_max_abs),
            },
        }


def diagnose_svm(
    model: Any,
    x_test: np.ndarray,
    y_test: np.ndarray,
    engine_pred: np.ndarray,
    near_constant: np.ndarray,
    floored_zeros: np.ndarray | None = None,
) -> ModelDiagnosis:
    """Diagnose one fitted multi-class SVC on its ``(n, d)`` test features.

    ``engine_pred`` is what its ``predict`` gave; ``near_constant`` a ``(d,)`` mask;
    ``floored_zeros`` the test zeros' features under ``floored_standardize`` (None: skip).
    """
    coef, classes = Coefficients.of(model), np.asarray(model.classes_)
    reference = reference_decisions(x_test, coef, candidate_of(model))
    zeros = np.asarray(y_test) == TRUE
    gaps = pair_gaps(engine_decisions(model, x_test[zeros]), reference[zeros], len(classes))
    floored: tuple[int | None, int | None] = (None, None)
    if floored_zeros is not None:
        truth = np.full(len(floored_zeros), TRUE)
        by_rule = classes[vote(reference_decisions(floored_zeros, coef, candidate_of(model)), len(classes))]
        floored = (count(truth, np.asarray(model.predict(floored_zeros))), count(truth, by_rule))
    share, max_abs = near_constant_share(x_test[zeros], near_constant), np.abs(x_test[zeros]).max(1, initial=0.0)
    six, zero = engine_pred[zeros] == PREDICTED, engine_pred[zeros] == TRUE
    return ModelDiagnosis(
        describe(asdict(candidate_of(model))),
        classes,
        np.asarray(engine_pred),
        classes[vote(reference, len(classes))],
        gaps,
        *floored,
        share[six],
        share[zero],
        max_abs[six],
        max_abs[zero],
    )


@dataclass(frozen=True)
class Diagnosis:
    """A protocol's diagnosis: each SVM's, logistic regression's predictions, and the pixel statistics."""

    protocol: str
    scaling: str
    engine: str  # the engine whose predict is checked: sklearnex or sklearn
    svms: dict[str, ModelDiagnosis]
    logreg_pred: np.ndarray
    y_test: np.ndarray
    std: np.ndarray  # (784,) training std per pixel, grey levels
    std_floor: float

    @property
    def near_constant(self) -> np.ndarray:
        return self.std < self.std_floor

    def to_dict(self) -> dict[str, Any]:
        """``reports/q6/final/<protocol>_zero_as_six.json``."""
        return {
            "protocol": self.protocol,
            "scaling": self.scaling,
            "engine": self.engine,
            "true_digit": TRUE,
            "predicted_digit": PREDICTED,
            "test_zeros": int(np.sum(self.y_test == TRUE)),
            "test_size": len(self.y_test),
            "std_floor": self.std_floor,
            "near_constant_pixels": int(self.near_constant.sum()),
            "constant_pixels": int(np.sum(self.std == 0)),
            "gap_tolerance": GAP_TOLERANCE,
            "svms": {name: d.to_dict(self.y_test) for name, d in self.svms.items()},
            "logreg": {"zero_as_six": count(self.y_test, self.logreg_pred)},
        }


def diagnose(
    protocol: str,
    scaling: str,
    engine: str,
    models: Mapping[str, Fitted],
    test: tuple[np.ndarray, np.ndarray, np.ndarray],
    raw_train: np.ndarray,
    std_floor: float,
) -> Diagnosis:
    """Every SVM of a protocol's fitted ``models`` (all but ``logreg``, logistic regression, which is only counted)
    on ``test = (features, raw pixels, labels)``; ``raw_train`` are the raw pixels the scaling was fitted on."""
    x_test, raw_test, y_test = test
    mean, std = pixel_stats(raw_train)
    zeros = y_test == TRUE
    floored = floored_standardize(raw_test[zeros], mean, std, std_floor) if scaling == "standard" else None
    diags = {
        name: diagnose_svm(m.model, x_test, y_test, m.test_pred, std < std_floor, floored)
        for name, m in models.items()
        if name != "logreg"
    }
    logreg = np.asarray(models["logreg"].test_pred)
    for name, d in diags.items():
        log.info(
            "%s %s: %d of %d test zeros predicted %d by the engine, %d by libsvm's rule",
            protocol, name, count(y_test, d.engine_pred), int(zeros.sum()), PREDICTED, count(y_test, d.reference_pred),
        )  # fmt: skip
    return Diagnosis(protocol, scaling, engine, diags, logreg, np.asarray(y_test), std, std_floor)


def rule_predictions(model: Any, x: np.ndarray) -> np.ndarray:
    """What libsvm's one-vs-one rule predicts for ``x`` from ``model``'s own coefficients (deterministic numpy)."""
    coef, classes = Coefficients.of(model), np.asarray(model.classes_)
    return classes[vote(reference_decisions(x, coef, candidate_of(model)), len(classes))]


def by_rule(models: Mapping[str, Fitted], diag: Diagnosis, x_train: np.ndarray) -> dict[str, Fitted]:
    """``models`` with every SVM's train and test predictions by libsvm's rule (logistic regression as it was).

    The engine's ``predict`` is not used for any result: it is wrong on some pairs and not
    repeatable (see the module docstring). Test predictions come from ``diag``; the extra
    seconds of the training-set ones are added to ``predict_seconds``.
    """
    out = dict(models)
    for name, d in diag.svms.items():
        start = time.perf_counter()
        train = rule_predictions(models[name].model, x_train)
        spent = time.perf_counter() - start
        out[name] = replace(
            models[name],
            train_pred=train,
            test_pred=d.reference_pred,
            predict_seconds=models[name].predict_seconds + spent,
        )
        log.info("%s: train and test predictions by libsvm's rule (%.1f s for the training set)", name, spent)
    return out


def zeros_as_six(diag: Diagnosis, raw_test: np.ndarray) -> np.ndarray:
    """The raw test images of the zeros the engine predicts 6 with the protocol's SVM, in test order."""
    return raw_test[(diag.y_test == TRUE) & (diag.svms["svm"].engine_pred == PREDICTED)]


def metrics(result: dict[str, Any]) -> dict[str, float]:
    """The numbers of a ``Diagnosis.to_dict()`` as flat MLflow metrics (``zero_as_six.svm.zero_as_six_engine``, ...)."""
    flat = {f"logreg.{k}": v for k, v in result["logreg"].items()} | {"test_zeros": result["test_zeros"]}
    for name, block in result["svms"].items():
        flat |= {f"{name}.{k}": v for k, v in block.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        flat[f"{name}.pairs_disagreeing"] = len(block["pairs_disagreeing"])
    return {f"zero_as_six.{k}": float(v) for k, v in flat.items()}


# The instruction-set extensions an SVM engine may dispatch on (oneDAL picks kernels by these).
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "amx_tile")


def cpu() -> dict[str, Any]:
    """This machine's CPU model and the SIMD flags of :data:`SIMD_FLAGS` it has (Linux ``/proc/cpuinfo``)."""
    import platform
    from pathlib import Path

    model, flags = platform.processor() or platform.machine(), set[str]()
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
    return {"model": model, "simd_flags": [f for f in SIMD_FLAGS if f in flags]}


def engine_version(engine: str) -> str:
    """The installed version of the engine's package (``scikit-learn-intelex`` or ``scikit-learn``)."""
    from importlib.metadata import PackageNotFoundError, version

    package = "scikit-learn-intelex" if engine == "sklearnex" else "scikit-learn"
    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:
        return f"{package} (not installed)"


def machine_record(result: dict[str, Any]) -> dict[str, Any]:
    """What the engine check showed on this machine: its CPU and flags beside the diagnosis's numbers.

    Not a DVC output (a CPU model differs between machines): ``reports/machine/q6_engine_<protocol>.json``,
    committed with the run that made the numbers, and the stage's MLflow run.
    """
    svms = {
        name: {k: b[k] for k in ("model", "pairs_disagreeing", "predictions_changed", "zero_as_six_engine")}
        | {"zero_as_six_rule": b["zero_as_six_reference"], "largest_gap_elsewhere": b["largest_gap_elsewhere"]}
        for name, b in result["svms"].items()
    }
    return {
        "protocol": result["protocol"],
        "cpu": cpu(),
        "engine": engine_version(result["engine"]),
        "engine_vs_rule": svms,
    }


def engine_check(engine_model: Any, plain_model: Any, x_test: np.ndarray, y_test: np.ndarray) -> dict[str, Any]:
    """Whether this machine's engine disagrees with libsvm's rule, and with plain scikit-learn, on ``x_test``.

    ``engine_model``: an SVC fitted by the engine (scikit-learn-intelex); ``plain_model``: scikit-learn's SVC
    fitted on the same data. Compares the engine's ``predict``, the vote of its own one-vs-one decision
    values, the rule on its exported coefficients, and plain scikit-learn's ``predict``.
    """
    classes = np.asarray(engine_model.classes_)
    coef = Coefficients.of(engine_model)
    reference = reference_decisions(x_test, coef, candidate_of(engine_model))
    own = engine_decisions(engine_model, x_test)
    gaps = pair_gaps(own, reference, len(classes))
    predicted = {
        "engine_predict": np.asarray(engine_model.predict(x_test)),
        "engine_vote": classes[vote(own, len(classes))],
        "rule": classes[vote(reference, len(classes))],
        "plain_sklearn": np.asarray(plain_model.predict(x_test)),
    }
    pairs = ovo_pairs(len(classes))
    bad = [f"{classes[i]}-{classes[j]}" for i, j in pairs if gaps[i, j] > GAP_TOLERANCE]
    apart = {
        f"{a}_vs_{b}": int(np.sum(predicted[a] != predicted[b]))
        for a, b in (("engine_predict", "rule"), ("engine_vote", "rule"), ("rule", "plain_sklearn"))
    }
    return {
        "n_test": len(y_test),
        "accuracy": {k: float(np.mean(p == y_test)) for k, p in predicted.items()},
        "zero_as_six": {k: count(y_test, p) for k, p in predicted.items()},
        "predictions_apart": apart
        | {"engine_predict_vs_plain_sklearn": int(np.sum(predicted["engine_predict"] != predicted["plain_sklearn"]))},
        "pairs_disagreeing": bad,
        "largest_pair_gap": float(gaps.max(initial=0.0)),
        "gap_tolerance": GAP_TOLERANCE,
    }
