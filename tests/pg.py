"""A real, throwaway PostgreSQL server for tests (Debian's postgresql package), and a database per test.

``postgres_server`` (session scope) runs initdb and pg_ctl in a fresh /tmp folder, listening only on
127.0.0.1 on a free port, as the ``postgres`` system user when the tests run as root (PostgreSQL refuses
root).  Without PostgreSQL installed the tests skip with the reason, unless CI is set: then they fail.
Use it with ``from pg import postgres_server, pg_url  # noqa: F401`` in a test module.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install postgresql"


def _pg_bin(name: str) -> str | None:
    """initdb and pg_ctl live in /usr/lib/postgresql/<version>/bin on Debian, often not on PATH."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    """A running server: ``url(db)`` is a SQLAlchemy URL for one of its databases."""

    port: int
    folder: Path
    as_user: tuple[str, ...]
    pg_ctl: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], check=check, capture_output=True, text=True, timeout=120)

    def create_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        self.run(self.pg_ctl, "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop", check=False)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so PostgreSQL must be installed: {INSTALL_HINT})")
    pytest.skip(f"{reason}; install it with `{INSTALL_HINT}` to run the PostgreSQL tests")


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start in a new /tmp folder; pytest.skip (or fail in CI) when PostgreSQL is missing."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        _unavailable("PostgreSQL's initdb and pg_ctl are not installed")
    folder = Path(tempfile.mkdtemp(prefix="dnn-pg-"))
    as_user: tuple[str, ...] = ()
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' system user to run the server as")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ("runuser", "-u", "postgres", "--")
    server = PostgresServer(free_port(), folder, as_user, pg_ctl)
    data = folder / "data"
    server.run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
    options = (f"-p {server.port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
    started = server.run(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w",
                         "-t", "60", "start", check=False)
    if started.returncode != 0:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL of a fresh, empty database on the test server."""
    return postgres_server.url(postgres_server.create_database())
