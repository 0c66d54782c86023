"""The report built by the end-to-end pipeline: agrees with MLflow and the run records, loads cleanly in a browser."""

import json

import browser
import pytest
from conftest import run_in

pytestmark = pytest.mark.slow


def mlflow_record(work, run_id):
    code = f"import json; from nnsvm.core import tracking; print(json.dumps(tracking.run_record({run_id!r})))"
    return json.loads(run_in(work, "python", "-c", code).stdout)


def test_report_is_written(pipeline):
    """It writes both renderings, each naming the data source."""
    html = (pipeline / "reports" / "report.html").read_text()
    md = (pipeline / "reports" / "report.md").read_text()
    assert "Headline numbers" in html and "## Provenance" in md
    source = json.loads((pipeline / "data" / "mnist" / "manifest.json").read_text())["source"]
    assert f"MNIST: {source} set" in md and source in html


def test_report_lists_every_stage_run_record(pipeline):
    """It shows one stage-table row per run record (the report's own aside), with that record's MLflow run."""
    records = [json.loads(p.read_text()) for p in sorted((pipeline / "reports" / "runs").glob("*.json"))]
    md = (pipeline / "reports" / "report.md").read_text()
    html = (pipeline / "reports" / "report.html").read_text()
    assert f"from the outputs of {len(records)} stages" in md
    for record in records:
        assert f"| {record['stage']} |" in md and f"`{record['run_id']}` |" in md, record["stage"]
        assert record["run_id"] in html
    own = json.loads((pipeline / "reports" / "report_run.json").read_text())
    assert own["stage"] == "report" and own["run_id"] not in md


def test_report_numbers_and_figures_are_in_mlflow(pipeline):
    """It shows only numbers and figures that the linked MLflow run also holds."""
    files = sorted((pipeline / "reports").glob("**/claims*.json"))
    for path in files:
        data = json.loads(path.read_text())
        record = mlflow_record(pipeline, data["run_id"])
        for claim in data["claims"]:
            for key, value in claim["metrics"].items():
                assert record["metrics"][key] == pytest.approx(value, rel=1e-12, abs=1e-12), (path, key)
            for figure in claim["figures"]:
                assert any(a.endswith("/" + figure.split("/")[-1]) for a in record["artifacts"]), (path, figure)


@pytest.mark.skipif(browser.chromium() is None, reason="Chromium not installed (.ci/run installs Debian's chromium)")
def test_report_loads_in_chromium_with_no_outside_requests(pipeline, tmp_path):
    """It renders in headless Chromium with every image loaded and no request leaving the page."""
    page = pipeline / "reports" / "report.html"
    result = browser.probe(page)
    assert result["broken"] == [] and result["requests"] == [] and result["blocked"] == []
    figures = {
        f
        for p in (pipeline / "reports").glob("**/claims*.json")
        for c in json.loads(p.read_text())["claims"]
        for f in c["figures"]
    }
    assert result["images"] == len(figures)
    shot = browser.screenshot(page, tmp_path / "report.png")
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 10_000


@pytest.mark.skipif(browser.chromium() is None, reason="Chromium not installed (.ci/run installs Debian's chromium)")
def test_committed_report_loads_in_chromium(tmp_path):
    """It shows every figure of the committed full-data report and makes no request leaving the page."""
    from conftest import REPO

    page = REPO / "reports" / "report.html"
    result = browser.probe(page)
    assert result["broken"] == [] and result["requests"] == [] and result["blocked"] == []
    figures = {
        f
        for p in (REPO / "reports").glob("**/claims*.json")
        for c in json.loads(p.read_text())["claims"]
        for f in c["figures"]
    }
    assert result["images"] == len(figures) > 20
    assert browser.screenshot(page, tmp_path / "committed.png").stat().st_size > 10_000
