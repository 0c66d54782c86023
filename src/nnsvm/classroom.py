"""Many answers judged in one go: one report per answer, and the class table (answers x claims, each cell a verdict).

Every answer file is read first (:func:`nnsvm.answers.validate`): one problem in
any of them stops the run before a file is written, with every problem listed.
Each answer's report goes to ``OUT/<file stem>/`` (``report.html``, ``report.md``,
``headline.md``, ``verdicts.json``), its figures linked to the one copy under
``reports/``; the class table to ``OUT/class.{csv,md,html,png}``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from nnsvm import answers, report
from nnsvm.claims import VERDICTS
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import atomic_path
from nnsvm.measurement import Measured

# The rule's verdicts in its order: the first confirms, the last cannot tell, those between say the answer is wrong
# (corrected, not reproduced). Only nnsvm.claims names them.
CONFIRMED, WRONG, UNTOLD = VERDICTS[0], VERDICTS[1:-1], VERDICTS[-1]
CLASS_FILES = ("class.csv", "class.md", "class.html", "class.png")


@dataclass(frozen=True)
class Judged:
    """One answer's report: where its files go and what they say."""

    name: str  # the answer file's stem: its folder under OUT
    file: str
    content: report.Content


def names_of(files: Sequence[Path]) -> list[str]:
    """Each file's stem; two files with one stem are an error (their reports would overwrite each other)."""
    stems = [f.stem for f in files]
    if dup := sorted({s for s in stems if stems.count(s) > 1}):
        raise NnsvmError(f"two answer files share the name {', '.join(dup)}; rename one (each gets OUT/<name>/)")
    return stems


def load_all(files: Sequence[Path], measured: Measured, names: bool = True) -> list[answers.Loaded]:
    """Every answer file, validated; :class:`answers.AnswerProblems` lists every problem of every file."""
    problems: list[answers.Problem] = []
    loaded: list[answers.Loaded] = []
    for f in files:
        got, found = answers.validate(f, measured.values, names=names)
        problems += found
        if got is not None:
            loaded.append(got)
    if problems:
        raise answers.AnswerProblems(problems)
    return loaded


def judge_files(
    files: Sequence[Path], measured: Measured, prov: dict[str, Any], reports_dir: Path, out: Path, names: bool = True
) -> list[Judged]:
    """Every answer of ``files`` judged against ``measured``; nothing written (``names``: see
    :func:`answers.validate`)."""
    stems = names_of(files)
    judged = []
    for name, f, loaded in zip(stems, files, load_all(files, measured, names)):
        content = report.build(loaded.answer, measured, prov, loaded.blank)
        content = report.with_figure_root(content, os.path.relpath(reports_dir, out / name))
        judged.append(Judged(name, str(f), content))
    return judged


def write_reports(judged: Sequence[Judged], out: Path) -> list[Path]:
    """Each answer's report files under ``out/<name>/``, atomically; the paths written."""
    written = []
    for j in judged:
        for fname, text in report.render_all(j.content).items():
            with atomic_path(out / j.name / fname) as tmp:
                tmp.write_text(text)
            written.append(out / j.name / fname)
    return written


# --- the class table ---------------------------------------------------------------


@dataclass(frozen=True)
class ClassTable:
    answers: list[Judged]
    claims: list[str]  # claim ids, in the order they first appear
    questions: dict[str, str]  # claim id -> question
    cells: dict[tuple[str, str], str]  # (answer name, claim id) -> verdict; absent: the answer does not judge it
    link: str = ""  # the answers' report folders, relative to the class table's files ("" beside them)

    def counts(self, claim: str) -> dict[str, int]:
        """How many answers got each verdict on ``claim``."""
        found: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for a in self.answers:
            if (verdict := self.cells.get((a.name, claim))) is not None:
                found[verdict] += 1
        return found

    def sentence(self, claim: str) -> str:
        """``2 of 4 answers got q2.softmax-jacobian (Q2) wrong (2 corrected, 0 not reproduced); 1 left it out``."""
        c = self.counts(claim)
        n = len(self.answers)
        wrong = sum(c[v] for v in WRONG)
        judged = sum(c.values())
        tail = f"; {n - judged} did not answer it" if judged < n else ""
        detail = ", ".join(f"{c[v]} {v}" for v in WRONG)
        return (
            f"{wrong} of {n} answers got {claim} ({self.questions[claim]}) wrong ({detail}); "
            f"{c[CONFIRMED]} {CONFIRMED}, {c[UNTOLD]} {UNTOLD}{tail}"
        )


def class_table(judged: Sequence[Judged], link: str = "") -> ClassTable:
    claims: dict[str, str] = {}
    cells: dict[tuple[str, str], str] = {}
    for j in judged:
        for row in j.content.summary:
            claims.setdefault(row["id"], row["question"])
            cells[(j.name, row["id"])] = row["verdict"]
    return ClassTable(list(judged), list(claims), claims, cells, "" if link in ("", ".") else link.rstrip("/") + "/")


def class_csv(t: ClassTable) -> str:
    """Answers x claims: one row per answer, one column per claim id, each cell its verdict ("" if not judged)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["answer", "file", *t.claims])
    for a in t.answers:
        w.writerow([a.name, a.file, *(t.cells.get((a.name, c), "") for c in t.claims)])
    for v in VERDICTS:  # the per-claim counts, one row per verdict
        w.writerow([f"count: {v}", "", *(t.counts(c)[v] for c in t.claims)])
    return buf.getvalue()


# A cell's text: "ok" for the first verdict, the others' initials (C, NR, NC).
SHORT = {v: "ok" if v == CONFIRMED else "".join(w[0] for w in v.split()).upper() for v in VERDICTS}


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(report.TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=lambda name: (name or "").endswith(".html.j2"),
    )
    env.filters["css"] = lambda verdict: verdict.replace(" ", "-")
    env.filters["anchor_id"] = report.claim_anchor
    return env


def _view(t: ClassTable) -> dict[str, Any]:
    return {
        "t": t,
        "short": SHORT,
        "verdicts": VERDICTS,
        "rows": [
            {"claim": c, "question": t.questions[c], "counts": t.counts(c), "sentence": t.sentence(c)} for c in t.claims
        ],
        "worst": sorted(t.claims, key=lambda c: -sum(t.counts(c)[v] for v in WRONG))[:5],
    }


def class_markdown(t: ClassTable) -> str:
    return _env().get_template("class.md.j2").render(**_view(t))


def class_html(t: ClassTable) -> str:
    return _env().get_template("class.html.j2").render(**_view(t))


COLOURS: dict[str, str] = dict(
    zip(VERDICTS, ("#2e7d32", "#c62828", "#ef6c00", "#9e9e9e"))
)  # as the report's verdict badges


def heat_map(t: ClassTable) -> Any:
    """The class table as a figure: one row per answer, one column per claim, coloured by verdict."""
    import numpy as np
    from matplotlib import pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    import nnsvm.plotting  # noqa: F401  (chooses the Agg backend before pyplot)

    order: list[str] = list(VERDICTS)
    grid = np.full((len(t.answers), len(t.claims)), np.nan)
    for i, a in enumerate(t.answers):
        for k, c in enumerate(t.claims):
            if (v := t.cells.get((a.name, c))) is not None:
                grid[i, k] = order.index(v)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.22 * len(t.claims) + 2), max(2.0, 0.3 * len(t.answers) + 1.6)))
    cmap = ListedColormap([COLOURS[v] for v in order]).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5, aspect="auto")
    ax.set_xticks(range(len(t.claims)), t.claims, rotation=90, fontsize=6)
    ax.set_yticks(range(len(t.answers)), [a.name for a in t.answers], fontsize=7)
    ax.legend(
        handles=[Patch(color=COLOURS[v], label=v) for v in order],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=4,
        fontsize=7,
        frameon=False,
        title="Verdict of every claim, by answer (white: not answered)",
        title_fontsize=9,
    )
    return fig


def write_class(t: ClassTable, out: Path) -> list[Path]:
    """``class.csv``, ``class.md``, ``class.html`` and the heat map ``class.png`` under ``out``."""
    from nnsvm.plotting import save_figure

    texts = {"class.csv": class_csv(t), "class.md": class_markdown(t), "class.html": class_html(t)}
    for name, text in texts.items():
        with atomic_path(out / name) as tmp:
            tmp.write_text(text)
    save_figure(heat_map(t), out / "class.png")
    return [out / name for name in CLASS_FILES]


def judge_class(
    files: Sequence[Path],
    measured: Measured,
    prov: dict[str, Any],
    reports_dir: Path,
    out: Path,
    each: str,
    names: bool = True,
) -> list[Path]:
    """Every answer of ``files`` judged into ``out/<each>/<name>/``, and the class table into ``out``."""
    judged = judge_files(files, measured, prov, reports_dir, out / each, names)
    written = write_reports(judged, out / each)
    return written + write_class(class_table(judged, each), out)
