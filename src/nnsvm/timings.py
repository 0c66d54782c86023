"""`make readme`: ``reports/timings.md`` from the stages' run records, and README's headline block.

Not run by any stage (so no stage depends on it): the timings change on every
run, and README's headline block is copied from the report stage's
``reports/headline.md`` after ``dvc repro``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnsvm.core.io import write_text
from nnsvm.report import environment


@dataclass(frozen=True)
class StageRun:
    """The MLflow run behind one stage's current outputs (``reports/runs/<stage>.json``), for ``timings.md``."""

    stage: str
    run_id: str
    seconds: float | None  # MLflow's Duration of the run
    git_commit: str
    git_dirty: bool | None = None
    experiment: str = ""


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
        environment()
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


README_START = "<!-- headline:start (written by the report stage; do not edit) -->"
README_END = "<!-- headline:end -->"


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
    if Path("mlflow.db").exists() or os.environ.get("MLFLOW_TRACKING_URI"):
        from nnsvm import tracking_query  # MLflow only here

        tracking_query.end_orphans()  # a repro served from DVC's cache runs no stage, so none ended them
