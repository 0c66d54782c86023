"""Stage report: every claim of the answer beside what the pipeline measured, as HTML and Markdown.

A pure function of its declared deps: the claims files, the figures they cite,
the MNIST manifest and origin record, and each stage's run record. README's headline block is
synced from ``reports/headline.md`` by ``make readme`` (part of ``make repro``).
"""

from pathlib import Path

from nnsvm import report
from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.io import atomic_path
from nnsvm.data import mnist

STAGE = "report"
REPORTS = Path("reports")


def main() -> None:
    with tracking.stage_run(STAGE, params={}):
        manifest = mnist.load_manifest(Path("data/mnist"))
        origin = mnist.load_origin(Path("reports/data/mnist_origin.json"), manifest)
        tracking.tag_data(mnist.data_digest(manifest), manifest["source"])
        prov = report.provenance(manifest, origin, Path("requirements.lock").read_text(), tracking.experiment_name())
        content = report.build(report.read_claim_files(REPORTS), prov, report.read_run_records(REPORTS / "runs"))
        for name, text in report.render_all(content, REPORTS).items():
            with atomic_path(REPORTS / name) as tmp:
                tmp.write_text(text)
            tracking.log_artifact(REPORTS / name)
        tracking.log_metrics({f"claims.{k}": v for k, v in content.verdicts.items()})


if __name__ == "__main__":
    run_stage(STAGE, main)
