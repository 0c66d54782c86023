"""Stage report: every claim of the seed beside what the pipeline measured, as HTML and Markdown."""

from pathlib import Path

from nnsvm import report, tracking
from nnsvm.cli import run_stage
from nnsvm.data import mnist
from nnsvm.errors import NnsvmError
from nnsvm.io import atomic_path
from nnsvm.params import load_params

REPORTS = Path("reports")


def main() -> None:
    load_params()  # validate the whole file even though the report reads no knob
    manifest = mnist.read_manifest(Path("data/mnist"))
    if manifest is None:
        raise NnsvmError("data/mnist is missing or damaged; run `dvc repro mnist` first")
    root = tracking.project_root()
    lock = root / "dvc.lock"
    content = report.build(
        report.read_claim_files(REPORTS),
        report.provenance(manifest, lock.read_text() if lock.exists() else "", tracking.git_commit(root), tracking.experiment_name()),
        tracking.latest_stage_runs(),
    )
    with tracking.stage_run("report", params={}, params_digest="-", data_digest=mnist.data_digest(manifest),
                            data_source=manifest["source"]):
        outputs = {
            "report.html": report.render_html(content, REPORTS),
            "report.md": report.render_markdown(content),
            "headline.md": report.headline_markdown(content),
        }
        for name, text in outputs.items():
            with atomic_path(REPORTS / name) as tmp:
                tmp.write_text(text)
            tracking.log_artifact(REPORTS / name)
        tracking.log_metrics({f"claims.{k}": v for k, v in content.verdicts.items()})
    # README shows the same headline table (a test keeps the two equal).
    readme = root / "README.md"
    if readme.exists():
        readme.write_text(report.sync_readme(readme.read_text(), outputs["headline.md"]))


if __name__ == "__main__":
    run_stage("report", main)
