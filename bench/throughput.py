"""Throughput of a generated PostgreSQL project against a hand-written floor, under wrk.

    python bench/throughput.py [--duration 10] [--connections 32] [--rounds 3]
    python bench/throughput.py --quick     # while developing: 10k users, 3 s per endpoint, one round

What it does, in one run:
1. `dbgen new shop --db postgres` into bench/.work/shop and `pip install -e` it into this interpreter.
2. Two databases on the PostgreSQL server of BENCH_DATABASE_URL (default the local one): `dbgen_bench`
   with 100k users and 1M items, `dbgen_bench_small` with 1k users and 10k items, migrated with the
   project's own Alembic migrations (so with its indexes) and filled by its seed command (`python -m app.seed`,
   COPY).
3. uvicorn, one worker, serves the generated app, bench/floor_app.py (Starlette + raw asyncpg, the
   least code that answers the same GET by id), bench/tutorial_app.py (the app a user writes by hand from
   FastAPI's and SQLAlchemy's tutorials: the anchor of the ratios), bench/layers_app.py, the generated
   app with login (a superuser's bearer token on every request) and the peer (below); wrk loads
   each endpoint for --duration seconds. The endpoints whose ratios are reported take turns, --rounds
   times, and each keeps its median: a change in the machine's load then falls on both sides alike.
4. bench/layers_app.py serves the same GET by id with FastAPI's layers added one at a time, to show
   where the generated app's time goes.
5. The peer: s3rius's FastAPI-template (PyPI `fastapi_template`, pinned below) generates a PostgreSQL +
   SQLAlchemy project into a temporary folder, with a venv of its own holding the dependencies its
   pyproject lists; its own migrations create its table in `dbgen_bench_peer` on the same server, filled
   with as many rows as the generated app's users table. Its list of 10 is measured against the
   generated app's list of 10, same uvicorn settings, same wrk settings. The template needs Python 3.12
   (--peer-python) and runs `uv` at its end to install the project: a stub `uv` lets it finish offline.
6. Prints requests/s and p50/p99 latency per endpoint, the ratios (generated / hand-written for GET by id
   and the first page of 10, generated / peer for that page, generated / floor for GET by id, with login /
   without), and a Markdown table to paste into the README; writes them, with the load average at the
   start and the end (the machine may be shared), to bench/results/throughput.json.

`--quick` is for development: one database of 10k users and 100k items, 3 s per endpoint, one round, and
no pass over the small database. Its ratios are indicative only. `--prefix` names the databases (default
`dbgen_bench`), so that two runs on one server do not share them.

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
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
from report import RESULTS, report

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORDS = ["notebook", "pencil", "marker", "folder", "stapler", "eraser", "ruler", "binder", "paper", "ink",
         "lamp", "chair", "desk", "shelf", "cable", "charger", "monitor", "keyboard", "mouse", "tablet"]  # fmt: skip
DATASETS = {"": (100_000, 1_000_000), "_small": (1_000, 10_000)}  # database name suffix: users, items
QUICK_DATASETS = {"": (10_000, 100_000)}
PEER_TEMPLATE = "fastapi_template==6.1.2"
PEER_OPTIONS = ["--name", "peer", "--quiet", "--api-type", "rest", "--db", "postgresql", "--orm", "sqlalchemy",
                "--migrations", "--dummy", "--routers", "--ci", "none"]  # fmt: skip
PEER_DATABASE = "_peer"


def database_url(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name


async def migrated(name: str, project: Path, python: str, env: dict[str, str]) -> None:
    """A new, empty database `name`, migrated by the project's own migrations."""
    server = await asyncpg.connect(database_url("postgres"))
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    subprocess.run([python, "-m", "alembic", "upgrade", "head"], cwd=project, env=env, check=True,
                   capture_output=True)  # fmt: skip


async def load(name: str, users: int, items: int, project: Path) -> None:
    """Create, migrate and fill one database (migrated by the project with login: its tables are a superset), filled
    by the project's own seed command, `python -m app.seed` (COPY, the seeded users sharing one password hash).

    The only place that writes the generated app's rows: every app measured reads what this loads."""
    env = os.environ | {"DATABASE_URL": database_url(name).replace("postgresql://", "postgresql+asyncpg://")}
    await migrated(name, project, sys.executable, env)
    started = time.perf_counter()
    command = [sys.executable, "-m", "app.seed", "--rows", f"users={users}", "--rows", f"items={items}"]
    seeded = subprocess.run(command, cwd=project, env=env, check=True, capture_output=True, text=True)
    conn = await asyncpg.connect(database_url(name))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    print(f"{name}: {seeded.stdout.splitlines()[0]}; with VACUUM ANALYZE {time.perf_counter() - started:.1f} s")


def make_peer(folder: Path, python: str) -> tuple[Path, str, str]:
    """Generate the peer project into `folder`, with a venv of its own; its folder, its python, its
    settings' environment prefix. Its layout is flat (no `pip install -e`): it runs from its folder."""
    venv = folder / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    peer_python = str(venv / "bin" / "python")
    pip = [peer_python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, PEER_TEMPLATE], check=True)
    stub = folder / "stub"  # the template's last step runs `uv sync`; nothing needs it here
    stub.mkdir()
    (stub / "uv").write_text("#!/bin/sh\nexit 0\n")
    (stub / "uv").chmod(0o755)
    env = os.environ | {"PATH": f"{stub}:{venv / 'bin'}:{os.environ['PATH']}", "GIT_AUTHOR_NAME": "bench",
                        "GIT_AUTHOR_EMAIL": "bench@localhost", "GIT_COMMITTER_NAME": "bench",
                        "GIT_COMMITTER_EMAIL": "bench@localhost"}  # fmt: skip
    subprocess.run([str(venv / "bin" / "fastapi_template"), *PEER_OPTIONS], cwd=folder, env=env, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip
    project = folder / "peer"
    dependencies = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    subprocess.run([*pip, *dependencies], check=True)
    settings = (project / "peer" / "settings.py").read_text()
    prefix = re.search(r'env_prefix\s*=\s*"(\w+)"', settings).group(1)  # type: ignore[union-attr]
    return project, peer_python, prefix


def peer_env(prefix: str, database: str) -> dict[str, str]:
    server = urlsplit(SERVER)
    return os.environ | {
        f"{prefix}DB_HOST": server.hostname or "127.0.0.1",
        f"{prefix}DB_PORT": str(server.port or 5432),
        f"{prefix}DB_USER": server.username or "postgres",
        f"{prefix}DB_PASS": server.password or "",
        f"{prefix}DB_BASE": database,
    }


async def load_peer(database: str, project: Path, python: str, env: dict[str, str], rows: int) -> None:
    """The peer's database: created, migrated by its own migrations, its dummy table filled with COPY."""
    await migrated(database, project, python, env)
    rng = random.Random(42)
    conn = await asyncpg.connect(database_url(database))
    try:
        await conn.copy_records_to_table(
            "dummy_model",
            columns=["id", "name"],
            records=((i, f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}") for i in range(1, rows + 1)),
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    print(f"{database}: loaded {rows} dummy rows")


def app_env(database: str) -> dict[str, str]:
    return os.environ | {"DATABASE_URL": database_url(database).replace("postgresql://", "postgresql+asyncpg://")}


PIDS: dict[int, int] = {}  # port: the process serving it (uvicorn with one worker serves in its own process)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux: /proc/<pid>/stat, utime and stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(
    app: str, cwd: Path, env: dict[str, str], port: int, probe: str, python: str = sys.executable
) -> subprocess.Popen[bytes]:
    """uvicorn with the same settings for every app: one worker, uvloop, httptools, no access log."""
    command = [python, "-m", "uvicorn", *app.split(), "--port", str(port), "--workers", "1", "--loop", "uvloop",
               "--http", "httptools", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, cwd=cwd, env=env)
    PIDS[port] = process.pid
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


BENCH_SUPERUSER, BENCH_PASSWORD = "admin@example.com", "a benchmark superuser's password"


def sign_in(port: int) -> str:
    """A superuser's token, from the generated app's own login."""
    form = {"username": BENCH_SUPERUSER, "password": BENCH_PASSWORD}
    answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/auth/token", data=form, timeout=30, trust_env=False)
    token: str = answer.raise_for_status().json()["access_token"]
    return token


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


LUA = """
local paths = {%s}
local headers = {%s}
local n = 0
request = function()
  n = n + 1
  local path = paths[(n %% #paths) + 1]
  return wrk.format(nil, (path:gsub("{id}", tostring(math.random(1, %d)))), headers)
end
"""


def wrk(
    port: int, paths: list[str], max_id: int, duration: int, connections: int, headers: dict[str, str] | None = None
) -> dict[str, float]:
    """Requests/s, latency percentiles (ms) and the serving process's CPU time per request (µs) of one wrk run over
    `paths` ("{id}" is a random id).

    Requests/s times the CPU time per request near 1 s per second says the app's own process is what limits it
    (not PostgreSQL or wrk on the other core), so that requests/s compare the apps' code."""
    lua_headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (", ".join(json.dumps(p) for p in paths), lua_headers, max_id))
    cpu_before = cpu_seconds(PIDS[port])
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", script.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    cpu = cpu_seconds(PIDS[port]) - cpu_before
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} error responses for {paths}:\n{out}")

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    timeouts = re.search(r"timeout (\d+)", out)  # requests without an answer within 10 s
    return {"rps": rps, "p50_ms": ms("50"), "p99_ms": ms("99"), "cpu_us": cpu / max(requests, 1) * 1e6,
            "timeouts": int(timeouts.group(1)) if timeouts else 0}  # fmt: skip


BY_ID, PAGE = "GET /users/{id}", "GET /users?limit=10 (first page)"
# The generated app without login (--auth none): the ratios' side, then what its lists offer beyond a first page.
ENDPOINTS = {
    BY_ID: ["/api/v1/users/{id}"],
    PAGE: ["/api/v1/users?limit=10"],
    "GET /users?limit=10, filtered (is_active=false)": ["/api/v1/users?limit=10&is_active=false"],
    "GET /users?limit=10, sorted (email, desc)": ["/api/v1/users?limit=10&sort_by=email&order=desc"],
    "GET /users?limit=10 after a cursor (keyset)": [],  # filled at run time with cursors the app gave out
    "GET /users (page of 50)": ["/api/v1/users?limit=50"],
    "GET /items (page of 50, newest first)": ["/api/v1/items?limit=50&sort_by=created_at&order=desc"],
    "GET /items?q= (search)": ["/api/v1/items?q=lamp%20desk&limit=20", "/api/v1/items?q=notebook&limit=20"],
    "GET /items?q= (rare term)": ["/api/v1/items?q={id}9&limit=20"],
    "GET /stats": ["/api/v1/stats"],
}
KEYSET = "GET /users?limit=10 after a cursor (keyset)"
FLOOR = {BY_ID: ["/api/v1/users/{id}"]}
TUTORIAL = {BY_ID: ["/users/{id}"], PAGE: ["/users/?limit=10"]}
# The same reads on a project with login (--auth jwt): a superuser's token is decoded and its user loaded.
SIGNED = {BY_ID: ["/api/v1/users/{id}"], PAGE: ["/api/v1/users?limit=10"]}
LAYERS = {
    f"GET by id: {layer}": [f"/layers/{layer}/{{id}}"] for layer in ("constant", "query", "dependency", "session")
}
PEER = {PAGE: ["/api/dummy/?limit=10"]}
# The ratios reported, measured in turns (--rounds times each, the median kept), so that the load of
# whatever else runs on the machine falls on both sides of each ratio alike.
COMPARED = [("floor", BY_ID), ("generated", BY_ID), ("tutorial", BY_ID), ("signed", BY_ID)]
COMPARED += [("layers", endpoint) for endpoint in LAYERS]
COMPARED += [("generated", PAGE), ("tutorial", PAGE), ("peer", PAGE), ("signed", PAGE)]


def measure(
    port: int,
    paths: list[str],
    max_id: int,
    args: argparse.Namespace,
    label: str,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    measured = wrk(port, paths, max_id, args.duration, args.connections, headers)
    print(f"{label:<78} {measured['rps']:>8.0f} req/s  p50 {measured['p50_ms']:>7.2f} ms  "
          f"p99 {measured['p99_ms']:>7.2f} ms  app CPU {measured['cpu_us']:>6.0f} µs/request  "
          f"timeouts {measured['timeouts']:.0f}", flush=True)  # fmt: skip
    return measured


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median requests/s, the median CPU time per request, and every run's figures."""
    middle = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
    cpu = sorted(run["cpu_us"] for run in runs)[len(runs) // 2]
    rounds = {"rps_per_round": [run["rps"] for run in runs], "cpu_us_per_round": [run["cpu_us"] for run in runs]}
    return middle | {"cpu_us": cpu} | rounds  # type: ignore[return-value]


def cursors(port: int, pages: int, users: int) -> list[str]:
    """Keyset pages: `next` of first pages at offsets spread over the table, as a client would send them on."""
    rng = random.Random(7)
    paths = []
    for _ in range(pages):
        offset = rng.randrange(0, min(users - 20, 10_000))
        answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/users?limit=10&offset={offset}", timeout=10,
                           trust_env=False)  # fmt: skip
        paths.append(f"/api/v1/users?limit=10&after={answer.raise_for_status().json()['next']}")
    return paths


def markdown(results: dict[str, dict[str, dict[str, float]]], ratios: dict[str, float], note: str) -> str:
    """The README's table, ready to paste: each app's requests/s, latency and CPU per request, then the ratios."""
    rows = ["| app: endpoint | req/s | p50 / p99 ms | app CPU µs/request |", "|---|---:|---:|---:|"]
    names = {"floor": "floor (Starlette + raw asyncpg)", "tutorial": "hand-written (FastAPI + SQLAlchemy tutorials)",
             "generated": "generated, `--auth none`", "signed": "generated, `--auth jwt`, a bearer token",
             "peer": "s3rius's FastAPI-template", "layers": "layers_app",
             "generated, small": "generated, `--auth none`, 1k users"}  # fmt: skip
    for server in ("floor", "tutorial", "generated", "peer", "signed", "layers", "generated, small"):
        for endpoint, run in results.get(server, {}).items():
            latency = f"{run['p50_ms']:.1f} / {run['p99_ms']:.0f}"
            rows.append(f"| {names[server]}: {endpoint} | {run['rps']:,.0f} | {latency} | {run['cpu_us']:,.0f} |")
    rows += ["", "| ratio (one run) | |", "|---|---:|"]
    rows += [f"| {name} | **{value:.2f}x** |" for name, value in ratios.items()]
    return "\n".join([*rows, "", note])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint and round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="turns of the compared endpoints (median kept)")
    parser.add_argument("--quick", action="store_true", help="10k users, 3 s per endpoint, one round (development)")
    parser.add_argument("--prefix", default="dbgen_bench", help="name (and prefix) of the databases it makes")
    parser.add_argument("--peer-python", default=sys.executable if sys.version_info >= (3, 12) else "python3.12",
                        help="Python 3.12+ for the peer's venv")  # fmt: skip
    args = parser.parse_args()
    datasets = {args.prefix + suffix: size for suffix, size in (QUICK_DATASETS if args.quick else DATASETS).items()}
    if args.quick:
        args.duration, args.rounds = min(args.duration, 3), 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    load_at_start = os.getloadavg()

    # The open API (--auth none) is what the floor, the hand-written app and the peer are compared with: none
    # of them checks a token.
    project, signed = WORK / "shop", WORK / "shop_jwt"
    for folder, auth in ((signed, "jwt"), (project, "none")):
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "dbgen", "new", "shop", "--db", "postgres", "--auth", auth,
                        "--dir", str(folder), "--no-input"], check=True, capture_output=True)  # fmt: skip
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", str(folder)], check=True)
    for name, (users, items) in datasets.items():
        asyncio.run(load(name, users, items, signed))
    superuser = [sys.executable, "-m", "app.create_superuser", BENCH_SUPERUSER]
    big = app_env(args.prefix)
    subprocess.run(superuser, cwd=signed, env=big, input=BENCH_PASSWORD, text=True, check=True, capture_output=True)

    results: dict[str, dict[str, dict[str, float]]] = {}
    users = datasets[args.prefix][0]
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as peer_folder:
        peer, peer_python, prefix = make_peer(Path(peer_folder), args.peer_python)
        peer_database = args.prefix + PEER_DATABASE
        asyncio.run(load_peer(peer_database, peer, peer_python, peer_env(prefix, peer_database), users))
        servers = {  # name: app, folder, environment, interpreter, endpoints, port
            "generated": ("app.main:app", project, big, sys.executable, ENDPOINTS, 8765),
            "floor": ("bench.floor_app:app", ROOT, big, sys.executable, FLOOR, 8766),
            "layers": ("layers_app:app", ROOT / "bench", big, sys.executable, LAYERS, 8767),
            "peer": ("--factory peer.web.application:get_app", peer, peer_env(prefix, peer_database), peer_python,
                     PEER, 8768),
            "signed": ("app.main:app", signed, big, sys.executable, SIGNED, 8769),
            "tutorial": ("bench.tutorial_app:app", ROOT, big, sys.executable, TUTORIAL, 8770),
        }  # fmt: skip
        token: dict[str, dict[str, str]] = {}
        processes = []
        try:
            for server, (app, cwd, env, python, endpoints, port) in servers.items():
                probe = next(iter(endpoints.values()))
                processes.append(serve(app, cwd, env, port, "/health/live" if server == "signed" else probe[0], python))
                if server == "signed":
                    token[server] = {"Authorization": f"Bearer {sign_in(port)}"}
                wrk(port, probe, users, 2, args.connections, token.get(server))  # warm up
            ENDPOINTS[KEYSET] = cursors(8765, 200, users)
            runs: dict[tuple[str, str], list[dict[str, float]]] = {}
            for turn in range(1, args.rounds + 1):
                for server, endpoint in COMPARED:
                    port, paths = servers[server][5], servers[server][4][endpoint]
                    label = f"round {turn}: {server} {args.prefix} {endpoint}"
                    run = measure(port, paths, users, args, label, token.get(server))
                    runs.setdefault((server, endpoint), []).append(run)
            for (server, endpoint), measured in runs.items():
                results.setdefault(server, {})[endpoint] = median_run(measured)
            for endpoint, paths in ENDPOINTS.items():
                if ("generated", endpoint) not in runs:
                    label = f"generated {args.prefix} {endpoint}"
                    results["generated"][endpoint] = measure(8765, paths, users, args, label)
        finally:
            for process in processes:
                stop(process)

    small = args.prefix + "_small"
    if small in datasets:
        small_users = datasets[small][0]
        process = serve("app.main:app", project, app_env(small), 8765, "/api/v1/users/{id}")
        try:
            wrk(8765, ["/api/v1/users/{id}"], small_users, 2, args.connections)  # warm up
            ENDPOINTS[KEYSET] = cursors(8765, 50, small_users)
            for endpoint, paths in ENDPOINTS.items():
                label = f"generated {small} {endpoint}"
                results.setdefault("generated, small", {})[endpoint] = measure(8765, paths, small_users, args, label)
        finally:
            stop(process)

    def rps(server: str, endpoint: str) -> float:
        return results[server][endpoint]["rps"]

    def cpu(server: str, endpoint: str) -> float:
        return results[server][endpoint]["cpu_us"]

    ratios = {
        "generated / hand-written, GET by id": rps("generated", BY_ID) / rps("tutorial", BY_ID),
        "generated / hand-written, first page of 10": rps("generated", PAGE) / rps("tutorial", PAGE),
        "generated / peer, first page of 10": rps("generated", PAGE) / rps("peer", PAGE),
        "generated / floor, GET by id": rps("generated", BY_ID) / rps("floor", BY_ID),
        # The same comparisons in the app's own CPU time per request (hand-written / generated: above 1.0x, the
        # generated app spends less).
        "CPU per request, hand-written / generated, GET by id": cpu("tutorial", BY_ID) / cpu("generated", BY_ID),
        "CPU per request, hand-written / generated, first page of 10": cpu("tutorial", PAGE) / cpu("generated", PAGE),
        "CPU per request, peer / generated, first page of 10": cpu("peer", PAGE) / cpu("generated", PAGE),
        "with login (a token) / without, GET by id": rps("signed", BY_ID) / rps("generated", BY_ID),
        "with login (a token) / without, first page of 10": rps("signed", PAGE) / rps("generated", PAGE),
    }
    load_at_end = os.getloadavg()
    loads = f"{load_at_start[0]:.1f} at the start, {load_at_end[0]:.1f} at the end"
    note = (f"{datetime.now(UTC):%Y-%m-%d}: {users:,} users, {args.duration} s per endpoint, {args.connections} "
            f"connections, {args.rounds} turn(s) of the compared endpoints (median kept), {os.cpu_count()} CPUs, "
            f"load average {loads}.")  # fmt: skip
    table = markdown(results, ratios, note)
    print("\n" + "\n".join(f"{name}: {value:.2f}x" for name, value in ratios.items()))
    print("\nFor the README (bench/results/throughput.md):\n\n" + table)
    load_at_end = os.getloadavg()
    numbers = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "duration_s": args.duration,
               "connections": args.connections, "rounds": args.rounds, "quick": args.quick, "users": users,
               "cpus": os.cpu_count(), "python": ".".join(map(str, sys.version_info[:3])), "peer": PEER_TEMPLATE,
               "load_average_1_5_15min": {"start": [round(x, 2) for x in load_at_start],
                                          "end": [round(x, 2) for x in load_at_end]},
               "ratios": {name: round(value, 3) for name, value in ratios.items()},
               "results": results}  # fmt: skip
    goals = {
        "GET by id >= 1.0x the hand-written read": ratios["generated / hand-written, GET by id"] >= 1,
        "first page >= 1.0x the hand-written list": ratios["generated / hand-written, first page of 10"] >= 1,
        "first page >= 1.0x the peer's": ratios["generated / peer, first page of 10"] >= 1,
    }
    report("throughput", numbers, goals)
    (RESULTS / "throughput.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
