"""The database servers the smoke tests need: reachable, and a fresh database per run, dropped after."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from dbgen.backends import BACKENDS
from tests.ci import IN_CI


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
    missing(f"{db} server not reachable on {server.host}:{server.port}")


def missing(message: str) -> NoReturn:
    """What the tests need is not here: a skip on a developer's machine, a failure in CI (CI=true)."""
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


def _postgres_bin() -> Path:
    """Where initdb and pg_ctl live: $DBGEN_POSTGRES_BIN, Debian's versioned directory, or beside pg_ctl on PATH."""
    if "DBGEN_POSTGRES_BIN" in os.environ:
        return Path(os.environ["DBGEN_POSTGRES_BIN"])

    def version(pg_ctl: Path) -> list[int]:
        return [int(part) for part in pg_ctl.parts[-3].split(".") if part.isdigit()]

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=version, reverse=True)
    found = shutil.which("pg_ctl")
    return debian[0].parent if debian else Path(found).parent if found else Path("/usr/lib/postgresql/15/bin")


POSTGRES_BIN = _postgres_bin()


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own in a temp dir, on a free port: a test may stop and start it at will.

    The server programs refuse to run as root, so as root they run as the `postgres` OS user, which
    then owns the directory. Only TCP on 127.0.0.1 is served (no Unix socket), with trust authentication.
    """

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "data"
        self.log = root / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [str(POSTGRES_BIN / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{result.stdout}{result.stderr}\n{log}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "max_connections": "50",
            "shared_buffers": "'16MB'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once (clients see admin_shutdown), as a service restart does."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30")

    def psql(self, database: str = "postgres") -> list[str]:
        """The command line of psql connected to this server (unaligned output, stop at the first error)."""
        return [str(POSTGRES_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                "-d", database, "-v", "ON_ERROR_STOP=1", "-At"]  # fmt: skip

    def sql(self, statement: str, database: str = "postgres") -> str:
        result = subprocess.run([*self.psql(database), "-c", statement], capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed on {statement!r}: {result.stderr}")
        return result.stdout.strip()


def require_postgres_programs() -> None:
    """Skip without the PostgreSQL server programs; in CI their absence is a failure, never a skip."""
    absent = [p for p in ("initdb", "pg_ctl", "psql") if not (POSTGRES_BIN / p).is_file()]
    if os.geteuid() == 0:  # the server programs refuse root: they run as the postgres OS user
        absent += [] if shutil.which("runuser") else ["runuser"]
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            absent.append("the postgres OS user")
    if not absent:
        return
    missing(f"PostgreSQL server programs missing: {', '.join(absent)} (in {POSTGRES_BIN}; set DBGEN_POSTGRES_BIN)")


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A running PostgreSQL cluster that exists only for this block; stopped and deleted however it ends."""
    from tests.smoke.serve import free_port

    require_postgres_programs()
    # Not under pytest's tmp_path: that is private to the current user, and the server may run as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="dbgen-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    server = ThrowawayPostgres(root, free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            with suppress(Exception):
                server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
