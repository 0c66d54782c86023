"""The shared tracking server (`make server`): PostgreSQL + `mlflow server`, the tiny pipeline logged there."""

import json
import urllib.error
import urllib.request
from base64 import b64encode

import pytest
import yaml
from conftest import REPO, copy_pipeline, run_in
from teamkit import check_queue_against_mlflow, commit_all, python_json, server_factory, stage_runs

from nnsvm.server import credentials, start, stop

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("served")]  # one worker: `served` built once


@pytest.fixture(scope="module")
def make_server():
    with server_factory() as make:
        yield make


@pytest.fixture(scope="module")
def served(make_server, tmp_path_factory):
    """The tiny pipeline run by `dvc repro` with MLFLOW_TRACKING_URI pointing at the (plain) server."""
    server = make_server(False)
    overrides = yaml.safe_load((REPO / "tests" / "tiny_params.yaml").read_text())
    work = copy_pipeline(tmp_path_factory.mktemp("served") / "project", overrides)
    run_in(work, "dvc", "repro", env={"MLFLOW_TRACKING_URI": server.uri})
    return server, work


def client_for(server):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=server.uri)


def top_level_runs(client) -> list:
    """The stage runs of the project's experiments (the seed and grid-candidate child runs left out)."""
    from nnsvm.core.tracking import experiment_names

    experiments = [e for e in map(client.get_experiment_by_name, experiment_names()) if e is not None]
    found = client.search_runs([e.experiment_id for e in experiments], max_results=5000)
    return [r for r in found if "mlflow.parentRunId" not in r.data.tags]


def artifact_paths(client, run_id: str, folder: str | None = None) -> list[str]:
    paths = []
    for item in client.list_artifacts(run_id, folder):
        paths += artifact_paths(client, run_id, item.path) if item.is_dir else [item.path]
    return paths


def declared_params(work) -> dict[str, dict[str, str]]:
    """Each stage's params as dvc.yaml declares them, flat and as tracking logs them (str, cut at 6000)."""
    code = (
        "import json, subprocess; from nnsvm.core import config, tracking; "
        "out = subprocess.run(['dvc', 'stage', 'list', '--name-only'], capture_output=True, text=True); "
        "names = out.stdout.split(); "
        "print(json.dumps({s: {k: str(v)[:6000] for k, v in tracking.flatten(config.declared_params(s)).items()} "
        "for s in names}))"
    )
    return python_json(work, code, {})  # type: ignore[return-value]


def test_every_stage_is_one_run_on_the_server(served):
    """It logs each stage as one finished run on the server, the one its run record names; nothing locally."""
    server, work = served
    runs = {r.data.tags["stage"]: r for r in top_level_runs(client_for(server))}
    stages = set(run_in(work, "dvc", "stage", "list", "--name-only").stdout.split())
    assert set(runs) == stages and len(top_level_runs(client_for(server))) == len(stages)
    assert {r.info.status for r in runs.values()} == {"FINISHED"}
    for stage, run in runs.items():
        record = "reports/report_run.json" if stage == "report" else f"reports/runs/{stage}.json"
        assert json.loads((work / record).read_text())["run_id"] == run.info.run_id, stage
    assert not (work / "mlflow.db").exists() and not (work / "mlartifacts").exists()


def test_every_run_has_its_params_metrics_and_artifacts(served):
    """It holds each stage's declared params, its wall time and the artifacts the server stores on its disk."""
    server, work = served
    client = client_for(server)
    expected = declared_params(work)
    logged = {}
    for run in top_level_runs(client):
        stage = run.data.tags["stage"]
        assert run.data.params == expected[stage], stage
        assert run.data.metrics["stage_wall_seconds"] > 0, stage
        assert run.info.artifact_uri.startswith("mlflow-artifacts:"), stage  # served, not a client path
        paths = artifact_paths(client, run.info.run_id)
        for path in paths:
            stored = server.home / "artifacts" / run.info.experiment_id / run.info.run_id / "artifacts" / path
            assert stored.stat().st_size > 0, (stage, path)
        logged[stage] = set(paths)
    assert logged["q5"] == {f"figures/{p.name}" for p in (work / "reports" / "q5").glob("*.png")}
    assert sum(bool(paths) for paths in logged.values()) > len(logged) / 2


def test_report_numbers_match_the_server_runs(served):
    """It judges only measurements whose numbers and figures the server's run for them holds."""
    server, work = served
    client = client_for(server)
    files = sorted((work / "reports").glob("**/measurements*.json"))
    assert len(files) >= 10
    for path in files:
        data = json.loads(path.read_text())
        run_id = json.loads((work / "reports" / "runs" / f"{data['stage']}.json").read_text())["run_id"]
        metrics = client.get_run(run_id).data.metrics
        artifacts = artifact_paths(client, run_id)
        for key, m in data["measurements"].items():
            if m["value"] is not None and abs(m["value"]) != float("inf"):
                assert metrics[key] == pytest.approx(m["value"], rel=1e-12, abs=1e-12), (path, key)
            for figure in m.get("figures", ()):
                assert any(a.endswith("/" + figure.split("/")[-1]) for a in artifacts), (path, figure)


def test_two_queue_workers_lose_no_run_on_the_server(served):
    """It logs every experiment of `dvc queue start -j 2` to the server, with dvc exp show's numbers."""
    server, work = served
    commit_all(work)
    env: dict[str, str | None] = {"MLFLOW_TRACKING_URI": server.uri}
    check_queue_against_mlflow(work, env, len(stage_runs(work, env)))


def test_a_second_start_reuses_the_data(served):
    """It finds every run and artifact again after both servers stop and start (what `make server` does)."""
    server, _ = served
    before = sorted(r.info.run_id for r in top_level_runs(client_for(server)))
    stop(server)
    start(server)
    client = client_for(server)
    assert sorted(r.info.run_id for r in top_level_runs(client)) == before
    report = next(r for r in top_level_runs(client) if r.data.tags["stage"] == "q5")
    assert artifact_paths(client, report.info.run_id)


# --- basic-auth ------------------------------------------------------------------


def get_status(url: str, auth: tuple[str, str] | None = None) -> int:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_auth_refuses_a_request_without_valid_credentials(make_server):
    """It answers 401 to no credentials and to a wrong password, 200 to the admin's."""
    server = make_server(True)
    url = f"{server.uri}/api/2.0/mlflow/experiments/search?max_results=1"
    user, password = credentials(server)
    assert get_status(url) == 401
    assert get_status(url, (user, password + "x")) == 401
    assert get_status(url, (user, password)) == 200


def test_auth_pipeline_logs_with_credentials_and_fails_plainly_without(make_server, tmp_path):
    """It logs stages with MLFLOW_TRACKING_USERNAME/PASSWORD; without them a stage stops with one line saying so."""
    server = make_server(True)
    user, password = credentials(server)
    work = copy_pipeline(tmp_path / "project", yaml.safe_load((REPO / "tests" / "tiny_params.yaml").read_text()))
    denied = run_in(work, "python", "-m", "stages.q5", check=False, env={"MLFLOW_TRACKING_URI": server.uri})
    assert denied.returncode != 0 and "Traceback" not in denied.stderr
    assert "MLFLOW_TRACKING_USERNAME" in denied.stderr.strip().splitlines()[-1]
    env = {"MLFLOW_TRACKING_URI": server.uri, "MLFLOW_TRACKING_USERNAME": user, "MLFLOW_TRACKING_PASSWORD": password}
    run_in(work, "dvc", "repro", "q4_svm", "q5", env=env)
    record = json.loads((work / "reports" / "runs" / "q5.json").read_text())
    code = f"import json, mlflow; print(json.dumps(mlflow.get_run({record['run_id']!r}).data.metrics))"
    metrics = python_json(work, code, env)
    assert metrics["stage_wall_seconds"] > 0 and "q5.rff_slope" in metrics
    q4 = json.loads((work / "reports" / "runs" / "q4_svm.json").read_text())["run_id"]
    assert python_json(work, f"import json, mlflow; print(json.dumps(mlflow.get_run({q4!r}).info.status))", env) == (
        "FINISHED"
    )
