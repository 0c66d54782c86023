"""The report built by the end-to-end pipeline: agrees with MLflow and the run records, loads cleanly in a browser."""

import json

import browser
import pytest
from conftest import run_in


def mlflow_record(work, run_id):
    code = f"import json; from nnsvm import tracking_query; print(json.dumps(tracking_query.run_record({run_id!r})))"
    return json.loads(run_in(work, "python", "-c", code).stdout)


def test_report_is_written(pipeline):
    """It writes both renderings, each naming the data source."""
    html = (pipeline / "reports" / "report.html").read_text()
    md = (pipeline / "reports" / "report.md").read_text()
    assert "Headline numbers" in html and "## Provenance" in md
    source = json.loads((pipeline / "data" / "mnist" / "manifest.json").read_text())["source"]
    label = json.loads((pipeline / "reports" / "verdicts.json").read_text())["data"]  # the measurements' own label
    assert source in label and f"Data: {label}" in md and source in html


def mlflow_durations(work) -> dict[str, float]:
    """Every stage's newest finished run: its Duration (end - start) in seconds, as the MLflow UI shows it."""
    code = (
        "import json; from nnsvm import tracking_query; "
        "print(json.dumps({s: r['seconds'] for s, r in tracking_query.latest_stage_runs().items()}))"
    )
    return json.loads(run_in(work, "python", "-c", code).stdout)


def test_timings_page_agrees_with_mlflow_durations(pipeline):
    """It writes reports/timings.md after the run (make readme): one row per stage, each within a second of MLflow."""
    run_in(pipeline, "python", "-m", "nnsvm.timings")
    rows = [line.split(" | ") for line in (pipeline / "reports" / "timings.md").read_text().splitlines()]
    shown = {
        r[0].strip("| "): (r[1].strip("`"), float(r[3].removesuffix(" s")))
        for r in rows
        if len(r) > 3 and r[1].startswith("`")
    }
    records = [json.loads(p.read_text()) for p in (pipeline / "reports" / "runs").glob("*.json")]
    records.append(json.loads((pipeline / "reports" / "report_run.json").read_text()))
    assert {r["stage"]: r["run_id"] for r in records} == {stage: run_id for stage, (run_id, _) in shown.items()}
    durations = mlflow_durations(pipeline)
    assert durations.keys() == shown.keys()
    for stage, (_, seconds) in shown.items():
        assert seconds == pytest.approx(durations[stage], abs=1.0), stage


def test_report_files_carry_no_run_id(pipeline):
    """It keeps every MLflow run ID out of the report's DVC outputs, so an identical rerun leaves them unchanged."""
    records = [json.loads(p.read_text()) for p in (pipeline / "reports" / "runs").glob("*.json")]
    for name in ("report.md", "report.html", "headline.md", "verdicts.json"):
        text = (pipeline / "reports" / name).read_text()
        assert not [r["stage"] for r in records if r["run_id"] in text], name


def test_report_numbers_and_figures_are_in_mlflow(pipeline):
    """It judges only measurements whose numbers and figures the MLflow run that made them also holds."""
    files = sorted((pipeline / "reports").glob("**/measurements*.json"))
    assert len(files) == 11  # q1 (+ activations, gradients), q2, q3 (+ rotate, invariance), q4 svm + maps, q5, q6
    for path in files:
        data = json.loads(path.read_text())
        run_id = json.loads((pipeline / "reports" / "runs" / f"{data['stage']}.json").read_text())["run_id"]
        record = mlflow_record(pipeline, run_id)
        for key, m in data["measurements"].items():
            if m["value"] is not None and abs(m["value"]) != float("inf"):
                assert record["metrics"][key] == pytest.approx(m["value"], rel=1e-12, abs=1e-12), (path, key)
            for figure in m.get("figures", ()):
                assert any(a.endswith("/" + figure.split("/")[-1]) for a in record["artifacts"]), (path, figure)


def test_another_answer_is_judged_without_rerunning_a_measurement(pipeline, tmp_path):
    """It judges a made-up answer with `nnsvm judge` (other numbers, one claim left out) from the same measurements:
    its own verdicts, no measurement file rewritten, nothing for `dvc status` to rerun but the always-changed mnist."""
    import yaml

    from nnsvm.measurement import read_measurements

    answer = yaml.safe_load((pipeline / "claims" / "answer.yaml").read_text())
    answer["answer"] = "a made-up answer"
    # the tiny profile writes fewer epoch counts and angles than the full one: judge the claims it can
    measured = read_measurements(pipeline / "reports").values
    answer["claims"] = [
        c
        for c in answer["claims"]
        if all(ch["measure"] in measured for ch in c.get("checks", ()))
        and all(e in measured for e in c.get("evidence", ()))
        and c.get("improved") in (None, *measured)
    ]
    answer["headline"] = [h for h in answer.get("headline", ()) if h["claim"] in {c["id"] for c in answer["claims"]}]
    dropped = answer["claims"].pop(next(i for i, c in enumerate(answer["claims"]) if c["id"] == "q5.mean-definition"))
    for c in answer["claims"]:
        if c["id"] == "q1d.relu-net":
            c["checks"][0]["value"] = 0.5  # claims the network is half a unit off T
        if c["id"] == "q4a.line":
            c["checks"][2]["value"] = 7.0
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(answer, sort_keys=False))
    before = {p: p.stat().st_mtime_ns for p in (pipeline / "reports").glob("**/measurements*.json")}
    out = run_in(pipeline, "python", "-m", "nnsvm", "judge", str(other), "-o", "reports/answers/other")
    assert "reports/answers/other/other/report.html:" in out.stdout
    folder = pipeline / "reports" / "answers" / "other" / "other"
    md = (folder / "report.md").read_text()
    mine = json.loads((folder / "verdicts.json").read_text())
    main = json.loads((pipeline / "reports" / "verdicts.json").read_text())
    assert "The answer: a made-up answer." in md and mine["data"] == main["data"]
    assert dropped["id"] in main["claims"] and dropped["id"] not in mine["claims"]
    for claim in ("q1d.relu-net", "q4a.line"):
        assert main["claims"][claim]["verdict"] == "confirmed" and mine["claims"][claim]["verdict"] == "corrected"
    assert 'src="../../../q1/' in md  # figures linked back under reports/
    assert {p: p.stat().st_mtime_ns for p in before} == before
    status = run_in(pipeline, "dvc", "status", "--json").stdout
    assert set(json.loads(status)) <= {"mnist"}


@pytest.mark.system
@pytest.mark.skipif(browser.chromium() is None, reason="Chromium not installed (.ci/run installs Debian's chromium)")
def test_report_loads_in_chromium_with_no_outside_requests(pipeline, tmp_path):
    """It renders in headless Chromium with every image loaded and no request leaving the page."""
    page = pipeline / "reports" / "report.html"
    result = browser.probe(page)
    assert result["broken"] == [] and result["requests"] == [] and result["blocked"] == []
    assert result["images"] == page.read_text().count("<img ") > 5
    shot = browser.screenshot(page, tmp_path / "report.png")
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 10_000


@pytest.mark.system
@pytest.mark.skipif(browser.chromium() is None, reason="Chromium not installed (.ci/run installs Debian's chromium)")
def test_committed_report_loads_in_chromium(tmp_path):
    """It shows every figure of the committed full-data report and makes no request leaving the page."""
    from conftest import REPO

    page = REPO / "reports" / "report.html"
    result = browser.probe(page)
    assert result["broken"] == [] and result["requests"] == [] and result["blocked"] == []
    assert result["images"] == page.read_text().count("<img ") > 20
    assert browser.screenshot(page, tmp_path / "committed.png").stat().st_size > 10_000


@pytest.mark.skipif(browser.chromium() is None, reason="Chromium not installed (.ci/run installs Debian's chromium)")
def test_committed_class_table_and_an_answers_report_load_in_chromium(tmp_path):
    """It opens the committed class table (its heat map loaded, a cell per answer and claim) and one answer's
    report (every linked figure loaded from reports/), with no request leaving the machine."""
    from conftest import REPO

    table = REPO / "reports" / "answers" / "class.html"
    result = browser.probe(table)
    assert result["broken"] == [] and result["requests"] == [] and result["blocked"] == [] and result["images"] == 1
    page = REPO / "reports" / "answers" / "by_answer" / "student_a" / "report.html"
    result = browser.probe(page)
    assert result["broken"] == [] and result["requests"] == [] and result["blocked"] == []
    assert result["images"] == page.read_text().count("<img ") > 20
    assert browser.screenshot(table, tmp_path / "class.png", height=1400).stat().st_size > 10_000
