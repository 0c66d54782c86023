"""One-line errors of the team set-up: no PostgreSQL, refused credentials."""

import shutil
import subprocess
from pathlib import Path

import pytest

from nnsvm import server
from nnsvm.core.errors import NnsvmError
from nnsvm.core.tracking import store_error


def test_missing_postgres_names_the_install_and_the_variable(monkeypatch, tmp_path):
    """It says which programs are missing, how to install them and which variable points at them."""
    monkeypatch.setattr(server, "DEBIAN_PG", tmp_path / "none")
    monkeypatch.setenv("NNSVM_PG_BINDIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NnsvmError, match=r"\(initdb, pg_ctl\) not found; install them .*postgresql.*NNSVM_PG_BINDIR"):
        server.pg_bindir()


def test_pg_bindir_follows_the_variable(monkeypatch, tmp_path):
    """It takes NNSVM_PG_BINDIR first when that folder holds initdb and pg_ctl."""
    for name in ("initdb", "pg_ctl"):
        (tmp_path / name).touch()
    monkeypatch.setenv("NNSVM_PG_BINDIR", str(tmp_path))
    assert server.pg_bindir() == tmp_path


def test_refused_credentials_name_the_two_variables():
    """It turns MLflow's 401 into one line naming MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD."""
    refused = Exception("API request to endpoint /api/2.0/mlflow/experiments/get-by-name failed with error code 401")
    line = store_error("http://127.0.0.1:5001", refused)
    assert "no or wrong credentials" in line and "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD" in line
    assert "unusable" in store_error("sqlite:///x.db", Exception("disk I/O error"))


def test_credentials_come_from_the_environment_first(monkeypatch, tmp_path):
    """It uses MLFLOW_TRACKING_USERNAME/PASSWORD when both are set, else writes a private credentials file once."""
    home = server.Server(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    made = server.credentials(home)
    assert made[0] == "admin" and len(made[1]) >= 20 and server.credentials(home) == made
    assert (tmp_path / "credentials").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ada")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "s3cret")
    assert server.credentials(home) == ("ada", "s3cret")


def test_postgres_wants_the_password_over_tcp(tmp_path):
    """It makes a cluster whose loopback connections need the generated password (a local user cannot walk in)."""
    import tempfile

    from teamkit import need_postgres

    need_postgres()
    home = server.Server(Path(tempfile.mkdtemp(prefix="nnsvm-pg-")))
    try:
        server.init_cluster(home)
        hba = subprocess.run(
            server._as_owner(["cat", str(home.pg_dir / "data" / "pg_hba.conf")]), capture_output=True, text=True
        ).stdout
        rules = [line.split() for line in hba.splitlines() if line.startswith("host")]
        assert rules and all(rule[-1] == "scram-sha-256" for rule in rules)
        assert (home.home / "pg_password").stat().st_mode & 0o077 == 0
    finally:
        shutil.rmtree(home.home, ignore_errors=True)
