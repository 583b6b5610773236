"""The database servers the smoke tests need: reachable, and a fresh database per run, dropped after."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dbgen.backends import BACKENDS

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class Server:
    """How to reach a backend's server and make throwaway databases on it (an empty host: embedded)."""

    host: str = ""
    port: int = 0
    url_env: str = ""  # a variable that may point the smoke tests at another server

    def reachable(self) -> bool:
        if not self.host:
            return True
        try:
            with socket.create_connection((self.host, self.port), timeout=2):
                return True
        except OSError:
            return False


SERVERS = {
    "sqlite": Server(),
    "postgres": Server("127.0.0.1", 5432, "DBGEN_POSTGRES_URL"),
    "mysql": Server("127.0.0.1", 3306, "DBGEN_MYSQL_URL"),
    "mongo": Server(),  # the generated tests start a wire-protocol server themselves
}


def require(db: str) -> None:
    """Skip when a server is missing locally; in CI a missing server is a failure, never a skip."""
    server = SERVERS[db]
    if server.reachable():
        return
    message = f"{db} server not reachable on {server.host}:{server.port}"
    if IN_CI:
        pytest.fail(message + " (CI=true: every backend must run)")
    pytest.skip(message)


@contextmanager
def wire_protocol_server() -> Iterator[str]:
    """A MongoDB wire-protocol server (the nx-27017 package) on a free port, in memory."""
    from tests.smoke.serve import free_port

    port = free_port()
    state = Path(tempfile.mkdtemp(prefix="nx-27017-"))
    program = str(Path(sys.executable).with_name("nx-27017"))
    server = subprocess.Popen(
        [
            program,
            "--db",
            "memory",
            "-p",
            str(port),
            "--pid-file",
            str(state / "pid"),
            "--log-file",
            str(state / "log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not Server("127.0.0.1", port).reachable():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the MongoDB wire-protocol server did not start")
            time.sleep(0.1)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(state, ignore_errors=True)


def _sql(db: str, statement: str) -> None:
    if db == "postgres":
        command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c"]
    else:
        command = ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-e"]
    subprocess.run([*command, statement], check=True, capture_output=True, text=True)


@contextmanager
def fresh_database(db: str) -> Iterator[dict[str, str]]:
    """Environment variables pointing a generated project at databases that exist only for this run."""
    tag = uuid.uuid4().hex[:10]
    if db == "sqlite":
        yield {"DATABASE_URL": f"sqlite+aiosqlite:///./smoke_{tag}.db",
               "TEST_DATABASE_URL": f"sqlite+aiosqlite:///./smoke_{tag}_test.db"}  # fmt: skip
        return
    if db == "mongo":
        # The app (uvicorn, migrations-free) gets a wire-protocol server of its own; the generated
        # test suite is left to start and stop its own, as it does on a user's machine.
        with wire_protocol_server() as url:
            yield {"DATABASE_URL": f"{url}/smoke_{tag}"}
        return
    names = [f"dbgen_smoke_{tag}", f"dbgen_smoke_{tag}_test"]
    for name in names:
        _sql(db, f"CREATE DATABASE {name}")
    try:
        url, test_url = (BACKENDS[db].database_url(name) for name in names)
        yield {"DATABASE_URL": url, "TEST_DATABASE_URL": test_url}
    finally:
        for name in names:
            _sql(db, f"DROP DATABASE IF EXISTS {name}")
