"""Stage report: every answer's claims judged against every measurement, rendered as HTML and Markdown.

``python -m stages.report`` (the DVC stage, an MLflow run) judges ``claims/answer.yaml``
into ``reports/`` and the class (``claims/answer.yaml`` and every ``claims/answers/*.yaml``)
into ``reports/answers/``: ``class.{csv,md,html,png}`` and one report per answer under
``by_answer/<name>/``. Any other answer: ``nnsvm judge other.yaml -o DIR`` (no MNIST,
no measurement stage: the data label is the measurements' own). A pure function of
its declared deps, with no run ID or time in its outputs; README's headline block and
``reports/timings.md`` are written by ``make readme`` (part of ``make repro``).
"""

from pathlib import Path

from nnsvm import answers, classroom, measurement, report
from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.io import atomic_path

STAGE = "report"
REPORTS = Path("reports")
ANSWER = Path("claims/answer.yaml")
CLASS = Path("claims/answers")


def main() -> None:
    with tracking.stage_run(STAGE, params={}):
        measured = measurement.read_measurements(REPORTS)
        experiments = ", ".join(tracking.experiment_names())
        prov = report.provenance(measured, Path("requirements.lock").read_text(), experiments)
        # A measure this run did not write (a smaller profile) leaves its claim not checkable; `nnsvm check` refuses it.
        loaded = answers.load(ANSWER, measured.values, names=False)
        content = report.build(loaded.answer, measured, prov, loaded.blank)
        for name, text in report.render_all(content).items():
            with atomic_path(REPORTS / name) as tmp:
                tmp.write_text(text)
            tracking.log_artifact(REPORTS / name)
        files = [ANSWER, *sorted(CLASS.glob("*.yaml"))]
        for path in classroom.judge_class(files, measured, prov, REPORTS, REPORTS / "answers", "by_answer", False):
            if path.parent == REPORTS / "answers":
                tracking.log_artifact(path)
        tracking.log_metrics({f"claims.{k.replace(' ', '_')}": v for k, v in content.verdicts.items()})


if __name__ == "__main__":
    run_stage(STAGE, main)
