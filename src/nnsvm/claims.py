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
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nnsvm.core.errors import NnsvmError
from nnsvm.measurement import Measurement, show

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
    check: Check
    measurement: Measurement
    holds: bool
    confirms: tuple[float, float] = (-math.inf, math.inf)  # the answer's values this measurement would confirm


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
        if not can_tell(found):
            low, high = found.interval()
            return Judgement(
                claim,
                "not checkable",
                f"{check.measure}'s interval [{show(low, found.fmt)}, {show(high, found.fmt)}] spans every value a "
                f"share can take: the measurement cannot tell ({found.spread or 'its spread'})",
            )
        interval = found.interval()
        results.append(CheckResult(check, found, agrees(check, interval), confirms(check, interval)))
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
