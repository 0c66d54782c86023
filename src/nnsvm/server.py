"""A shared MLflow tracking server on PostgreSQL: ``python -m nnsvm.server start|stop|status``.

Everything lives in one folder (default ``.server/`` at the project root, ignored by git):
``pg/`` the PostgreSQL cluster, ``artifacts/`` the served artifacts, ``pg_password`` the
database password and ``credentials`` the basic-auth admin (both 0600, never committed),
``mlflow.log`` and ``mlflow.pid``. A second ``start`` reuses them. PostgreSQL refuses to run
as root, so as root its commands go through ``runuser -u postgres`` and ``pg/`` belongs to
postgres; a user runs them as themselves. Both servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from nnsvm.core.errors import NnsvmError

log = logging.getLogger(__name__)

PG_USER = "mlflow"  # the database role and the database the tracking store uses
AUTH_DB = "mlflow_auth"  # basic-auth's users and permissions
DEBIAN_PG = Path("/usr/lib/postgresql")  # Debian's <version>/bin folders


@dataclass(frozen=True)
class Server:
    home: Path
    port: int = 5001
    pg_port: int = 5433
    auth: bool = False

    @property
    def pg_dir(self) -> Path:
        return self.home / "pg"

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def db_uri(self, database: str = PG_USER) -> str:
        password = (self.home / "pg_password").read_text().strip()
        return f"postgresql+psycopg2://{PG_USER}:{password}@127.0.0.1:{self.pg_port}/{database}"


def pg_bindir() -> Path:
    """The folder of PostgreSQL's server programs: ``NNSVM_PG_BINDIR``, ``pg_config --bindir`` or Debian's."""
    candidates = [os.environ.get("NNSVM_PG_BINDIR", "")]
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted((str(p.parent) for p in DEBIAN_PG.glob("*/bin/initdb")), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb") or "").parent))
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise NnsvmError(
        "PostgreSQL server programs (initdb, pg_ctl) not found; install them "
        "(Debian: apt-get install postgresql) or set NNSVM_PG_BINDIR to their folder"
    )


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL will not run as root: as root, run ``cmd`` as the postgres user."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        raise NnsvmError("running as root needs `runuser` to start PostgreSQL as user postgres; run as a normal user")
    return ["runuser", "-u", "postgres", "--", *cmd]


def _pg(server: Server, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = _as_owner([str(pg_bindir() / program), *args])
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=server.pg_dir)
    if check and result.returncode != 0:
        hint = " (as root, every folder above it must be open to user postgres)" if os.geteuid() == 0 else ""
        detail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:]
        raise NnsvmError(f"{program} failed: {' '.join(detail)}; see {server.pg_dir}{hint}")
    return result


def _own(path: Path) -> None:
    """As root, hand ``path`` to postgres (initdb and the server write there)."""
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def init_cluster(server: Server) -> None:
    """A new PostgreSQL cluster in ``pg/`` with role ``mlflow`` (random password), unless one is there."""
    if (server.pg_dir / "data" / "PG_VERSION").exists():
        return
    server.home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        server.home.chmod(0o711)  # postgres passes through to pg/; the secrets stay 0600
    server.pg_dir.mkdir(mode=0o700, exist_ok=True)
    _own(server.pg_dir)
    password = secrets.token_urlsafe(24)
    _write_secret(server.home / "pg_password", password)
    pwfile = server.pg_dir / "pwfile"
    _write_secret(pwfile, password)
    _own(pwfile)
    try:
        # Local socket: only the owner can reach its 0700 folder, so trust; TCP needs the password.
        auth = ["--auth-local=trust", "--auth-host=scram-sha-256"]
        _pg(server, "initdb", "-D", "data", "-U", PG_USER, f"--pwfile={pwfile}", *auth)
    finally:
        pwfile.unlink(missing_ok=True)


def _write_secret(path: Path, text: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text + "\n")


def start_postgres(server: Server) -> None:
    """Start the cluster on 127.0.0.1:``pg_port`` (its socket in ``pg/``) and create the databases."""
    if _pg(server, "pg_ctl", "-D", "data", "status", check=False).returncode != 0:
        opts = f"-c listen_addresses=127.0.0.1 -p {server.pg_port} -k {server.pg_dir}"
        _pg(server, "pg_ctl", "-D", "data", "-l", "postgres.log", "-o", opts, "-w", "start")
    known = _pg(server, "psql", "-h", str(server.pg_dir), "-p", str(server.pg_port), "-U", PG_USER, "-lqtA").stdout
    existing = {line.split("|")[0] for line in known.splitlines()}
    for database in (PG_USER, AUTH_DB):
        if database not in existing:
            _pg(server, "createdb", "-h", str(server.pg_dir), "-p", str(server.pg_port), "-U", PG_USER, database)


def credentials(server: Server) -> tuple[str, str]:
    """The admin's ``(username, password)``: ``MLFLOW_TRACKING_USERNAME``/``_PASSWORD``, else ``credentials``.

    Without either, the first auth start writes ``credentials`` with a random password.
    """
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if user and password:
        return user, password
    path = server.home / "credentials"
    if not path.exists():
        _write_secret(path, f"admin\n{secrets.token_urlsafe(18)}")
    user, password = path.read_text().split()[:2]
    return user, password


def _secret(path: Path) -> str:
    """A random secret kept in ``path`` (made on first use), so restarts keep sessions valid."""
    if not path.exists():
        _write_secret(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def _auth_config(server: Server) -> Path:
    """basic-auth's ini: users in their own database, and no access without a login."""
    path = server.home / "auth.ini"
    lines = [
        "[mlflow]",
        "default_permission = NO_PERMISSIONS",
        f"database_uri = {server.db_uri(AUTH_DB)}",
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
    ]
    _write_secret(path, "\n".join(lines))
    return path


def _mlflow_env(server: Server) -> dict[str, str]:
    # The database password goes in the environment, not on the command line `ps` shows.
    env = {**os.environ, "MLFLOW_BACKEND_STORE_URI": server.db_uri(), "MLFLOW_DISABLE_TELEMETRY": "true"}
    if server.auth:
        user, password = credentials(server)
        env |= {
            "MLFLOW_FLASK_SERVER_SECRET_KEY": _secret(server.home / "flask_secret"),
            "MLFLOW_AUTH_CONFIG_PATH": str(_auth_config(server)),
            "MLFLOW_AUTH_ADMIN_USERNAME": user,
            "MLFLOW_AUTH_ADMIN_PASSWORD": password,
        }
    return env


def _mlflow_pid(server: Server) -> int | None:
    path = server.home / "mlflow.pid"
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def start_mlflow(server: Server, timeout_s: float = 120.0) -> None:
    """``mlflow server`` on 127.0.0.1:``port`` over PostgreSQL, serving artifacts from ``artifacts/``."""
    if _mlflow_pid(server) is not None:
        raise NnsvmError(f"an MLflow server from {server.home} is already running; `make server-stop` first")
    (server.home / "artifacts").mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(server.port)]
    cmd += ["--serve-artifacts", "--artifacts-destination", str(server.home / "artifacts"), "--workers", "2"]
    cmd += ["--app-name", "basic-auth"] if server.auth else []
    with (server.home / "mlflow.log").open("ab") as out:
        proc = subprocess.Popen(cmd, env=_mlflow_env(server), stdout=out, stderr=out, start_new_session=True)
    (server.home / "mlflow.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout_s
    while not _healthy(server.uri):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_mlflow(server)
            raise NnsvmError(f"mlflow server did not start on {server.uri}; see {server.home / 'mlflow.log'}")
        time.sleep(0.5)


def _healthy(uri: str) -> bool:
    try:
        with urllib.request.urlopen(uri + "/health", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def stop_mlflow(server: Server) -> None:
    pid = _mlflow_pid(server)
    if pid is not None:
        os.killpg(pid, signal.SIGTERM)  # its own session: the workers go with it
        for _ in range(100):
            if _mlflow_pid(server) is None:
                break
            time.sleep(0.1)
    (server.home / "mlflow.pid").unlink(missing_ok=True)


def start(server: Server) -> None:
    init_cluster(server)
    start_postgres(server)
    start_mlflow(server)
    log.info("MLflow server on %s (PostgreSQL on 127.0.0.1:%d, data in %s)", server.uri, server.pg_port, server.home)


def stop(server: Server) -> None:
    stop_mlflow(server)
    if (server.pg_dir / "data" / "PG_VERSION").exists():
        _pg(server, "pg_ctl", "-D", "data", "-m", "fast", "-w", "stop", check=False)


def _parse(argv: list[str]) -> tuple[str, Server]:
    parser = argparse.ArgumentParser(prog="python -m nnsvm.server", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--home", type=Path, default=Path(".server"))
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--auth", action="store_true", help="run MLflow's basic-auth app")
    args = parser.parse_args(argv)
    return args.action, Server(args.home.resolve(), args.port, args.pg_port, args.auth)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    action, server = _parse(sys.argv[1:] if argv is None else argv)
    try:
        if action == "start":
            start(server)
            print(f"export MLFLOW_TRACKING_URI={server.uri}")
            if server.auth:
                print(f"# credentials: {server.home / 'credentials'} (or your MLFLOW_TRACKING_USERNAME/PASSWORD)")
        else:
            stop(server)
    except NnsvmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
