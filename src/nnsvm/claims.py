"""The answer's claims and the one rule that judges them against the pipeline's measurements.

Two things, kept apart from the measurements themselves (:mod:`nnsvm.measurement`,
which every measurement stage depends on; this module only the report does):

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
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nnsvm.core.errors import NnsvmError
from nnsvm.measurement import Format, Measurement, show

Verdict = Literal["confirmed", "corrected", "not reproduced", "not checkable"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
Kind = Literal["fact", "experiment", "untestable"]
Compare = Literal["equals", "at_most", "at_least", "above", "below"]
Source = Literal["text", "notebook", "assignment"]

SOURCES: dict[Source, str] = {
    "text": "the answer's text",
    "notebook": "the answer's notebook (as assignment.md records it)",
    "assignment": "the assignment (assignment.md)",
}
RULE: dict[Verdict, str] = {
    "confirmed": "every number the claim states, taken with the precision it was written with, meets the interval "
    "the pipeline measured for it (the measurement's own spread: the original protocol over its seeds, a "
    "solver's proven accuracy, a sampling interval), and that interval is narrow enough to have failed: a value, "
    "bound or share (=, <=, >=) is met when some measured value meets it, so it counts only when the measured "
    "interval is at most twice the resolution of its kind of quantity wide (RESOLUTION); an effect (>, <) is met "
    "only when the whole interval lies beyond the number.",
    "corrected": "the claim states a fact with one right value (a formula, a derivation, the solution of a "
    "convex problem, a property of a model) and one of its numbers misses that interval (for an effect: the whole "
    "interval lies on the other side, no effect or the opposite one): the statement is wrong, and the report gives "
    "the right one.",
    "not reproduced": "the claim reports the result of an experiment, and the original protocol, run "
    "faithfully, gives an interval that excludes it (higher or lower); no error in the statement explains it.",
    "not checkable": "no measurement here can test the claim (the reason is given), its measurement did not finish, "
    "or the measurement cannot tell: its interval spans every value the quantity can take (a share from 0 to "
    "100%), it agrees with the number but is wider than twice its kind's resolution (it would confirm numbers "
    "that a reader tells apart from the answer's), or it holds both an effect and none.",
}
# What "told apart" means, per kind of quantity (a measurement's ``fmt``): (distance, what, why). Two numbers of
# that kind are different claims when they differ by more than the distance; a check that agrees with a measured
# interval reaching further than that beyond the answer's number would confirm numbers a reader tells apart from
# it, so it cannot tell. A check may set its own resolution, with a reason (Check.resolution_note).
RESOLUTION: dict[Format, tuple[float, str, str]] = {
    "pct": (
        0.025,
        "an accuracy or other share",
        "2.5 percentage points: half the gap between the assignment's two pass marks (MLP 90%, LeNet 95%), which "
        "it treats as different results",
    ),
    "int": (0.5, "a count", "half a unit: a count is told apart from the next one"),
    "bool": (0.0, "a yes/no", "none: a yes is told apart from a no only"),
    "g": (
        0.01,
        "a real number",
        "1% of its size; for a number the claim gives as 0 (an identity), 1e-4: above the float32 rounding "
        "(1.2e-7 an operation) of the few thousand operations behind these checks",
    ),
    "e": (0.01, "a real number", "as for g: 1% of its size, 1e-4 for an identity"),
}
ZERO_RESOLUTION = 1e-4
IMPROVED_NOTE = "Our improved models are shown in their own column and never decide a verdict."


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
    resolution: float | None = Field(default=None, ge=0)  # told apart at (default: RESOLUTION by the measure's fmt)
    resolution_note: str = ""  # why this check's resolution differs from its kind's

    @model_validator(mode="after")
    def _resolution_has_reason(self) -> Check:
        if self.resolution is not None and not self.resolution_note:
            raise ValueError(f"check {self.measure}: a resolution of its own says why (resolution_note)")
        return self

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
    # False: the claim's numbers are not the answer's (e.g. the assignment's exact solution): it is judged and
    # shown, but does not count in the answer's tally.
    counts: bool = True

    @model_validator(mode="after")
    def _complete(self) -> ClaimSpec:
        if self.kind == "untestable":
            if self.checks or not self.reason:
                raise ValueError(f"claim {self.id}: an untestable claim has no checks and says why (reason)")
        elif not self.checks:
            raise ValueError(f"claim {self.id}: a {self.kind} claim needs at least one check")
        if self.kind == "fact" and not self.correction:
            raise ValueError(f"claim {self.id}: a fact claim gives its right version (correction)")
        if self.counts and set(self.source) == {"assignment"}:
            raise ValueError(f"claim {self.id}: a claim whose numbers come from the assignment says counts: false")
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
    """One check judged: whether it ``holds``, the answer's values it ``confirms`` (its power) and whether the
    measurement ``tells`` at the check's ``resolution`` (``why`` says how, when it does not)."""

    check: Check
    measurement: Measurement
    holds: bool
    confirms: tuple[float, float] = (-math.inf, math.inf)  # the answer's values this measurement would confirm
    resolution: float = 0.0
    tells: bool = True
    refutes: bool = False  # the measurement lies wholly against the claim (for an effect: none, or the opposite)
    why: str = ""


@dataclass(frozen=True)
class Judgement:
    claim: ClaimSpec
    verdict: Verdict
    why: str
    checks: tuple[CheckResult, ...] = ()

    @property
    def counted(self) -> bool:
        """Whether the verdict counts in the answer's tally: a claim whose numbers come from the assignment (not
        from the answer) says ``counts: false`` and is reported, not counted."""
        return self.claim.counts

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


def can_tell(m: Measurement) -> bool:
    """Whether ``m``'s interval leaves out some value the quantity can take: a share (``pct``, ``bool``) is in
    [0, 1], so an interval from 0 to 1 or wider agrees with every number and tells nothing."""
    low, high = m.interval()
    return m.fmt not in ("pct", "bool") or low > 0 or high < 1


def confirms(check: Check, measured: tuple[float, float]) -> tuple[float, float]:
    """The range of values the answer could have written for ``check`` (same compare, tol and writing) that
    :func:`agrees` with ``measured``: the check's power. ``-inf``/``inf`` mark a side on which no number fails.

    ``above``/``below`` ranges are open at their finite end (the number must clear the interval).
    """
    m_low, m_high = measured
    below, above = (check.tol, check.tol) if check.written == "rounded" else (0.0, 2 * check.tol)
    if check.compare == "equals":
        return m_low - above, m_high + below
    if check.compare == "at_most":
        return m_low - above, math.inf
    if check.compare == "at_least":
        return -math.inf, m_high + below
    if check.compare == "above":
        return -math.inf, m_low - above
    return m_high + below, math.inf  # below


def resolution(check: Check, m: Measurement) -> float:
    """The distance at which ``check``'s number is told apart from another (:data:`RESOLUTION`)."""
    if check.resolution is not None:
        return check.resolution
    r = RESOLUTION[m.fmt][0]
    if m.fmt in ("g", "e"):
        return r * abs(check.value) if check.value != 0 else ZERO_RESOLUTION
    return r


def refutes(check: Check, measured: tuple[float, float]) -> bool:
    """For an effect (``above``/``below``): whether the whole measured interval lies on the other side of the
    number (no effect of that size, or the opposite one). A value or bound is refuted whenever it disagrees."""
    (a_low, a_high), (m_low, m_high) = check.stands_for(), measured
    if check.compare == "above":
        return m_high <= a_high
    if check.compare == "below":
        return m_low >= a_low
    return not agrees(check, measured)


def check_one(check: Check, m: Measurement) -> CheckResult:
    """``check`` against ``m`` by :data:`RULE`: agreement, power (:func:`confirms`) and whether it tells.

    A measurement whose interval is a union of ``parts`` (alternative readings, such as each epoch count the
    notebook may have run) is met by a part that agrees and tells, and refuted only when every part refutes.
    """
    if not m.parts:
        return _on_interval(check, m, m.interval())
    each = [_on_interval(check, m, part) for part in m.parts]
    if all(r.refutes and r.tells for r in each):
        return replace(each[0], confirms=_hull(each))
    if met := [r for r in each if r.holds and r.tells]:
        return replace(met[0], confirms=_hull(met))
    blind = [r for r in each if not r.tells] or each
    return replace(blind[0], confirms=_hull(each), tells=False, refutes=False)


def _hull(results: list[CheckResult]) -> tuple[float, float]:
    return min(r.confirms[0] for r in results), max(r.confirms[1] for r in results)


def _on_interval(check: Check, m: Measurement, interval: tuple[float, float]) -> CheckResult:
    low, high = interval
    holds, r, power = agrees(check, interval), resolution(check, m), confirms(check, interval)
    result = CheckResult(check, m, holds, power, r, refutes=refutes(check, interval))
    fmt = m.fmt
    if not can_tell(m):
        why = (
            "it holds both yes and no"
            if fmt == "bool"
            else f"its interval [{show(low, fmt)}, {show(high, fmt)}] spans every value a share can take"
        )
        return replace(result, tells=False, why=why)
    if result.refutes or (holds and (check.compare in ("above", "below") or wholly_meets(check, interval))):
        return result
    if holds and high - low <= 2 * r:
        return result
    if holds:
        why = (
            f"its interval [{show(low, fmt)}, {show(high, fmt)}] is {distance(high - low, fmt)} wide, more than "
            f"twice the {distance(r, fmt)} at which {_kind(check, m)} is told apart: it would confirm any value "
            f"{span(power, fmt)}"
        )
        return replace(result, tells=False, why=why)
    why = (
        f"its interval [{show(low, fmt)}, {show(high, fmt)}] holds both an effect beyond {show(check.value, fmt)} "
        "and none: it cannot tell"
    )
    return replace(result, tells=False, why=why)


def wholly_meets(check: Check, measured: tuple[float, float]) -> bool:
    """Whether every measured value meets a bound (``at_most``/``at_least``): then no width weakens it."""
    (a_low, a_high), (m_low, m_high) = check.stands_for(), measured
    if check.compare == "at_most":
        return m_high <= a_high
    if check.compare == "at_least":
        return m_low >= a_low
    return False


def distance(x: float, fmt: Format) -> str:
    """A distance between two numbers of ``fmt``: percentage points for shares (0.025 -> 2.5 points)."""
    return f"{100 * x:.3g} points" if fmt == "pct" else show(x, fmt)


def _kind(check: Check, m: Measurement) -> str:
    return f"this check ({check.resolution_note})" if check.resolution is not None else RESOLUTION[m.fmt][1]


def span(power: tuple[float, float], fmt: Format) -> str:
    """A confirmation range in words: "from A to B", ">= A", "< B"."""
    low, high = power
    if math.isinf(low) and math.isinf(high):
        return "whatever"
    if math.isinf(high):
        return f"from {show(low, fmt)} up"
    if math.isinf(low):
        return f"up to {show(high, fmt)}"
    return f"from {show(low, fmt)} to {show(high, fmt)}"


def judge(claim: ClaimSpec, measured: Mapping[str, Measurement]) -> Judgement:
    """The verdict on ``claim`` by :data:`RULE`, from the measurements its checks name: the only place one is made.

    A check that refutes the claim decides it (corrected or not reproduced) whatever the others say; otherwise a
    check that cannot tell makes the claim not checkable; otherwise it is confirmed.
    """
    if claim.kind == "untestable":
        return Judgement(claim, "not checkable", claim.reason)
    results = []
    for check in claim.checks:
        found = measured.get(check.measure)
        if found is None:
            return Judgement(claim, "not checkable", f"no stage measured {check.measure}")
        if found.value is None:
            return Judgement(claim, "not checkable", f"{check.measure} was not measured: {found.missing}")
        results.append(check_one(check, found))
    checked = tuple(results)
    if wrong := [r for r in results if r.refutes and r.tells]:
        outside = ", ".join(r.check.measure for r in wrong)
        if claim.kind == "fact":
            return Judgement(claim, "corrected", f"outside the measured interval: {outside}", checked)
        return Judgement(claim, "not reproduced", f"the original protocol's interval excludes it: {outside}", checked)
    if blind := [r for r in results if not r.tells]:
        why = "; ".join(f"{r.check.measure}: {r.why}" for r in blind)
        return Judgement(claim, "not checkable", f"the measurement cannot tell ({why})", checked)
    return Judgement(claim, "confirmed", "every number agrees with a measured interval narrow enough to fail", checked)


def judge_all(answer: AnswerFile, measured: Mapping[str, Measurement]) -> list[Judgement]:
    return [judge(claim, measured) for claim in answer.claims]
