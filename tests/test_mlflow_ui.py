"""The MLflow UI over the project's store: one small server, the model-training view, one curve per Q3 model."""

import json
import re
import shutil
import time
import urllib.parse

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


VIEWS = "import json; from nnsvm import ui; print(json.dumps(ui.views('http://ui')))"


def test_chunks_cut_a_long_list_of_runs_into_parts_the_table_shows_whole():
    """It keeps a view of at most TABLE_ROWS runs whole, numbers the parts of a longer one, and drops an empty one."""
    assert ui._chunks(["a", "b"], "v") == [("v", ["a", "b"])]
    ids = [str(i) for i in range(ui.TABLE_ROWS + 1)]
    assert ui._chunks(ids, "v") == [("v_1", ids[: ui.TABLE_ROWS]), ("v_2", ids[ui.TABLE_ROWS :])]
    assert ui._chunks([], "v") == []


def test_every_q3_model_and_seed_is_in_a_view_that_shows_all_its_runs(pipeline):
    """It puts every Q3 model in one metric view (the original protocols apart from the corrected models) and every
    seed of a multi-seed model in a seeds view, none with more runs than MLflow's table shows without scrolling."""
    views = json.loads(run_in(pipeline, "python", "-c", VIEWS).stdout)
    stages = {r["run_id"]: r["tags.stage"] for r in json.loads(run_in(pipeline, "python", "-c", RUNS).stdout)}
    listed = {
        name: json.loads(urllib.parse.unquote(re.search(r"runs=([^&]+)", url).group(1)))
        for name, url in views.items()
        if "#/metric/" in url
    }
    assert all(len(ids) <= ui.TABLE_ROWS for ids in listed.values()), {k: len(v) for k, v in listed.items()}
    models = {stages[i] for name in ("q3_published_test_accuracy", "q3_ours_test_accuracy") for i in listed[name]}
    assert models == {s for s in stages.values() if s.startswith("q3_train@")}
    assert {"q3_seeds_mlp_published", "q3_seeds_lenet_published"} <= set(listed)  # 2 seeds each in the tiny run
