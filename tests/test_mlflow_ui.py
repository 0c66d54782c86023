"""The MLflow UI over the project's store: one small server, the model-training view, one curve per Q3 model."""

import json
import re
import shutil
import time

import psutil
import pytest
from conftest import run_in

from nnsvm import ui
from nnsvm.core import tracking


def page_text(dom: str) -> str:
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_ui_server_is_one_worker_without_job_runner(monkeypatch, tmp_path):
    """It serves the store from one web worker on 127.0.0.1, with no job runner (no huey consumer)."""
    monkeypatch.chdir(tmp_path)
    with tracking.stage_run("toy", params={}):
        pass
    with ui.serve() as base:
        assert base.startswith("http://127.0.0.1:")
        time.sleep(2)  # what MLflow would start beside the web server, it starts with it
        me = psutil.Process()
        (server,) = me.children()
        tree = [" ".join(p.cmdline()) for p in [server, *server.children(recursive=True)]]
    assert len([c for c in tree if "uvicorn" in c or "gunicorn" in c]) == 1, tree
    assert not [c for c in tree if "huey" in c], tree
    assert "--host 127.0.0.1" in tree[0] and "--workers 1" in tree[0], tree


def test_links_open_the_model_training_view(monkeypatch, tmp_path):
    """It links each experiment with MLflow's model-training switch, not the GenAI default."""
    monkeypatch.chdir(tmp_path)
    with tracking.stage_run("q3_train@mlp", params={}):
        pass
    (url,) = ui.links("http://127.0.0.1:5000").values()
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/#/experiments/\d+/runs\?workflowType=machine_learning", url)


UI_PAGES = """
import json
from nnsvm import ui
from nnsvm import tracking_query
from nnsvm.core import tracking
ids = tracking_query.experiment_ids()
with ui.serve() as base:
    pages = {name: ui.render(url) for name, url in ui.links(base).items()}
    # Tall: the chart view draws only the charts in the window, test_accuracy among a parent run's summary metrics.
    charts = ui.experiment_url(base, ids[tracking.experiment_of("q3_train@")], charts=True)
    pages["q3 charts"] = ui.render(charts, size=(1800, 12000))
print(json.dumps(pages))
"""
RUNS = "import json; from nnsvm import tracking_query; print(json.dumps(tracking_query.runs(), default=str))"


@pytest.mark.system
@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium on PATH")
def test_ui_shows_runs_and_one_q3_curve_per_model(pipeline):
    """It opens every experiment of the tiny run on its runs (not "Traces"), and Q3's chart: one curve per model."""
    pages = {k: page_text(v) for k, v in json.loads(run_in(pipeline, "python", "-c", UI_PAGES).stdout).items()}
    stages = {r["tags.stage"]: r for r in json.loads(run_in(pipeline, "python", "-c", RUNS).stdout)}
    for name in ("nnsvm", "nnsvm-q3-training", "nnsvm-q6-grid"):
        text = pages[name]
        assert "Runs" in text and "No data available" not in text and "Traces 0" not in text, name
        assert "matching runs" in text, name
    assert "q3_train@mlp" in pages["nnsvm-q3-training"] and "q6_grid@rbf" in pages["nnsvm-q6-grid"]
    models = sorted(s for s in stages if s.startswith("q3_train@"))
    legend = re.findall(r"(\S+) \(test_accuracy\)", pages["q3 charts"])
    assert sorted(legend) == models, legend
