"""The answer's claims, the pipeline's measurements, and the one rule that judges one by the other.

Three things, kept apart:

* **Measurements** (:class:`Measurement`): what a question's stages measured,
  each with the interval the measurement supports (the spread of a protocol over
  its seeds, a solver's tolerance, a sampling interval). A stage writes them with
  :func:`write_measurements` to ``reports/<question>/measurements*.json``; they
  depend on no answer, so any number of answers can be judged against them.
* **Claims** (:class:`ClaimSpec`), read from an answer's claims file
  (``claims/answer.yaml``, see :func:`load_answer`): the claim's words, the
  numbers it states with their source, the measurement each is judged against,
  and the precision the number was written with.
* **The rule** (:func:`judge`): the only place a verdict is decided, written out
  in :data:`RULE` and at the top of the report.

Our improved models are measurements too, shown in their own column; no claim's
verdict can depend on them, because :func:`judge` reads only a claim's checks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import read_json, write_json

Verdict = Literal["confirmed", "corrected", "not reproduced", "not checkable"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
Kind = Literal["fact", "experiment", "untestable"]
Compare = Literal["equals", "at_most", "at_least", "above", "below"]
Source = Literal["text", "notebook", "assignment"]
Format = Literal["pct", "g", "e", "int", "bool"]

SOURCES: dict[Source, str] = {
    "text": "the answer's text",
    "notebook": "the answer's notebook (as assignment.md records it)",
    "assignment": "the assignment (assignment.md)",
}
RULE: dict[Verdict, str] = {
    "confirmed": "every number the claim states, taken with the precision it was written with, meets the interval "
    "the pipeline measured for it: the measurement's own spread (the original protocol over its seeds, a "
    "solver's tolerance, a sampling interval).",
    "corrected": "the claim states a fact with one right value (a formula, a derivation, the solution of a "
    "convex problem, a property of a model) and one of its numbers misses that interval: the statement is "
    "wrong, and the report gives the right one.",
    "not reproduced": "the claim reports the result of an experiment, and the original protocol, run "
    "faithfully, gives an interval that excludes it (higher or lower); no error in the statement explains it.",
    "not checkable": "no measurement here can test the claim (the reason is given), its measurement did not finish, "
    "or its measured interval spans every value the quantity can take (a share from 0 to 100%): a measurement "
    "that agrees with any number cannot tell.",
}
IMPROVED_NOTE = "Our improved models are shown in their own column and never decide a verdict."


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
        return self

    def interval(self) -> tuple[float, float]:
        if self.value is None:
            raise ValueError(f"no value: {self.missing}")
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)

    def can_tell(self) -> bool:
        """Whether the interval leaves out some value the quantity can take: a share (``pct``, ``bool``) is in
        [0, 1], so an interval from 0 to 1 or wider agrees with every number and tells nothing."""
        low, high = self.interval()
        return self.fmt not in ("pct", "bool") or low > 0 or high < 1

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
    )


def around(value: float, tol: float, fmt: Format, how: str, **kw: Any) -> Measurement:
    """``value`` with the interval ``value ± tol`` (a numerical or sampling tolerance)."""
    return measure(value, fmt, spread=(value - tol, value + tol, how), **kw)


class Check(BaseModel):
    """One number of a claim: the answer's ``value`` against measurement ``measure``.

    ``compare`` says what the answer states of the quantity: it equals, is at most
    or at least ``value`` (some measured value must be), or an effect exists, it is
    ``above`` or ``below`` ``value`` (every measured value must be: an interval that
    still holds "no effect" does not show one). ``tol`` is the precision the number was written with: half a
    unit of its last digit. A ``rounded`` number stands for ``value ± tol``; a
    ``truncated`` one (cut, not rounded, as 94.74 -> 94) for ``[value, value + 2 tol]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: str
    value: float
    compare: Compare = "equals"
    tol: float = Field(default=0.0, ge=0)
    written: Literal["rounded", "truncated"] = "rounded"

    def stands_for(self) -> tuple[float, float]:
        """The interval of values the written number stands for."""
        if self.written == "truncated":
            return self.value, self.value + 2 * self.tol
        return self.value - self.tol, self.value + self.tol


class ClaimSpec(BaseModel):
    """One claim of an answer, as its claims file states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    question: str = Field(pattern=r"^Q[1-6](-[A-E])?$")
    claim: str
    says: str
    source: tuple[Source, ...] = Field(min_length=1)
    kind: Kind
    checks: tuple[Check, ...] = ()
    tol_note: str = ""  # what the checks' tol stands for
    correction: str = ""  # a fact claim's right version, shown when it is corrected
    reason: str = ""  # why an untestable claim cannot be checked
    evidence: tuple[str, ...] = ()  # more measurements to show beside the checks
    improved: str | None = None  # our improved model's measurement: shown, never judged

    @model_validator(mode="after")
    def _complete(self) -> ClaimSpec:
        if self.kind == "untestable":
            if self.checks or not self.reason:
                raise ValueError(f"claim {self.id}: an untestable claim has no checks and says why (reason)")
        elif not self.checks:
            raise ValueError(f"claim {self.id}: a {self.kind} claim needs at least one check")
        if self.kind == "fact" and not self.correction:
            raise ValueError(f"claim {self.id}: a fact claim gives its right version (correction)")
        return self


class HeadlineSpec(BaseModel):
    """A row of the headline table: a claim's number, its original-protocol measurement, our improved model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quantity: str
    claim: str
    improved: str | None = None


class AnswerFile(BaseModel):
    """A claims file: one answer's claims, in the order the report shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: str
    claims: tuple[ClaimSpec, ...] = Field(min_length=1)
    headline: tuple[HeadlineSpec, ...] = ()

    @model_validator(mode="after")
    def _ids(self) -> AnswerFile:
        ids = [c.id for c in self.claims]
        if dup := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"claim ids must be unique; repeated: {', '.join(dup)}")
        if unknown := [h.claim for h in self.headline if h.claim not in ids]:
            raise ValueError(f"headline rows name unknown claims: {', '.join(unknown)}")
        return self


def load_answer(path: str | Path) -> AnswerFile:
    """Read and validate a claims file; any problem is one :class:`NnsvmError` line naming the file."""
    path = Path(path)
    try:
        return AnswerFile.model_validate(yaml.safe_load(path.read_text()))
    except FileNotFoundError:
        raise NnsvmError(f"claims file {path} not found; pass the path of an answer's claims file") from None
    except yaml.YAMLError as e:
        raise NnsvmError(f"{path} is not valid YAML ({str(e).splitlines()[0]}); fix the file") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise NnsvmError(f"{path}: {where}: {first['msg']}; fix the claims file") from None


@dataclass(frozen=True)
class CheckResult:
    check: Check
    measurement: Measurement
    holds: bool


@dataclass(frozen=True)
class Judgement:
    claim: ClaimSpec
    verdict: Verdict
    why: str
    checks: tuple[CheckResult, ...] = ()

    def right_version(self) -> str:
        """The claim's correction, when the verdict says it is needed ("" otherwise)."""
        return self.claim.correction if self.verdict == "corrected" else ""


def agrees(check: Check, measured: tuple[float, float]) -> bool:
    """Whether what the answer states (its number, as written) and the measured interval agree.

    ``equals``, ``at_most``, ``at_least``: they have a value in common. ``above``, ``below``
    (the claim says an effect exists): every measured value is beyond the number.
    """
    (a_low, a_high), (m_low, m_high) = check.stands_for(), measured
    if check.compare == "equals":
        return a_low <= m_high and m_low <= a_high
    if check.compare == "at_most":  # the quantity is <= value: some measured value is
        return m_low <= a_high
    if check.compare == "at_least":
        return m_high >= a_low
    if check.compare == "above":  # an effect: the whole measured interval clears what the number stands for
        return m_low > a_high
    return m_high < a_low  # below


def judge(claim: ClaimSpec, measured: Mapping[str, Measurement]) -> Judgement:
    """The verdict on ``claim`` by :data:`RULE`, from the measurements its checks name: the only place one is made."""
    if claim.kind == "untestable":
        return Judgement(claim, "not checkable", claim.reason)
    results = []
    for check in claim.checks:
        found = measured.get(check.measure)
        if found is None:
            return Judgement(claim, "not checkable", f"no stage measured {check.measure}")
        if found.value is None:
            return Judgement(claim, "not checkable", f"{check.measure} was not measured: {found.missing}")
        if not found.can_tell():
            low, high = found.interval()
            return Judgement(
                claim,
                "not checkable",
                f"{check.measure}'s interval [{show(low, found.fmt)}, {show(high, found.fmt)}] spans every value a "
                f"share can take: the measurement cannot tell ({found.spread or 'its spread'})",
            )
        results.append(CheckResult(check, found, agrees(check, found.interval())))
    if all(r.holds for r in results):
        return Judgement(claim, "confirmed", "every number agrees with its measured interval", tuple(results))
    outside = ", ".join(r.check.measure for r in results if not r.holds)
    if claim.kind == "fact":
        return Judgement(claim, "corrected", f"outside the measured interval: {outside}", tuple(results))
    return Judgement(
        claim, "not reproduced", f"the original protocol's interval excludes it: {outside}", tuple(results)
    )


def judge_all(answer: AnswerFile, measured: Mapping[str, Measurement]) -> list[Judgement]:
    return [judge(claim, measured) for claim in answer.claims]


def write_measurements(path: str | Path, *, stage: str, measurements: Mapping[str, Measurement]) -> None:
    """Write a stage's measurements (atomically) for the report stage to judge claims against.

    The file names the stage, not its MLflow run: a run ID would change the bytes on every
    rerun. ``reports/runs/<stage>.json`` (not a DVC output) names the run.
    """
    write_json(
        path,
        {
            "stage": stage,
            "measurements": {k: m.model_dump(exclude_defaults=True) for k, m in measurements.items()},
        },
    )


@dataclass(frozen=True)
class Measured:
    """Every measurement under ``reports/``, and the stage that made each."""

    values: dict[str, Measurement]
    made_by: dict[str, str]  # key -> stage


def read_measurements(reports_dir: str | Path) -> Measured:
    """Every ``measurements*.json`` under ``reports_dir``; one key measured twice is an error."""
    values: dict[str, Measurement] = {}
    made_by: dict[str, str] = {}
    for path in sorted(Path(reports_dir).glob("**/measurements*.json")):
        data = read_json(path)
        for key, raw in data["measurements"].items():
            if key in values:
                raise NnsvmError(f"measurement {key} is written by both {made_by[key]} and {data['stage']}")
            values[key] = Measurement.model_validate(raw)
            made_by[key] = data["stage"]
    return Measured(values, made_by)


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
