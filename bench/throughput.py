"""Throughput of a generated PostgreSQL project against a hand-written floor, under wrk.

    python bench/throughput.py [--duration 10] [--connections 32]

What it does, in one run:
1. `dbgen new shop --db postgres` into bench/.work/shop and `pip install -e` it into this interpreter.
2. Two databases on the PostgreSQL server of BENCH_DATABASE_URL (default the local one): `dbgen_bench`
   with 100k users and 1M items, `dbgen_bench_small` with 1k users and 10k items, migrated with the
   project's own Alembic migrations (so with its indexes) and loaded with COPY.
3. uvicorn, one worker, serves the generated app, then bench/floor_app.py (Starlette + raw asyncpg,
   the least code that answers the same GET by id); wrk loads each endpoint for --duration seconds.
4. bench/layers_app.py serves the same GET by id with FastAPI's layers added one at a time, to show
   where the generated app's time goes.
5. Prints requests/s and p50/p99 latency per endpoint and the app/floor ratio for GET by id, and
   writes them to bench/results/throughput.json.

Load generator: wrk (Debian package `wrk`). It is written in C with an event loop, so one thread keeps
32 keep-alive connections busy while using a fraction of a core; a Python load generator would need
more CPU than the server it measures on a 2-core machine. Its Lua hook varies the id of every request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from report import report

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# A real Argon2 hash: the column holds what the app would write; no request here verifies it.
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$Yc8Cw0mX4gFQkzJ6tP9OQr0lVNSgkRyr0oK3C5cQbNY"
WORDS = ["notebook", "pencil", "marker", "folder", "stapler", "eraser", "ruler", "binder", "paper", "ink",
         "lamp", "chair", "desk", "shelf", "cable", "charger", "monitor", "keyboard", "mouse", "tablet"]  # fmt: skip
DATASETS = {"dbgen_bench": (100_000, 1_000_000), "dbgen_bench_small": (1_000, 10_000)}


def database_url(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name


async def load(name: str, users: int, items: int, project: Path) -> None:
    """Create, migrate and fill one database."""
    server = await asyncpg.connect(database_url("postgres"))
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    env = os.environ | {"DATABASE_URL": database_url(name).replace("postgresql://", "postgresql+asyncpg://")}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=project, env=env, check=True,
                   capture_output=True)  # fmt: skip
    started = time.perf_counter()
    rng = random.Random(42)
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    conn = await asyncpg.connect(database_url(name))
    try:
        await conn.copy_records_to_table(
            "users",
            columns=["id", "email", "hashed_password", "full_name", "is_active", "created_at", "updated_at"],
            records=(
                (i, f"user{i}@example.com", HASH, f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}",
                 i % 10 != 0, epoch + timedelta(seconds=i), epoch + timedelta(seconds=i))
                for i in range(1, users + 1)
            ),
        )  # fmt: skip
        await conn.copy_records_to_table(
            "items",
            columns=["id", "title", "description", "owner_id", "created_at", "updated_at"],
            records=(
                (i, f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}", f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                 rng.randint(1, users), epoch + timedelta(seconds=i), epoch + timedelta(seconds=i))
                for i in range(1, items + 1)
            ),
        )  # fmt: skip
        for table in ("users", "items"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    print(f"{name}: loaded {users} users, {items} items in {time.perf_counter() - started:.1f} s")


def serve(app: str, cwd: Path, database: str, port: int, probe: str) -> subprocess.Popen[bytes]:
    env = os.environ | {"DATABASE_URL": database_url(database).replace("postgresql://", "postgresql+asyncpg://")}
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", "1", "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, cwd=cwd, env=env)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(
                f"http://127.0.0.1:{port}{probe.replace('{id}', '1')}", timeout=2, trust_env=False
            ).raise_for_status()
            return process
        except httpx.HTTPError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f"{app} did not start") from error
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


LUA = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  local path = paths[(n %% #paths) + 1]
  return wrk.format(nil, (path:gsub("{id}", tostring(math.random(1, %d)))))
end
"""


def wrk(port: int, paths: list[str], max_id: int, duration: int, connections: int) -> dict[str, float]:
    """Requests/s and latency percentiles (ms) of one wrk run over `paths` ("{id}" is a random id)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (", ".join(json.dumps(p) for p in paths), max_id))
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", script.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} error responses for {paths}:\n{out}")

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    timeouts = re.search(r"timeout (\d+)", out)  # requests without an answer within 10 s
    return {"rps": rps, "p50_ms": ms("50"), "p99_ms": ms("99"), "timeouts": int(timeouts.group(1)) if timeouts else 0}


ENDPOINTS = {
    "GET /users/{id}": ["/api/v1/users/{id}"],
    "GET /users (page of 50)": ["/api/v1/users?limit=50"],
    "GET /items (page of 50, newest first)": ["/api/v1/items?limit=50&sort_by=created_at&order=desc"],
    "GET /items?q= (search)": ["/api/v1/items?q=lamp%20desk&limit=20", "/api/v1/items?q=notebook&limit=20"],
    "GET /items?q= (rare term)": ["/api/v1/items?q={id}9&limit=20"],
    "GET /stats": ["/api/v1/stats"],
}
FLOOR = {"GET /users/{id}": ["/api/v1/users/{id}"]}
LAYERS = {
    f"GET by id: {layer}": [f"/layers/{layer}/{{id}}"] for layer in ("constant", "query", "dependency", "session")
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    project = WORK / "shop"
    shutil.rmtree(project, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "dbgen", "new", "shop", "--db", "postgres", "--dir", str(project),
                    "--no-input"], check=True, capture_output=True)  # fmt: skip
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", str(project)], check=True)
    for name, (users, items) in DATASETS.items():
        asyncio.run(load(name, users, items, project))

    results: dict[str, dict[str, dict[str, float]]] = {}
    port = 8765
    for database, (users, _items) in DATASETS.items():
        servers = [("generated", "app.main:app", project, ENDPOINTS)]
        if database == "dbgen_bench":  # the floor and FastAPI's layers on the large database only
            servers += [
                ("floor", "bench.floor_app:app", ROOT, FLOOR),
                ("layers", "layers_app:app", ROOT / "bench", LAYERS),
            ]
        for server, app, cwd, endpoints in servers:
            probe = next(iter(endpoints.values()))
            process = serve(app, cwd, database, port, probe[0])
            try:
                wrk(port, probe, users, 2, args.connections)  # warm up
                for endpoint, paths in endpoints.items():
                    key = f"{server} {database}"
                    results.setdefault(key, {})[endpoint] = measured = wrk(
                        port, paths, users, args.duration, args.connections
                    )
                    print(f"{key:<28} {endpoint:<40} {measured['rps']:>8.0f} req/s  "
                          f"p50 {measured['p50_ms']:>7.2f} ms  p99 {measured['p99_ms']:>7.2f} ms  "
                          f"timeouts {measured['timeouts']:.0f}")  # fmt: skip
            finally:
                stop(process)

    by_id = "GET /users/{id}"
    ratio = results["generated dbgen_bench"][by_id]["rps"] / results["floor dbgen_bench"][by_id]["rps"]
    print(f"\ngenerated / floor, {by_id}: {ratio:.2f}x")
    numbers = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "duration_s": args.duration,
               "connections": args.connections, "cpus": os.cpu_count(), "ratio_get_by_id": round(ratio, 3),
               "results": results}  # fmt: skip
    report("throughput", numbers, {"GET by id >= 0.5x of the floor": ratio >= 0.5})
    return 0


if __name__ == "__main__":
    sys.exit(main())
