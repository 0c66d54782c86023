"""nnsvm.warm: a stage started as ``python -m stages.<name>`` runs in a fork of a warm server, as it would alone.

A stand-in project holds the real ``stages/__init__.py`` and a probe stage that reports how it ran. The
tests share one environment, hence one server (started by the first test, killed after the last).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from conftest import REPO

from nnsvm import warm

PROBE = textwrap.dedent(
    """
    import json, os, signal, sys, time
    from pathlib import Path

    PRELOADED = "mlflow" in sys.modules  # imported by the server, never by this stage

    def main():
        what = sys.argv[1]
        if what == "report":
            print(json.dumps({"pid": os.getpid(), "argv": sys.argv, "cwd": os.getcwd(), "name": __name__,
                              "probe": os.environ.get("PROBE"), "stdin": sys.stdin.read(), "preloaded": PRELOADED}))
            sys.exit(int(sys.argv[2]))
        if what == "raise":
            raise ValueError("the probe failed")
        if what == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if what == "wait":
            Path(sys.argv[2]).write_text(str(os.getpid()))
            time.sleep(60)

    if __name__ == "__main__":
        main()
    """
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("warm") / "project"
    (root / "stages").mkdir(parents=True)
    shutil.copy(REPO / "stages" / "__init__.py", root / "stages")
    (root / "stages" / "probe.py").write_text(PROBE)
    return root


@pytest.fixture(scope="module")
def runtime():
    """A short TMPDIR of the module's own (a socket path must stay under 108 bytes); its servers killed after."""
    folder = tempfile.mkdtemp(prefix="nnsvm-test-warm-")
    yield folder
    for proc in psutil.process_iter(["cmdline"]):
        if any(folder in arg for arg in proc.info["cmdline"] or ()):
            proc.kill()
    shutil.rmtree(folder, ignore_errors=True)


def env_for(runtime: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NNSVM_WARM", "MLFLOW_"))}
    return env | {"PYTHONPATH": str(REPO / "src"), "TMPDIR": runtime, "NNSVM_WARM_IDLE_S": "30", **extra}


def stage(project: Path, runtime: str, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stages.probe", *args],
        cwd=project,
        env=env_for(runtime, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def start(project: Path, runtime: str, pid_file: Path, **extra: str) -> tuple[subprocess.Popen, int]:
    """A probe that waits, started; the stage process and the stage's PID."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "stages.probe", "wait", str(pid_file)], cwd=project, env=env_for(runtime, **extra)
    )
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and proc.poll() is None, "the probe never started"
        time.sleep(0.05)
    return proc, int(pid_file.read_text())


def gone(pid: int, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.05)
    return False


def test_a_stage_runs_in_a_warm_fork_with_its_own_command_line_folder_environment_and_exit_status(project, runtime):
    """It runs the stage in another process that has MLflow imported already, with the argv, folder,
    environment, stdin and exit status a stage run alone has; NNSVM_WARM=0 runs it in its own process."""
    warm_run = stage(project, runtime, "report", "3", stdin="in", PROBE="x")
    cold_run = stage(project, runtime, "report", "3", stdin="in", PROBE="x", NNSVM_WARM="0")
    assert (warm_run.returncode, cold_run.returncode) == (3, 3), warm_run.stderr + cold_run.stderr
    hot, cold = json.loads(warm_run.stdout), json.loads(cold_run.stdout)
    assert hot["preloaded"] and not cold["preloaded"]
    for report in (hot, cold):
        report.pop("pid"), report.pop("preloaded")
    assert (
        hot
        == cold
        == {
            "argv": [str(project / "stages" / "probe.py"), "report", "3"],
            "cwd": str(project),
            "name": "__main__",
            "probe": "x",
            "stdin": "in",
        }
    )


def test_one_server_serves_the_stages_of_one_environment(project, runtime):
    """It forks the stages of one environment from one server, and starts another for another environment."""
    parents = set()
    for n, probe in enumerate(("a", "a", "b")):
        proc, pid = start(project, runtime, Path(runtime) / f"pid-{n}", PROBE=probe)
        parents.add((probe, psutil.Process(pid).ppid()))
        proc.terminate()
        proc.wait(timeout=30)
    assert len({p for probe, p in parents if probe == "a"}) == 1
    assert len({p for _, p in parents}) == 2


def test_an_edit_to_a_stage_counts_at_its_next_run(project, runtime):
    """It imports the stage's own modules afresh in every child, never the server's copy."""
    module = project / "stages" / "edited.py"
    outputs = []
    for version in (1, 2):
        module.write_text(f"print({version})\n")
        result = subprocess.run(
            [sys.executable, "-m", "stages.edited"], cwd=project, env=env_for(runtime), capture_output=True, text=True
        )
        outputs.append(result.stdout.strip())
    assert outputs == ["1", "2"]


def test_an_uncaught_exception_prints_its_traceback_and_exits_1(project, runtime):
    result = stage(project, runtime, "raise")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and result.stderr.strip().endswith("ValueError: the probe failed")


def test_a_stage_killed_by_a_signal_kills_its_stage_process_with_it(project, runtime):
    """It makes the stage process die of the signal that killed the stage (DVC then sees the same status)."""
    assert stage(project, runtime, "kill").returncode == -signal.SIGKILL


def test_sigterm_to_the_stage_process_reaches_the_stage(project, runtime, tmp_path):
    proc, pid = start(project, runtime, tmp_path / "pid")
    assert pid != proc.pid
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM
    assert gone(pid)


def test_a_stage_process_killed_outright_takes_its_stage_with_it(project, runtime, tmp_path):
    """It kills the stage when the stage process dies of SIGKILL (it cannot pass that one on)."""
    proc, pid = start(project, runtime, tmp_path / "pid")
    proc.kill()
    proc.wait(timeout=30)
    assert gone(pid)


def test_a_server_that_cannot_start_leaves_the_stage_to_run_in_its_own_process(project, tmp_path):
    """It runs the stage cold, with one line saying why, when the server's folder is not this user's alone."""
    folder = tmp_path / f"nnsvm-warm-{os.getuid()}"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    result = stage(project, str(tmp_path), "report", "0")
    assert result.returncode == 0 and not json.loads(result.stdout)["preloaded"]
    assert result.stderr.strip().splitlines() == [
        f"nnsvm: no warm server ({folder} is not this user's alone); the stage imports its libraries itself"
    ]


def test_a_server_exits_when_idle(project, runtime):
    """It leaves no server behind: one with no stage for NNSVM_WARM_IDLE_S seconds exits."""
    env = env_for(runtime, NNSVM_WARM_IDLE_S="2")
    assert stage(project, runtime, "report", "0", NNSVM_WARM_IDLE_S="2").returncode == 0
    sock = Path(runtime) / f"nnsvm-warm-{os.getuid()}" / f"{warm.server_key(env)}.sock"
    servers = [p for p in psutil.process_iter(["cmdline"]) if str(sock) in " ".join(p.info["cmdline"] or ())]
    assert len(servers) == 1
    servers[0].wait(timeout=30)
    assert not sock.exists()


def test_the_server_key_follows_the_environment_but_not_what_only_nnsvm_dvc_and_pytest_read(tmp_path):
    """It gives the copies of a project (PYTHONPATH their own src, holding only nnsvm) one key, whatever the
    stage, test or MNIST mirror; another tracking URI, or a PYTHONPATH that brings more (a sitecustomize), a
    key of its own, and then every variable counts."""
    copies = []
    for name in ("a", "b"):
        (tmp_path / name / "src" / "nnsvm").mkdir(parents=True)
        copies.append(str(tmp_path / name / "src"))
    base = {"PATH": "/bin", "PYTHONPATH": copies[0], "DVC_STAGE": "toy", "PYTEST_CURRENT_TEST": "t1 (call)"}
    other = {"PYTHONPATH": copies[1], "DVC_STAGE": "q5", "PWD": "/x", "NNSVM_MNIST_MIRROR": "/m", "DVC_ROOT": "/r"}
    assert warm.server_key(base) == warm.server_key(base | other | {"PYTEST_CURRENT_TEST": "t2 (setup)"})
    assert warm.server_key(base) != warm.server_key(base | {"MLFLOW_TRACKING_URI": "http://127.0.0.1:5001"})
    assert warm.server_key(base) != warm.server_key(base | {"NNSVM_WARM_IDLE_S": "2"})
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text("")
    hooked = base | {"PYTHONPATH": f"{hooks}:{copies[0]}"}
    assert warm.server_key(hooked) != warm.server_key(base)
    assert warm.server_key(hooked) != warm.server_key(hooked | {"NNSVM_TEST_KILL": "epoch"})


def test_only_python_dash_m_stages_hands_off():
    assert warm.stage_module(["python", "-m", "stages.q3_train", "mlp"]) == "stages.q3_train"
    for argv in (["python", "-X", "importtime", "-m", "stages.toy"], ["python", "-m", "nnsvm"], ["python", "x.py"]):
        assert warm.stage_module(argv) is None


def test_the_server_forks_with_no_thread_of_python_but_its_main_one():
    """It imports PRELOAD without starting a Python thread: a fork copies only the forking thread, and a lock
    another thread held at that moment would stay locked in every stage."""
    code = "import threading; from nnsvm import warm; warm.preload(); print([t.name for t in threading.enumerate()])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "['MainThread']"
