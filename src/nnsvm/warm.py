"""A warm Python for the stages: MLflow, its store and the libraries stages share, imported once, not per stage.

DVC starts every stage as its own process, ``python -m stages.<name>``, and a stage that does little spent
most of its time importing: MLflow itself about 2 s, its SQLite store's modules about 1.6 s
(benchmarks/stage_overhead.py). Here the first stage starts a server that imports them once
(:data:`PRELOAD`) and then forks one child per stage. The child takes the stage process's command line,
working folder, environment, ``sys.path`` and standard streams (passed over a Unix socket), runs the stage
as ``python -m`` would, and its exit status, or the signal that killed it, becomes the stage process's own.
The stage process stays in place for DVC: it waits, passes on SIGINT, SIGTERM and SIGHUP, and a stage
process killed outright takes its child with it.

What a child shares with the server is only what was imported before any stage ran: one server serves one
interpreter, one set of installed packages and one environment, less what only nnsvm, DVC and pytest read
(:func:`server_key`), and nnsvm's own modules are always imported afresh in the child, so an edit to them
counts at the next stage. A server
exits after :data:`IDLE_S` seconds without a stage (``NNSVM_WARM_IDLE_S``). ``NNSVM_WARM=0`` runs every
stage in its own process, as before; where no server can be had, the stage runs in its own process too,
with one line saying why. The cost of a stage with and without it: benchmarks/stage_overhead.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

SWITCH = "NNSVM_WARM"
IDLE_S = 120.0  # a server with no stage for this long exits (``NNSVM_WARM_IDLE_S`` sets another)
START_TIMEOUT_S = 60.0  # the imports take a few seconds, more on a loaded machine
# Third-party modules only: what every stage imports (MLflow, the SQLite store, the params' readers) and the
# heavy ones many stages import (torch, pyplot, scikit-learn, cvxpy). Never nnsvm's own: those must follow edits.
PRELOAD = (
    "mlflow",
    "mlflow.store.tracking.sqlalchemy_store",
    "mlflow.data",
    "psutil",
    "pydantic",
    "yaml",
    "numpy",
    "pandas",
    "torch",
    "torchvision",
    "matplotlib.pyplot",
    "scipy.stats",
    "sklearn.svm",
    "sklearn.linear_model",
    "cvxpy",
    "jinja2",
)
# Set per stage or per shell, read by no import: left out of the server key.
VOLATILE = frozenset({"DVC_STAGE", "PWD", "OLDPWD", "SHLVL", "_"})
# Read only by nnsvm, DVC and pytest, none of them imported by a server: left out of the key too, where
# PYTHONPATH adds nothing but nnsvm (:func:`plain_pythonpath`). NNSVM_WARM* sets up the server itself.
OWN_PREFIXES = ("NNSVM_", "DVC_", "PYTEST_")
_HEADER = struct.Struct("!I")
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


# --- the key and where the server listens ---------------------------------------------------------


def plain_pythonpath(value: str) -> bool:
    """True when every folder of this PYTHONPATH holds no importable name but ``nnsvm`` (a project's
    ``src``): it then shadows no library and runs no ``sitecustomize`` (a child imports nnsvm afresh anyway)."""
    for folder in filter(None, value.split(os.pathsep)):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        if any(n != "nnsvm" and not n.endswith((".egg-info", ".dist-info")) and not n.startswith(".") for n in names):
            return False
    return True


def server_key(environ: dict[str, str] | None = None) -> str:
    """What must be equal for a stage to run in a server's child: the interpreter, this file, the installed
    packages (their folders' modification times) and the environment, less :data:`VOLATILE`; where PYTHONPATH
    only adds nnsvm, also less PYTHONPATH and the variables of :data:`OWN_PREFIXES`, so that the copies
    of a project (a test's, a queued experiment's) share a server."""
    env = os.environ if environ is None else environ
    packages = sorted(p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p))
    if plain_pythonpath(env.get("PYTHONPATH", "")):
        own = lambda k: k == "PYTHONPATH" or (k.startswith(OWN_PREFIXES) and not k.startswith("NNSVM_WARM"))
    else:
        own = lambda k: False
    state = {
        "python": [sys.executable, sys.version, sys.flags.optimize, sys.flags.isolated],
        "server": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),  # an edit here: a new server
        "packages": [[p, os.stat(p).st_mtime_ns] for p in packages],
        "env": sorted((k, v) for k, v in env.items() if k not in VOLATILE and not own(k)),
    }
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:20]


def runtime_dir() -> Path:
    """``$TMPDIR/nnsvm-warm-<uid>``, readable by this user alone (a socket there runs code as this user)."""
    folder = Path(tempfile.gettempdir()) / f"nnsvm-warm-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{folder} is not this user's alone")
    return folder


# --- the stage's side --------------------------------------------------------------------------------


def stage_module(argv: list[str]) -> str | None:
    """``stages.toy`` for ``python -m stages.toy [args]`` (no interpreter options); None for anything else."""
    if len(argv) >= 3 and argv[1] == "-m" and argv[2].startswith("stages."):
        return argv[2]
    return None


def hand_off() -> None:
    """Run this process's stage in a warm server's child and exit as the child exits.

    Returns, having done nothing, when this process is no ``python -m stages.<name>``, when ``NNSVM_WARM=0``,
    or when no server answers: the stage then runs in this process as usual.
    """
    if os.environ.get(SWITCH, "1") == "0" or stage_module(sys.orig_argv) is None:
        return
    if not hasattr(os, "pidfd_open"):  # Linux 5.3 and later only: elsewhere every stage runs cold
        return
    try:
        path = runtime_dir() / f"{server_key()}.sock"
        sock = _connect(path) or _start(path)
    except OSError as exc:
        print(f"nnsvm: no warm server ({exc}); the stage imports its libraries itself", file=sys.stderr)
        return
    if sock is None:
        return
    with sock, sock.makefile("rb") as replies:  # both closed on a return: the server then kills any child
        try:
            _send_request(sock)
            pid = json.loads(replies.readline())["pid"]
        except (OSError, ValueError, KeyError):
            return  # nothing forked, or its child is killed when this connection closes: run here
        for sig in _FORWARDED:
            signal.signal(sig, lambda signum, _frame: _kill(pid, signum))
        try:
            line = replies.readline()
            status = json.loads(line)["status"] if line else None
        except (OSError, ValueError, KeyError):
            status = None
    _exit_as(pid, status)


def _connect(path: Path) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def _start(path: Path) -> socket.socket | None:
    """Start a server for ``path`` (one process at a time) and connect to it; None if it did not come up."""
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = _connect(path)
        if sock is not None:
            return sock
        log = path.with_suffix(".log")
        with open(log, "ab") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "nnsvm.warm", str(path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and server.poll() is None:
            sock = _connect(path)
            if sock is not None:
                return sock
            time.sleep(0.02)
    if server.poll() is None:
        server.kill()
    print(f"nnsvm: the warm server did not start (see {log}); the stage imports its libraries itself", file=sys.stderr)
    return None


def _send_request(sock: socket.socket) -> None:
    """The stage's command line, folder, environment and ``sys.path``; its standard streams ride along."""
    body = json.dumps({"argv": sys.orig_argv, "cwd": os.getcwd(), "env": dict(os.environ), "path": sys.path}).encode()
    socket.send_fds(sock, [_HEADER.pack(len(body))], [0, 1, 2])
    sock.sendall(body)


def _kill(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)


def _exit_as(pid: int, status: int | None) -> NoReturn:
    """Exit with the child's status, or die of the signal that killed it."""
    if status is None:  # the server went away mid-stage: the child must not run on unwatched
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        print(
            "nnsvm: the warm server ended before the stage did; rerun it (NNSVM_WARM=0 to go without)", file=sys.stderr
        )
        os._exit(1)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig not in (signal.SIGKILL, signal.SIGSTOP):  # the two whose handling cannot be set (or reset)
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)  # a signal whose default is to be ignored: the shell's code for it
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


# --- the server's side -------------------------------------------------------------------------------


def preload() -> None:
    """Import :data:`PRELOAD` (the modules a package lacks are skipped) and configure the store's ORM once."""
    import importlib

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(ImportError):
        from sqlalchemy.orm import configure_mappers

        configure_mappers()


def serve(path: Path) -> None:
    """Accept stages on ``path`` until :data:`IDLE_S` seconds pass with none running."""
    import selectors

    idle_s = float(os.environ.get("NNSVM_WARM_IDLE_S") or IDLE_S)
    preload()
    os.chdir("/")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    listener.bind(str(tmp))
    listener.listen(16)
    os.replace(tmp, path)  # connectable only once it listens
    inode = path.stat().st_ino
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    running: dict[int, tuple[socket.socket, int]] = {}  # pidfd -> (connection, pid)
    idle_since = time.monotonic()
    accepting = True
    while running or (accepting and time.monotonic() - idle_since < idle_s):
        if accepting and not _owns(path, inode):  # another server took the path: finish the running stages
            selector.unregister(listener)
            accepting = False
        for key, _ in selector.select(timeout=min(5.0, idle_s)):
            if key.data == "accept":
                conn, _ = listener.accept()
                started = _fork_stage(conn, listener, selector, running)
                if started is None:
                    conn.close()
                    continue
                pid, pidfd = started
                running[pidfd] = (conn, pid)
                selector.register(pidfd, selectors.EVENT_READ, ("exited", pidfd))
                selector.register(conn, selectors.EVENT_READ, ("client", pidfd))
            elif key.data[0] == "exited":
                pidfd = key.data[1]
                conn, pid = running.pop(pidfd)
                _, status = os.waitpid(pid, 0)
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps({"status": status}).encode() + b"\n")
                _forget(selector, conn, pidfd)
                idle_since = time.monotonic()
            else:  # the stage process closed its end (killed): so is its stage
                pidfd = key.data[1]
                conn, pid = running[pidfd]
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                selector.unregister(conn)
    if _owns(path, inode):
        path.unlink()
        log = path.with_suffix(".log")
        with contextlib.suppress(OSError):
            if log.stat().st_size == 0:  # nothing went wrong: nothing to keep
                log.unlink()


def _owns(path: Path, inode: int) -> bool:
    try:
        return path.stat().st_ino == inode
    except OSError:
        return False


def _forget(selector: Any, conn: socket.socket, pidfd: int) -> None:
    for item in (conn, pidfd):
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(item)
    conn.close()
    os.close(pidfd)


def _fork_stage(
    conn: socket.socket, listener: socket.socket, selector: Any, running: dict[int, tuple[socket.socket, int]]
) -> tuple[int, int] | None:
    """Read one stage's request from ``conn`` and fork its child; the child's PID and pidfd."""
    conn.settimeout(10.0)
    try:
        header, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 3)
        (size,) = _HEADER.unpack(header)
        with conn.makefile("rb") as stream:
            request = json.loads(stream.read(size))  # cut short: not JSON
    except (OSError, ValueError, struct.error):
        return None
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        return None
    conn.settimeout(None)
    pid = os.fork()
    if pid == 0:
        selector.close()
        listener.close()
        for pidfd, (other, _) in running.items():  # the other stages' ends: not this one's to hold
            other.close()
            os.close(pidfd)
        _run_stage(request, fds, conn)
    for fd in fds:
        os.close(fd)
    pidfd = os.pidfd_open(pid)
    try:
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    except OSError:
        os.killpg(pid, signal.SIGKILL)
    return pid, pidfd


def _run_stage(request: dict[str, Any], fds: list[int], conn: socket.socket) -> NoReturn:
    """In the child: become the stage process ``request`` describes, run its module, exit as Python would."""
    import atexit
    import importlib
    import runpy
    import threading
    import traceback

    code = 1
    try:
        os.setpgid(0, 0)  # the stage and what it starts: killed together
        conn.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(line_buffering=stream.isatty())  # type: ignore[union-attr]
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.path[:] = request["path"]
        for name in [m for m in sys.modules if m.split(".")[0] in ("nnsvm", "stages")]:
            del sys.modules[name]  # the server's copy of this module: the stage imports its own
        importlib.invalidate_caches()
        module = stage_module(request["argv"])
        if module is None:
            raise RuntimeError(f"not a stage command: {request['argv']}")
        # sys.orig_argv stays the server's: stages/__init__.py, imported again here, must not hand off again
        sys.argv = [request["argv"][0], *request["argv"][3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:  # as Python does: the traceback, then death by SIGINT
        traceback.print_exc()
        code = -signal.SIGINT
    except BaseException:  # noqa: BLE001 - reported as Python reports an uncaught exception
        traceback.print_exc()
    with contextlib.suppress(BaseException):
        getattr(threading, "_shutdown", lambda: None)()
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    if code == -signal.SIGINT:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
