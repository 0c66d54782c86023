"""Reading an answer file for judging: every problem at once, each with its file, line and claim id.

:func:`nnsvm.claims.load_answer` stops at the first problem; a student or teacher
fixing a file wants them all. :func:`validate` reads the YAML with its node marks
(``yaml.compose``), checks each claim against :class:`nnsvm.claims.ClaimSpec`, and
checks each number against the measurement it names: a measure no stage makes (with
the closest names), and a value outside its measure's unit (a share written in
percent, 97.50 for 0.975). A check left blank (``value:`` empty, as ``nnsvm template``
writes it) is not an answer: it is left out, and so is a claim whose every check is blank.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from nnsvm.claims import AnswerFile, ClaimSpec
from nnsvm.core.errors import NnsvmError
from nnsvm.measurement import Measurement

FILE = "(file)"  # the claim id of a problem that belongs to no claim
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an answer file, where it is, and which claim it belongs to."""

    file: str
    line: int  # 1-based
    claim: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: claim {self.claim}: {self.message}"


class AnswerProblems(NnsvmError):
    """Every problem of an answer file, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the answer file; fix them and run "
            "`nnsvm check` again:\n" + "\n".join(f"  {p}" for p in problems)
        )


@dataclass(frozen=True)
class Loaded:
    """An answer file that passed: its claims (blank ones left out), the ids of those left blank, and the
    checks left blank in claims that were filled in (``claim id: measure``), also left out."""

    answer: AnswerFile
    blank: tuple[str, ...]
    dropped: tuple[str, ...] = ()


def marks(node: yaml.Node, path: Path_ = ()) -> dict[Path_, int]:
    """The 1-based line of every key and item of a composed YAML document, by its path."""
    found = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found |= marks(value, (*path, str(key.value)))
            found[(*path, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found |= marks(item, (*path, i))
    return found


def line_of(lines: Mapping[Path_, int], path: Path_) -> int:
    """The line of ``path``, or of its nearest ancestor that the file has (a missing field: its claim's line)."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _where(loc: tuple[Any, ...], raw: Mapping[str, Any]) -> str:
    """A pydantic location inside a claim, for a reader: ``check 2 (q6.x) value`` rather than ``checks.1.value``."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        if loc[i] == "checks" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            checks = raw.get("checks") or []
            n = loc[i + 1]
            name = checks[n].get("measure") if n < len(checks) and isinstance(checks[n], dict) else None
            parts.append(f"check {n + 1}" + (f" ({name})" if name else ""))
            i += 2
            continue
        parts.append(str(loc[i]))
        i += 1
    return " ".join(parts)


def _pydantic(e: ValidationError, raw: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    out = []
    for err in e.errors():
        loc = tuple(err["loc"])
        what = _where(loc, raw)
        msg = "missing field" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
        out.append((loc, f"{what}: {msg}" if what else msg))
    return out


DIFFERENCE = ("gain", "diff", "drop", "delta")  # a share measure whose name says it is a difference of shares


def unit_range(key: str, m: Measurement) -> tuple[float, float] | None:
    """The values a measure's unit allows: a share (``pct``) and a yes/no (``bool``) lie in [0, 1]; a difference
    of shares (a gain, a drop: its name says so, or it was measured below zero) in [-1, 1]."""
    if m.fmt == "bool":
        return (0.0, 1.0)
    if m.fmt != "pct":
        return None
    negative = m.value is not None and m.interval()[0] < 0
    return (-1.0, 1.0) if negative or any(w in key for w in DIFFERENCE) else (0.0, 1.0)


def unit_name(m: Measurement) -> str:
    return {
        "pct": "a share from 0 to 1 (write 0.975 for 97.5%)",
        "bool": "yes or no (write 1 or 0)",
        "int": "a count",
        "e": "a number",
        "g": "a number",
    }[m.fmt]


def _names(raw: Mapping[str, Any]) -> list[tuple[Path_, str]]:
    """Every measurement name a claim gives, with its path inside the claim."""
    out: list[tuple[Path_, str]] = []
    for j, ch in enumerate(raw.get("checks") or []):
        if isinstance(ch, dict) and isinstance(ch.get("measure"), str):
            out.append((("checks", j, "measure"), ch["measure"]))
    for j, name in enumerate(raw.get("evidence") or []):
        if isinstance(name, str):
            out.append((("evidence", j), name))
    if isinstance(raw.get("improved"), str):
        out.append((("improved",), raw["improved"]))
    return out


def _measure_problems(
    raw: Mapping[str, Any], measured: Mapping[str, Measurement], names: bool
) -> list[tuple[Path_, str]]:
    out: list[tuple[Path_, str]] = []
    for path, name in _names(raw) if names else ():
        if name not in measured:
            close = difflib.get_close_matches(name, list(measured), n=3, cutoff=0.6)
            hint = f"; closest: {', '.join(close)}" if close else "; `nnsvm measures` lists them all"
            out.append((path, f"unknown measure {name!r}{hint}"))
    for j, ch in enumerate(raw.get("checks") or []):
        if not isinstance(ch, dict) or ch.get("measure") not in measured:
            continue
        m = measured[ch["measure"]]
        allowed = unit_range(ch["measure"], m)
        value = ch.get("value")
        if allowed and isinstance(value, int | float) and not allowed[0] <= value <= allowed[1]:
            out.append(
                (
                    ("checks", j, "value"),
                    f"check {j + 1} ({ch['measure']}) value {value} is outside {allowed[0]:g} to {allowed[1]:g}: "
                    f"the measure is {unit_name(m)}",
                )
            )
    return out


def _empty(ch: Any) -> bool:
    return isinstance(ch, dict) and "value" in ch and ch["value"] is None


def _blank(raw: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Whether a claim was left blank (every check's value empty), and the measures of the checks left blank."""
    checks = raw.get("checks") or []
    empty = [str(ch.get("measure")) for ch in checks if _empty(ch)]
    return bool(checks) and len(empty) == len(checks), empty


def validate(
    path: str | Path, measured: Mapping[str, Measurement] | None, *, names: bool = True
) -> tuple[Loaded | None, list[Problem]]:
    """Every problem of the answer file at ``path`` (against ``measured``'s names and units when given).

    ``names=False`` accepts a measure no stage wrote (the claim is then not checkable, as the rule says): the
    pipeline's own run, whose profile (a tiny one, fewer epochs) may measure fewer quantities than the answer
    names. ``nnsvm check`` and ``nnsvm judge`` judge against the full measurements and refuse them.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None, [Problem(name, 1, FILE, "file not found; pass the path of an answer file (`nnsvm template`)")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(x) for x in (getattr(e, "context", None), getattr(e, "problem", None)) if x) or str(e)
        return None, [Problem(name, line, FILE, f"not valid YAML at line {line}, column {col}: {what}")]
    if not isinstance(raw, dict) or node is None:
        return None, [Problem(name, 1, FILE, "an answer file is a mapping with `answer:` and `claims:`")]
    lines = marks(node)
    problems: list[Problem] = []

    def add(p: Path_, claim: str, message: str) -> None:
        problems.append(Problem(name, line_of(lines, p), claim, message))

    for key in ("answer", "claims"):
        if key not in raw:
            add((), FILE, f"missing field `{key}`")
    if extra := sorted(set(raw) - set(AnswerFile.model_fields)):
        add((extra[0],), FILE, f"unknown top-level field{'s' if len(extra) > 1 else ''}: {', '.join(extra)}")
    raw_claims = raw.get("claims") or []
    if not isinstance(raw_claims, list):
        add(("claims",), FILE, "`claims` is a list of claims")
        raw_claims = []
    kept: list[dict[str, Any]] = []
    blank: list[str] = []
    dropped: list[str] = []
    ids: dict[str, int] = {}
    for i, rc in enumerate(raw_claims):
        at: Path_ = ("claims", i)
        if not isinstance(rc, dict):
            add(at, f"#{i + 1}", "a claim is a mapping (id, question, claim, says, source, kind, checks)")
            continue
        cid = rc["id"] if isinstance(rc.get("id"), str) else f"#{i + 1} (no id)"
        if cid in ids:
            add((*at, "id"), cid, f"id repeated (first at line {ids[cid]})")
        ids.setdefault(cid, line_of(lines, at))
        is_blank, half = _blank(rc)
        if is_blank:
            blank.append(cid)
            continue
        dropped += [f"{cid}: {m}" for m in half]
        filled = rc | {"checks": [ch for ch in rc["checks"] if not _empty(ch)]} if half else rc
        try:
            ClaimSpec.model_validate(filled)
        except ValidationError as e:
            for loc, msg in _pydantic(e, filled):
                add((*at, *loc), cid, msg)
        if measured is not None:
            for p, msg in _measure_problems(rc, measured, names):
                add((*at, *p), cid, msg)
        kept.append(filled)
    for k, row in enumerate(raw.get("headline") or []):
        if isinstance(row, dict) and row.get("claim") in blank:
            continue
        if isinstance(row, dict) and row.get("claim") not in ids:
            add(("headline", k, "claim"), str(row.get("claim")), "headline row names no claim of this file")
    if raw_claims and not kept and not problems:
        add(("claims",), FILE, "every claim is blank: fill in at least one value")
    if problems:
        return None, problems
    headline = [row for row in raw.get("headline") or [] if not (isinstance(row, dict) and row.get("claim") in blank)]
    try:
        answer = AnswerFile.model_validate(raw | {"claims": kept, "headline": headline})
    except ValidationError as e:
        return None, [Problem(name, line_of(lines, tuple(loc)), FILE, msg) for loc, msg in _pydantic(e, raw)]
    return Loaded(answer, tuple(blank), tuple(dropped)), []


def load(path: str | Path, measured: Mapping[str, Measurement] | None, *, names: bool = True) -> Loaded:
    """The answer file at ``path``, or :class:`AnswerProblems` listing every problem it has."""
    loaded, problems = validate(path, measured, names=names)
    if problems or loaded is None:
        raise AnswerProblems(problems)
    return loaded
