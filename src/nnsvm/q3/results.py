"""Q3 results: the schemas of what the Q3 stages write (training summaries, per-epoch curves, shift tables)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from nnsvm.core.io import atomic_path
from nnsvm.nets.train import Epoch, Fit
from nnsvm.q3.shift import ShiftGrid

CURVES = ("train_loss", "test_accuracy")  # one DVC plot folder each, one CSV per seed


def summarise(accuracies: dict[int, float]) -> dict[str, float]:
    """Mean, sample standard deviation (0 for one seed), min and max of per-seed accuracies."""
    values = np.array(list(accuracies.values()), dtype=float)
    sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return {"mean": float(values.mean()), "sd": sd, "min": float(values.min()), "max": float(values.max())}


def history_frame(history: list[Epoch]) -> pd.DataFrame:
    """One row per epoch: ``epoch``, ``train_loss``, ``test_accuracy``."""
    return pd.DataFrame([(e.epoch, e.train_loss, e.test_accuracy) for e in history], columns=["epoch", *CURVES])


def write_curves(reports: Path, name: str, seed: int, history: list[Epoch]) -> None:
    """``reports/<curve>/<name>/seed<seed>.csv`` for each curve: the files DVC plots read."""
    frame = history_frame(history)
    for column in CURVES:
        with atomic_path(reports / column / name / f"seed{seed}.csv") as tmp:
            frame[["epoch", column]].to_csv(tmp, index=False, float_format="%.6f")


def by_epoch(fits: dict[int, Fit], report_epochs: Sequence[int]) -> dict[str, dict]:
    """Each seed's test accuracy after each of ``report_epochs`` epochs, and their summary, keyed by epoch."""
    out = {}
    for epoch in report_epochs:
        seeds = {str(s): f.history[epoch - 1].test_accuracy for s, f in fits.items()}
        out[str(epoch)] = {"seeds": seeds, "summary": summarise({int(s): a for s, a in seeds.items()})}
    return out


def train_result(fits: dict[int, Fit], epochs: int, device: str, report_epochs: Sequence[int] = ()) -> dict:
    """``reports/q3/train/<model>.json``: the mean over seeds, each seed's accuracy and history, the summary.

    ``by_epoch`` summarises the seeds after each of ``report_epochs`` epochs as well (the last always).
    """
    accuracies = {seed: f.history[-1].test_accuracy for seed, f in fits.items()}
    summary = summarise(accuracies)
    return {
        "by_epoch": by_epoch(fits, sorted({*report_epochs, epochs})),
        "test_accuracy": summary["mean"],
        "epochs": epochs,
        "device": device,
        "history": {str(s): [[e.epoch, e.train_loss, e.test_accuracy] for e in f.history] for s, f in fits.items()},
        "seeds": {str(s): a for s, a in accuracies.items()},
        "summary": summary,
    }


def train_seconds(fits: dict[int, Fit]) -> float:
    """Wall time of training every seed: for MLflow only, since a hashed output must not change on a rerun."""
    return sum(f.seconds for f in fits.values())


def shift_tables(grids: dict[str, ShiftGrid]) -> tuple[dict, dict]:
    """``shift.json`` (every ``(dx, dy)``) and ``shift_by_distance.json`` (ring means), per model."""
    full = {name: {"accuracy": g.accuracy, "consistency": g.consistency} for name, g in grids.items()}
    rings = {
        name: {which: {str(r): v for r, v in g.by_distance(which).items()} for which in ("accuracy", "consistency")}
        for name, g in grids.items()
    }
    return full, rings


def rings_from_json(table: dict) -> dict[str, dict[str, dict[int, float]]]:
    """``shift_by_distance.json`` read back with integer distances."""
    return {name: {w: {int(r): v for r, v in ring.items()} for w, ring in by.items()} for name, by in table.items()}


def metrics(trained: dict[str, dict]) -> dict:
    """``reports/q3/metrics.json``: test accuracy and epochs per model (and per seed); times are MLflow's."""
    out = {}
    for name, t in trained.items():
        out[name] = {k: t[k] for k in ("test_accuracy", "epochs")}
        if len(t["seeds"]) > 1:
            out[name]["seeds"] = t["seeds"]
    return out
