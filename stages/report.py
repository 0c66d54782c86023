"""Stage report: an answer's claims judged against every measurement, rendered as HTML and Markdown.

Usage: ``python -m stages.report [CLAIMS_FILE OUT_DIR]``. With no arguments (the
DVC stage) it judges ``claims/answer.yaml`` into ``reports/``, as an MLflow run. Any
other answer to the assignment is judged against the same measurements, with no
measurement stage rerun: ``python -m stages.report other.yaml reports/answers/other``.
A pure function of its declared deps, with no run ID or time in its outputs; README's
headline block (from ``reports/headline.md``) and ``reports/timings.md`` (from the run
records) are written by ``make readme`` (part of ``make repro``).
"""

import os
import sys
from pathlib import Path

from nnsvm import claims, measurement, report
from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import atomic_path
from nnsvm.data import mnist

STAGE = "report"
REPORTS = Path("reports")
ANSWER = Path("claims/answer.yaml")


def render(answer_file: Path, out: Path) -> report.Content:
    """Judge ``answer_file`` against the measurements under ``reports/``; write the report files into ``out``."""
    answer = claims.load_answer(answer_file)
    manifest = mnist.load_manifest(Path("data/mnist"))
    experiments = ", ".join(tracking.experiment_names())
    prov = report.provenance(manifest, Path("requirements.lock").read_text(), experiments)
    content = report.build(answer, measurement.read_measurements(REPORTS), prov)
    content = report.with_figure_root(content, os.path.relpath(REPORTS, out))
    for name, text in report.render_all(content, REPORTS).items():
        with atomic_path(out / name) as tmp:
            tmp.write_text(text)
    return content


def main() -> None:
    with tracking.stage_run(STAGE, params={}):
        manifest = mnist.load_manifest(Path("data/mnist"))
        tracking.tag_data(mnist.data_digest(manifest), manifest["source"])
        content = render(ANSWER, REPORTS)
        for name in report.OUTPUTS:
            tracking.log_artifact(REPORTS / name)
        tracking.log_metrics({f"claims.{k.replace(' ', '_')}": v for k, v in content.verdicts.items()})


def other(args: list[str]) -> None:
    if len(args) != 2:
        raise NnsvmError("usage: python -m stages.report [CLAIMS_FILE OUT_DIR]")
    content = render(Path(args[0]), Path(args[1]))
    print(f"{args[1]}: " + ", ".join(f"{n} {v}" for v, n in content.verdicts.items()))


if __name__ == "__main__":
    run_stage(STAGE, main if len(sys.argv) == 1 else lambda: other(sys.argv[1:]))
