"""Q6 results: the best kernel over a protocol's grids, and the schemas of its JSON and CSV outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from nnsvm.q6 import final as q6_final
from nnsvm.q6.final import Fitted, accuracy
from nnsvm.q6.grid import Candidate, Scored, best


def grid_result(scored: list[Scored], grid_size: int) -> dict:
    """One protocol's block of ``reports/q6/grid/<kernel>.json``: every candidate and the best."""
    return {"best": best(scored).to_dict(), "candidates": [s.to_dict() for s in scored], "grid_size": grid_size}


def best_over_kernels(grids: dict[str, dict]) -> tuple[str, dict]:
    """The kernel key and best candidate dict with the highest CV accuracy (first kernel in KERNELS on ties)."""
    key = max((k for k in grids), key=lambda k: grids[k]["best"]["cv_accuracy"])
    return key, grids[key]["best"]


def candidate(row: dict) -> Candidate:
    """The candidate a result row (or a ``Q6Model`` dump) names."""
    return Candidate(row["kernel"], row["C"], row["gamma"], row["degree"], row["coef0"])


def summary(row: dict) -> dict:
    return {k: row[k] for k in ("kernel", "C", "gamma", "degree", "cv_accuracy")}


def protocol_metrics(grids: dict[str, dict], final: dict) -> dict:
    """One protocol's block of reports/q6/metrics.json."""
    return {
        "best": summary(final["best"]),
        "per_kernel": {k: summary(grids[k]["best"]) for k in grids},
        "svm": {"train_accuracy": final["svm"]["train_accuracy"], "test_accuracy": final["svm"]["test_accuracy"]},
        "logreg": {"test_accuracy": final["logreg"]["test_accuracy"]},
    }


def describe(row: dict) -> str:
    """``rbf C=10 gamma=0.0001``, ``poly degree 2 C=1 gamma=0.1``, ``linear C=0.1``."""
    degree = "" if row["degree"] is None else f" degree {row['degree']}"
    gamma = "" if row["gamma"] is None else f" gamma={row['gamma']:.4g}"
    return f"{row['kernel']}{degree} C={row['C']:g}{gamma}"


def candidate_runs(kernel: str, protocol: str, scored: list[Scored]) -> list[tuple[str, dict, dict]]:
    """One ``(name, params, metrics)`` child run per grid candidate (``nested.log_child_runs``)."""
    runs = []
    for s in scored:
        c = s.to_dict()
        runs.append(
            (
                f"{kernel} {protocol} C={c['C']:g} gamma={c['gamma']}",
                {**{k: c[k] for k in ("kernel", "C", "gamma", "degree", "coef0")}, "protocol": protocol},
                {"cv_accuracy": c["cv_accuracy"], "fit_seconds": s.fit_seconds}
                | {f"fold_{i}": f for i, f in enumerate(c["fold_scores"])},
            )
        )
    return runs


def final_metrics(result: dict) -> dict[str, float]:
    """The numbers of a ``final_result`` as flat MLflow metrics."""
    flat = {
        f"{model}.{k}": v
        for model in ("svm", "logreg", "answer_model")
        for k, v in result.get(model, {}).items()
        if k != "engine"
    }
    counts = {k: result[k] for k in ("lr_wrong_svm_right", "lr_wrong_answer_model_right") if k in result}
    return flat | counts | {"best.cv_accuracy": result["best"]["cv_accuracy"]}


def fitted_accuracies(fitted: Fitted, y_train: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    if fitted.train_pred is None:
        raise ValueError("an SVM's training-set predictions come from diagnose.by_rule: call it first")
    return {
        "train_accuracy": accuracy(y_train, fitted.train_pred),
        "test_accuracy": accuracy(y_test, fitted.test_pred),
    }


def timings(models: Mapping[str, Fitted]) -> dict[str, float]:
    """Fit and predict seconds per model, as MLflow metrics: kept out of the JSON, which a rerun must not change."""
    return {
        f"{name}.{what}_seconds": getattr(f, f"{what}_seconds")
        for name, f in models.items()
        for what in ("fit", "predict")
    }


def final_result(
    kernel: str,
    best_row: dict,
    y_train: np.ndarray,
    y_test: np.ndarray,
    models: Mapping[str, Fitted],
    lr_wrong_svm_right: int,
    engine: str,
) -> dict:
    """``reports/q6/final/<protocol>.json``: the best SVM, logistic regression and (if fitted) the answer's model,
    with how many test digits logistic regression gets wrong and each SVM right."""
    out: dict[str, Any] = {
        "kernel_key": kernel,
        "best": best_row,
        "train_size": len(y_train),
        "test_size": len(y_test),
        "lr_wrong_svm_right": lr_wrong_svm_right,
    }
    out |= {name: fitted_accuracies(f, y_train, y_test) for name, f in models.items()}
    out["svm"]["engine"] = engine
    if "answer_model" in models:  # the answer's claim is about its own model, not our best
        found = q6_final.lr_wrong_svm_right(y_test, models["logreg"].test_pred, models["answer_model"].test_pred)
        out["lr_wrong_answer_model_right"] = len(found)
    return out


def best_table(metrics: dict) -> pd.DataFrame:
    """The best candidate per kernel of both protocols (a DVC table plot once written as CSV)."""
    rows = [
        {"protocol": proto, "kernel": k} | {c: row[c] for c in ("cv_accuracy", "C", "gamma", "degree")}
        for proto, block in metrics.items()
        for k, row in block["per_kernel"].items()
    ]
    return pd.DataFrame(rows, columns=["protocol", "kernel", "cv_accuracy", "C", "gamma", "degree"]).astype(
        {"degree": "Int64"}
    )
