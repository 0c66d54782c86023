"""``nnsvm``: judge answers to the assignment against the committed measurements, offline, in seconds.

    nnsvm template > mine.yaml          # a blank answer file: every claim, its measures and units
    nnsvm check mine.yaml               # every problem of the file at once (file, line, claim id)
    nnsvm judge mine.yaml -o judged/    # one report per answer; with several, the class table too
    nnsvm measures 'q6.*'               # what the pipeline measured, its interval, unit and stage

No command trains, reads MNIST or opens MLflow: they read ``reports/**/measurements*.json``
(the measurements committed with the project, or a fresh ``dvc repro``'s).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from nnsvm import answers, classroom, report
from nnsvm.claims import AnswerFile, load_answer
from nnsvm.core.errors import NnsvmError
from nnsvm.measurement import Measured, Measurement, read_measurements

REPORTS = Path("reports")
ASSIGNMENT = Path("claims/answer.yaml")  # the committed answer: every claim of the assignment, with its measures


def measured_at(reports_dir: Path) -> Measured:
    found = read_measurements(reports_dir)
    if not found.values:
        raise NnsvmError(
            f"no measurements under {reports_dir}/ (reports/**/measurements*.json); run nnsvm from the project's "
            "root or pass --reports DIR"
        )
    return found


def provenance(reports_dir: Path, measured: Measured) -> dict:
    from nnsvm.core import tracking  # names only: no MLflow import

    lock = Path("requirements.lock")
    return report.provenance(
        measured, lock.read_text() if lock.exists() else "", ", ".join(tracking.experiment_names())
    )


# --- judge ------------------------------------------------------------------------


def cmd_judge(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    measured = measured_at(args.reports)
    files = [Path(f) for f in args.answers]
    judged = classroom.judge_files(files, measured, provenance(args.reports, measured), args.reports, args.out)
    classroom.write_reports(judged, args.out)
    for j in judged:
        counts = ", ".join(f"{n} {v}" for v, n in j.content.verdicts.items())
        blank = f" ({len(j.content.blank)} left blank)" if j.content.blank else ""
        print(f"{args.out / j.name / 'report.html'}: {counts}{blank}")
    if len(judged) > 1 or args.table:
        classroom.write_class(classroom.class_table(judged), args.out)
        print(f"{args.out / 'class.html'}: the class table ({len(judged)} answers)")
    data = judged[0].content.provenance["mnist"]["label"] if judged else ""
    print(f"data: {data}; {len(judged)} answer(s) judged in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


# --- check ------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    measured = measured_at(args.reports)
    problems = []
    for f in args.answers:
        loaded, found = answers.validate(f, measured.values)
        problems += found
        if loaded is not None:
            blank = f", {len(loaded.blank)} left blank" if loaded.blank else ""
            print(f"{f}: ok, {len(loaded.answer.claims)} claims to judge{blank}")
            for d in loaded.dropped:
                print(f"  left out (no value): {d}")
    if problems:
        raise answers.AnswerProblems(problems)
    return 0


# --- measures ---------------------------------------------------------------------


def meaning(key: str, m: Measurement, users: dict[str, list[str]]) -> str:
    """One line on what a measurement is: the first sentence of its note, or the claims it checks."""
    first = re.split(r"(?<=[.;:])\s", m.note.strip(), maxsplit=1)[0].rstrip(".;:") if m.note else ""
    if first:
        return report.shorten(first, 110)
    return "checks " + ", ".join(users[key]) if key in users else ""


def checked_by(answer: AnswerFile | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in answer.claims if answer else ():
        for ch in c.checks:
            out.setdefault(ch.measure, []).append(c.id)
    return out


def cmd_measures(args: argparse.Namespace) -> int:
    measured = measured_at(args.reports)
    users = checked_by(load_answer(ASSIGNMENT) if ASSIGNMENT.exists() else None)
    pattern = args.pattern or "*"
    keys = [k for k in sorted(measured.values) if fnmatch.fnmatch(k, pattern) or pattern in k]
    if not keys:
        raise NnsvmError(f"no measurement matches {pattern!r}; `nnsvm measures` lists them all")
    rows = []
    for k in keys:
        m = measured.values[k]
        if m.value is None:
            value, interval = "not measured", m.missing
        else:
            value = m.shown()
            interval = report.interval_text(*m.interval(), m.value, m.fmt)
        rows.append(
            {
                "measure": k,
                "value": value,
                "interval": interval,
                "unit": answers.unit_name(m),
                "stage": measured.made_by[k],
                "meaning": meaning(k, m, users),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['measure']}  = {r['value']}  [{r['interval']}]  unit: {r['unit']}  (stage {r['stage']})")
        if r["meaning"]:
            print(f"    {r['meaning']}")
    return 0


# --- template ---------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.\-])\d+(?:[.,]\d+)*(?:\.\d+)?%?(?![\w])")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def template(assignment: AnswerFile, measured: Measured) -> str:
    """A blank answer file: every checkable claim of the assignment, its measures with units, values left empty.

    The claims' words are the committed answer's with their numbers taken out: the numbers are the student's.
    """
    out = [
        "# An answer to the assignment, to judge against the committed measurements:",
        "#   nnsvm check this.yaml            (every problem at once: file, line, claim id)",
        "#   nnsvm judge this.yaml -o judged/  (a report: judged/<this>/report.html)",
        "# Fill in `value:` for the claims you answer; a claim whose values are all empty is left out.",
        "# A share is written from 0 to 1 (97.5% -> 0.975). tol: the precision you wrote the number with,",
        "# half a unit of its last digit (0.975 -> 0.0005); written: truncated when you cut digits (94.74% -> 0.94).",
        "# compare: equals (=), at_most (<=), at_least (>=), above (>), below (<): what your number states.",
        "",
        'answer: "your name, the date"',
        "",
        "claims:",
    ]
    untestable = [c.id for c in assignment.claims if c.kind == "untestable"]
    for c in assignment.claims:
        if c.kind == "untestable":
            continue
        out += [
            f"  - id: {c.id}",
            f"    question: {c.question}",
            f"    claim: {_q(NUMBER.sub('…', c.claim))}",
            '    says: ""  # your words (optional)',
            f"    source: [{', '.join(c.source)}]",
            f"    kind: {c.kind}",
        ]
        if c.correction:
            out.append(f"    correction: {_q(c.correction)}")
        out.append("    checks:")
        for ch in c.checks:
            m = measured.values.get(ch.measure)
            unit = answers.unit_name(m) if m else "a number"
            stage = measured.made_by.get(ch.measure, "no stage")
            out += [
                f"      - measure: {ch.measure}  # {unit}; made by stage {stage}",
                f"        compare: {ch.compare}",
                "        value:  # fill in",
                "        tol: 0",
            ]
        if c.evidence:
            out.append(f"    evidence: [{', '.join(c.evidence)}]")
        if c.improved:
            out.append(f"    improved: {c.improved}")
        out.append("")
    if assignment.headline:
        out.append("headline:")
        for h in assignment.headline:
            out.append(
                f"  - {{quantity: {_q(h.quantity)}, claim: {h.claim}"
                + (f", improved: {h.improved}}}" if h.improved else "}")
            )
    if untestable:
        out.append(f"# Not checkable by any measurement, so not listed: {', '.join(untestable)}")
    return "\n".join(out) + "\n"


def cmd_template(args: argparse.Namespace) -> int:
    measured = measured_at(args.reports)
    sys.stdout.write(template(load_answer(args.assignment), measured))
    return 0


# --- the parser --------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="nnsvm",
        description="Judge answers to the assignment against the committed measurements (offline, no training).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    top.add_argument("--reports", type=Path, default=REPORTS, help="where the measurements are (default: reports)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    judge = sub.add_parser("judge", help="one report per answer file; with several, the class table too")
    judge.add_argument("answers", nargs="+", metavar="ANSWER.yaml", help="answer files (`nnsvm template`)")
    judge.add_argument("-o", "--out", type=Path, default=Path("judged"), help="output folder (default: judged)")
    judge.add_argument("--table", action="store_true", help="write the class table even for one answer")
    judge.set_defaults(run=cmd_judge)

    check = sub.add_parser("check", help="validate answer files only: every problem, nothing written")
    check.add_argument("answers", nargs="+", metavar="ANSWER.yaml")
    check.set_defaults(run=cmd_check)

    measures = sub.add_parser("measures", help="every measurement: value, interval, unit, stage, meaning")
    measures.add_argument("pattern", nargs="?", help="a glob or a substring of measure names (e.g. 'q6.*')")
    measures.add_argument("--json", action="store_true", help="as JSON")
    measures.set_defaults(run=cmd_measures)

    tmpl = sub.add_parser("template", help="a blank answer file listing every claim, its measures and units")
    tmpl.add_argument(
        "--assignment",
        type=Path,
        default=ASSIGNMENT,
        help="the answer whose claims to list (default: claims/answer.yaml)",
    )
    tmpl.set_defaults(run=cmd_template)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except NnsvmError as exc:
        print(f"nnsvm {args.command}: error: {exc}", file=sys.stderr)
        return 2


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
