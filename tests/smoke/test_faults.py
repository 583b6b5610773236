"""Database faults against a served PostgreSQL project: a restart under load, and a saturated pool.

The database is a throwaway cluster of this module's own (never the shared server on 5432), so it can be
stopped and started while uvicorn keeps serving. The same app process must recover by itself, and while
the database is away every answer must be a clean 503 (JSON, Retry-After): no 500, no traceback, no hang.
Loads are small and bounded in count and time: the machine is shared.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.smoke.serve import free_port
from tests.smoke.servers import ThrowawayPostgres, throwaway_postgres

pytestmark = pytest.mark.smoke

HUNG = 5.0  # seconds: a request without an answer by then counts as hung
UNAVAILABLE = {"detail": "database unavailable, try again"}
OK = {200, 201}


@dataclass
class Shop:
    root: Path
    server: ThrowawayPostgres
    env: dict[str, str]


# One backend, in every test id (`[postgres]`): the smoke legs of CI select their tests by backend (tests/ci.py).
@pytest.fixture(scope="module", params=["postgres"])
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """A generated postgres project, migrated on a throwaway server that the tests may stop and start."""
    with throwaway_postgres() as server:
        root = tmp_path_factory.mktemp("faults") / "shop"
        # An open API (--auth none): these tests are about the database path, not about login.
        command = ["new", "shop", "--db", request.param, "--auth", "none", "--dir", str(root), "--no-input"]
        subprocess.run(
            [sys.executable, "-m", "dbgen", *command],
            check=True,
            capture_output=True,
        )
        server.sql("CREATE DATABASE shop")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL", "DB_"))}
        env |= {"DATABASE_URL": server.url("shop"), "NO_COLOR": "1"}
        migrate = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=root, env=env, capture_output=True, text=True
        )
        assert migrate.returncode == 0, migrate.stderr
        yield Shop(root, server, env)


@dataclass
class App:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(shop: Shop, **settings: str) -> Iterator[App]:
    """uvicorn serving the project on a free port (its output goes to a file); always stopped."""
    port = free_port()
    log = shop.root / f"uvicorn-{port}.log"
    env = shop.env | {key.upper(): value for key, value in settings.items()}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=shop.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    app = App(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(app.base + "/health/live", timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not start:\n{app.output()}")
                time.sleep(0.1)
        yield app
    finally:
        process.terminate()
        process.wait(timeout=10)


def client(app: App, connections: int = 10, timeout: float = HUNG) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=app.base, timeout=timeout, limits=limits, trust_env=False)


async def new_user(http: httpx.AsyncClient) -> int:
    body = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": "correct horse battery", "full_name": "Ada"}
    response = await http.post("/api/v1/users", json=body)
    assert response.status_code == 201, response.text
    user_id: int = response.json()["id"]
    return user_id


@dataclass
class Outcome:
    phase: str  # the phase the request was sent in
    what: str
    answered_in: str = ""  # the phase when the answer came
    status: int | None = None  # None: no answer within the client's timeout (HUNG), or a connection error
    error: str = ""
    body: Any = None
    retry_after: str | None = None


def unclean_503s(outcomes: list[Outcome]) -> list[Outcome]:
    """503s without the JSON detail and Retry-After that tell a client to come back."""
    return [
        o
        for o in outcomes
        if o.status == 503 and not (isinstance(o.body, dict) and o.body.get("detail") and o.retry_after)
    ]


@dataclass
class Load:
    """A few workers sending a mix of reads and writes, each pausing between requests; bounded in count."""

    http: httpx.AsyncClient
    user_id: int
    phase: str = "up"
    workers: int = 6
    pause: float = 0.04
    cap: int = 2500
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def requests(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", f"/api/v1/users/{self.user_id}", None),
            ("GET", "/api/v1/users?limit=5&sort_by=created_at&order=desc", None),
            ("POST", "/api/v1/items", {"title": "Notebook", "owner_id": self.user_id}),
            ("GET", "/api/v1/items?limit=5", None),
        ]

    async def send(self, method: str, path: str, body: Any) -> None:
        outcome = Outcome(self.phase, f"{method} {path.split('?')[0]}")
        try:
            response = await self.http.request(method, path, json=body)
            outcome.status = response.status_code
            outcome.retry_after = response.headers.get("retry-after")
            try:
                outcome.body = response.json()
            except ValueError:
                outcome.body = response.text[:200]
        except httpx.HTTPError as error:
            outcome.error = repr(error)
        outcome.answered_in = self.phase
        self.outcomes.append(outcome)

    async def worker(self, n: int) -> None:
        requests = self.requests()
        while not self._stop.is_set() and len(self.outcomes) < self.cap:
            await self.send(*requests[n % len(requests)])
            n += 1
            await asyncio.sleep(self.pause)

    async def run(self) -> None:
        await asyncio.gather(*(self.worker(n) for n in range(self.workers)))

    def stop(self) -> None:
        self._stop.set()

    def sent_in(self, phase: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.phase == phase]

    def within(self, phase: str) -> list[Outcome]:
        """Requests sent and answered in this phase (those in flight across a change may go either way)."""
        return [o for o in self.outcomes if o.phase == o.answered_in == phase]


async def restart_under_load(app: App, server: ThrowawayPostgres) -> tuple[Load, dict[str, Any]]:
    seen: dict[str, Any] = {}
    async with client(app) as http:
        load = Load(http, await new_user(http))
        running = asyncio.create_task(load.run())
        try:
            await asyncio.sleep(1.0)

            load.phase = "stopping"
            await asyncio.to_thread(server.stop, "fast")
            load.phase = "down"
            await asyncio.sleep(1.5)
            health = await http.get("/health/ready")
            seen["health down"] = (health.status_code, health.json())

            load.phase = "starting"
            await asyncio.to_thread(server.start)
            started = time.monotonic()
            load.phase = "recovering"
            while not any(o.phase == "recovering" and o.status in OK for o in load.outcomes):
                assert time.monotonic() - started < 10, "the app did not recover within 10 s of the restart"
                await asyncio.sleep(0.05)
            load.phase = "after"
            await asyncio.sleep(1.0)
            health = await http.get("/health/ready")
            seen["health after"] = (health.status_code, health.json())
        finally:
            load.stop()
            await asyncio.wait_for(running, timeout=3 * HUNG)
    return load, seen


def test_database_restart_under_load_gives_503s_then_recovers(shop: Shop) -> None:
    with serving(shop) as app:
        try:
            load, seen = asyncio.run(restart_under_load(app, shop.server))
        finally:
            if not (shop.server.data / "postmaster.pid").exists():
                shop.server.start()  # leave the module's server running whatever happened
        assert app.process.poll() is None, "the app process died"
        output = app.output()

    outcomes = load.outcomes
    summary = {p: sorted({o.status for o in load.sent_in(p)}, key=str) for p in ("up", "down", "after")}
    unanswered = [o for o in outcomes if o.status is None]  # a transport error: the client gave up after HUNG s
    assert not unanswered, f"requests without an answer within {HUNG} s: {unanswered[:5]}"
    unexpected = [o for o in outcomes if o.status not in OK | {503}]
    assert not unexpected, f"only 2xx and 503 are acceptable: {unexpected[:5]}"
    assert not unclean_503s(outcomes), unclean_503s(outcomes)[:5]

    assert load.within("up") and all(o.status in OK for o in load.within("up")), summary
    down = load.sent_in("down")
    assert len(down) >= 10 and all(o.status == 503 for o in down), summary
    # Each because the database is away (the app's own 503, not a proxy's or a saturated pool's), told to retry.
    assert all(o.body == UNAVAILABLE and o.retry_after == "1" for o in down), down[:5]
    assert load.sent_in("after") and all(o.status in OK for o in load.sent_in("after")), summary

    assert seen["health down"] == (503, {"status": "unavailable", "database": "unreachable"})
    assert seen["health after"] == (200, {"status": "ok", "database": "ok", "migrations": "ok"})
    assert " 500 " not in output and "Traceback" not in output, output[-3000:]
    assert "not ready: the database does not answer" in output  # every 5xx is logged, with its cause
    for what in {o.what for o in down}:
        assert re.search(rf"503 for {what}\S*: database unavailable \((?!TimeoutError)", output), what


async def raw_get(base: str, path: str) -> int:
    """One GET on a connection of its own, with bare asyncio streams: 200 of them at once stay cheap for
    the client, so the burst measures the app and its pool rather than the load generator."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()  # HTTP/1.1 200 OK
        await reader.read()  # the rest, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


async def burst(app: App, clients: int, rounds: int) -> list[int]:
    """`clients` requests at once, `rounds` times: many more than the pool has connections."""
    async with client(app) as http:
        user_id = await new_user(http)
    paths = [f"/api/v1/users/{user_id}", "/api/v1/users?limit=5", "/api/v1/items?limit=5"]
    statuses: list[int] = []
    for _ in range(rounds):
        requests = (raw_get(app.base, paths[i % len(paths)]) for i in range(clients))
        statuses += await asyncio.wait_for(asyncio.gather(*requests), timeout=30)
    return statuses


def test_200_concurrent_clients_on_the_default_pool_get_no_5xx(shop: Shop) -> None:
    """Requests beyond the pool's connections wait for one (up to DB_POOL_TIMEOUT) instead of failing."""
    with serving(shop) as app:
        statuses = asyncio.run(burst(app, clients=200, rounds=2))
        connections = int(shop.server.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'shop'"))
        output = app.output()
    assert len(statuses) == 400
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    assert connections <= 5 + 10, "the engine's pool holds at most DB_POOL_SIZE + DB_MAX_OVERFLOW connections"
    assert "Traceback" not in output, output[-3000:]


async def saturate(app: App, shop: Shop, clients: int) -> list[tuple[int, Any, str | None]]:
    async with client(app, connections=clients, timeout=15) as http:
        user_id = await new_user(http)
        # Another session locks the table for 2 s: the requests that get a connection wait on the lock
        # holding it, and the others find the pool empty.
        locker = subprocess.Popen(
            [*shop.server.psql("shop"), "-c", "BEGIN; LOCK TABLE users; SELECT pg_sleep(2); COMMIT;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            query = "SELECT count(*) FROM pg_locks WHERE relation = 'users'::regclass AND mode = 'AccessExclusiveLock'"
            deadline = time.monotonic() + 10
            while shop.server.sql(query, "shop") != "1":
                assert time.monotonic() < deadline, "the lock was not taken"
                await asyncio.sleep(0.05)

            async def one() -> tuple[int, Any, str | None]:
                response = await http.get(f"/api/v1/users/{user_id}")
                return response.status_code, response.json(), response.headers.get("retry-after")

            return list(await asyncio.gather(*(one() for _ in range(clients))))
        finally:
            locker.wait(timeout=15)


def test_a_request_that_gets_no_connection_within_the_pool_timeout_is_a_503(shop: Shop) -> None:
    with serving(shop, db_pool_size="2", db_max_overflow="0", db_pool_timeout="0.5") as app:
        results = asyncio.run(saturate(app, shop, clients=6))
        output = app.output()
    statuses = sorted(status for status, *_ in results)
    assert statuses == [200, 200, 503, 503, 503, 503], results
    for status, body, retry_after in results:
        if status == 503:
            assert body == UNAVAILABLE and retry_after == "1", results
    # Each 503 because no connection came within DB_POOL_TIMEOUT (SQLAlchemy's pool TimeoutError), not because
    # the lock or a statement timeout stopped it; the two that got a connection waited for the lock.
    pool_timeouts = re.findall(r"503 for GET /api/v1/users/\d+: database unavailable \(TimeoutError\)", output)
    assert len(pool_timeouts) == 4, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
