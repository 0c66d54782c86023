"""Claims: what the answer says, what the pipeline measured, and the verdict.

Each stage that checks claims of the answer writes one ``claims*.json`` under
``reports/<question>/`` with :func:`write_claims`; the report stage renders
every such file. The numbers behind each claim (``metrics``) are also logged to
the MLflow run named in the file, so the report can be checked against MLflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from nnsvm.core.io import write_json

Verdict = Literal["confirmed", "corrected", "differs"]
VERDICTS: tuple[Verdict, ...] = ("confirmed", "corrected", "differs")


@dataclass(frozen=True)
class Claim:
    """One claim of the answer, checked.

    ``answer`` (what the answer says) and ``measured`` are short display strings; ``metrics`` holds the
    raw numbers behind ``measured`` (MLflow-safe keys, e.g. ``q4a.primal.b``).
    ``figures`` are paths relative to ``reports/``.
    """

    question: str
    claim: str
    answer: str
    measured: str
    verdict: Verdict
    evidence: str
    figures: tuple[str, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class HeadlineRow:
    """A row of the report's headline table: the answer's number beside ours."""

    quantity: str
    answer: str
    original_protocol: str
    improved: str


def write_claims(
    path: str | Path, *, stage: str, run_id: str, claims: list[Claim], headline: Sequence[HeadlineRow] = ()
) -> None:
    """Write a claims file (atomically) for the report stage to render."""
    write_json(
        path,
        {
            "stage": stage,
            "run_id": run_id,
            "claims": [asdict(c) for c in claims],
            "headline": [asdict(h) for h in headline],
        },
    )


def claim_metrics(claims: list[Claim]) -> dict[str, float]:
    """All numbers behind ``claims``, to log to the run the claims file names."""
    merged: dict[str, float] = {}
    for claim in claims:
        for key, value in claim.metrics.items():
            if key in merged and merged[key] != value:
                raise ValueError(f"metric {key} given two different values")
            merged[key] = float(value)
    return merged


def pct(x: float) -> str:
    """``0.98273`` -> ``98.27%``."""
    return f"{100 * x:.2f}%"


def cited_figures(claims: list[Claim], reports_dir: Path) -> list[Path]:
    """Every figure ``claims`` cite, once each, as paths under ``reports_dir``: what their run must hold."""
    return [reports_dir / f for f in sorted({f for c in claims for f in c.figures})]
