"""Throughput of a generated PostgreSQL project against a hand-written floor, under wrk.

    python bench/throughput.py [--duration 10] [--connections 32]

What it does, in one run:
1. `dbgen new shop --db postgres` into bench/.work/shop and `pip install -e` it into this interpreter.
2. Two databases on the PostgreSQL server of BENCH_DATABASE_URL (default the local one): `dbgen_bench`
   with 100k users and 1M items, `dbgen_bench_small` with 1k users and 10k items, migrated with the
   project's own Alembic migrations (so with its indexes) and filled by its seed command (`python -m app.seed`,
   COPY).
3. uvicorn, one worker, serves the generated app, bench/floor_app.py (Starlette + raw asyncpg, the
   least code that answers the same GET by id), bench/layers_app.py and the peer (below); wrk loads
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
6. Prints requests/s and p50/p99 latency per endpoint, the app/floor ratio for GET by id and the
   app/peer ratio for the list, and writes them, with the load average at the start and the end (the
   machine may be shared), to bench/results/throughput.json.

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
from report import report

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORDS = ["notebook", "pencil", "marker", "folder", "stapler", "eraser", "ruler", "binder", "paper", "ink",
         "lamp", "chair", "desk", "shelf", "cable", "charger", "monitor", "keyboard", "mouse", "tablet"]  # fmt: skip
DATASETS = {"dbgen_bench": (100_000, 1_000_000), "dbgen_bench_small": (1_000, 10_000)}
PEER_TEMPLATE = "fastapi_template==6.1.2"
PEER_OPTIONS = ["--name", "peer", "--quiet", "--api-type", "rest", "--db", "postgresql", "--orm", "sqlalchemy",
                "--migrations", "--dummy", "--routers", "--ci", "none"]  # fmt: skip
PEER_DATABASE = "dbgen_bench_peer"


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
    by the project's own seed command, `python -m app.seed` (COPY, the seeded users sharing one password hash)."""
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


def peer_env(prefix: str) -> dict[str, str]:
    server = urlsplit(SERVER)
    return os.environ | {
        f"{prefix}DB_HOST": server.hostname or "127.0.0.1",
        f"{prefix}DB_PORT": str(server.port or 5432),
        f"{prefix}DB_USER": server.username or "postgres",
        f"{prefix}DB_PASS": server.password or "",
        f"{prefix}DB_BASE": PEER_DATABASE,
    }


async def load_peer(project: Path, python: str, env: dict[str, str], rows: int) -> None:
    """The peer's database: created, migrated by its own migrations, its dummy table filled with COPY."""
    await migrated(PEER_DATABASE, project, python, env)
    rng = random.Random(42)
    conn = await asyncpg.connect(database_url(PEER_DATABASE))
    try:
        await conn.copy_records_to_table(
            "dummy_model",
            columns=["id", "name"],
            records=((i, f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}") for i in range(1, rows + 1)),
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    print(f"{PEER_DATABASE}: loaded {rows} dummy rows")


def app_env(database: str) -> dict[str, str]:
    return os.environ | {"DATABASE_URL": database_url(database).replace("postgresql://", "postgresql+asyncpg://")}


def serve(
    app: str, cwd: Path, env: dict[str, str], port: int, probe: str, python: str = sys.executable
) -> subprocess.Popen[bytes]:
    """uvicorn with the same settings for every app: one worker, uvloop, httptools, no access log."""
    command = [python, "-m", "uvicorn", *app.split(), "--port", str(port), "--workers", "1", "--loop", "uvloop",
               "--http", "httptools", "--log-level", "warning", "--no-access-log"]  # fmt: skip
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


BENCH_SUPERUSER, BENCH_PASSWORD = "bench@example.com", "a benchmark superuser's password"


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
    """Requests/s and latency percentiles (ms) of one wrk run over `paths` ("{id}" is a random id)."""
    lua_headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (", ".join(json.dumps(p) for p in paths), lua_headers, max_id))
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
    "GET /users (page of 10)": ["/api/v1/users?limit=10"],
    "GET /users (page of 50)": ["/api/v1/users?limit=50"],
    "GET /items (page of 50, newest first)": ["/api/v1/items?limit=50&sort_by=created_at&order=desc"],
    "GET /items?q= (search)": ["/api/v1/items?q=lamp%20desk&limit=20", "/api/v1/items?q=notebook&limit=20"],
    "GET /items?q= (rare term)": ["/api/v1/items?q={id}9&limit=20"],
    "GET /stats": ["/api/v1/stats"],
}
FLOOR = {"GET /users/{id}": ["/api/v1/users/{id}"]}
# The same read on a project with login (--auth jwt): a superuser's token is decoded and its user loaded.
SIGNED = {"GET /users/{id} (with a token)": ["/api/v1/users/{id}"]}
LAYERS = {
    f"GET by id: {layer}": [f"/layers/{layer}/{{id}}"] for layer in ("constant", "query", "dependency", "session")
}
PEER = {"GET /users (page of 10)": ["/api/dummy/?limit=10"]}
# The ratios reported, measured in turns (--rounds times each, the median kept), so that the load of
# whatever else runs on the machine falls on both sides of each ratio alike.
COMPARED = [("floor", "GET /users/{id}"), ("generated", "GET /users/{id}"), ("signed", *SIGNED)]
COMPARED += [("layers", endpoint) for endpoint in LAYERS]
COMPARED += [("generated", "GET /users (page of 10)"), ("peer", "GET /users (page of 10)")]


def measure(
    port: int,
    paths: list[str],
    max_id: int,
    args: argparse.Namespace,
    label: str,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    measured = wrk(port, paths, max_id, args.duration, args.connections, headers)
    print(f"{label:<68} {measured['rps']:>8.0f} req/s  p50 {measured['p50_ms']:>7.2f} ms  "
          f"p99 {measured['p99_ms']:>7.2f} ms  timeouts {measured['timeouts']:.0f}", flush=True)  # fmt: skip
    return measured


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median requests/s, and every run's requests/s."""
    middle = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
    return middle | {"rps_per_round": [run["rps"] for run in runs]}  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint and round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="turns of the compared endpoints (median kept)")
    parser.add_argument("--peer-python", default=sys.executable if sys.version_info >= (3, 12) else "python3.12",
                        help="Python 3.12+ for the peer's venv")  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    load_at_start = os.getloadavg()

    # The open API (--auth none) is what the floor and the peer are compared with: neither checks a token.
    project, signed = WORK / "shop", WORK / "shop_jwt"
    for folder, auth in ((signed, "jwt"), (project, "none")):
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "dbgen", "new", "shop", "--db", "postgres", "--auth", auth,
                        "--dir", str(folder), "--no-input"], check=True, capture_output=True)  # fmt: skip
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", str(folder)], check=True)
    for name, (users, items) in DATASETS.items():
        asyncio.run(load(name, users, items, signed))
    superuser = [sys.executable, "-m", "app.create_superuser", BENCH_SUPERUSER]
    env = app_env("dbgen_bench")
    subprocess.run(superuser, cwd=signed, env=env, input=BENCH_PASSWORD, text=True, check=True, capture_output=True)

    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as peer_folder:
        peer, peer_python, prefix = make_peer(Path(peer_folder), args.peer_python)
        users = DATASETS["dbgen_bench"][0]
        asyncio.run(load_peer(peer, peer_python, peer_env(prefix), users))
        big = app_env("dbgen_bench")
        servers = {  # name: app, folder, environment, interpreter, endpoints, port
            "generated": ("app.main:app", project, big, sys.executable, ENDPOINTS, 8765),
            "floor": ("bench.floor_app:app", ROOT, big, sys.executable, FLOOR, 8766),
            "layers": ("layers_app:app", ROOT / "bench", big, sys.executable, LAYERS, 8767),
            "peer": ("--factory peer.web.application:get_app", peer, peer_env(prefix), peer_python, PEER, 8768),
            "signed": ("app.main:app", signed, big, sys.executable, SIGNED, 8769),
        }
        token: dict[str, dict[str, str]] = {}
        processes = []
        try:
            for server, (app, cwd, env, python, endpoints, port) in servers.items():
                probe = next(iter(endpoints.values()))
                processes.append(serve(app, cwd, env, port, "/health/live" if server == "signed" else probe[0], python))
                if server == "signed":
                    token[server] = {"Authorization": f"Bearer {sign_in(port)}"}
                wrk(port, probe, users, 2, args.connections, token.get(server))  # warm up
            runs: dict[tuple[str, str], list[dict[str, float]]] = {}
            for turn in range(1, args.rounds + 1):
                for server, endpoint in COMPARED:
                    port, paths = servers[server][5], servers[server][4][endpoint]
                    label = f"round {turn}: {server} dbgen_bench {endpoint}"
                    run = measure(port, paths, users, args, label, token.get(server))
                    runs.setdefault((server, endpoint), []).append(run)
            for (server, endpoint), measured in runs.items():
                results.setdefault(f"{server} dbgen_bench", {})[endpoint] = median_run(measured)
            for endpoint, paths in ENDPOINTS.items():
                if ("generated", endpoint) not in runs:
                    label = f"generated dbgen_bench {endpoint}"
                    results["generated dbgen_bench"][endpoint] = measure(8765, paths, users, args, label)
        finally:
            for process in processes:
                stop(process)

    small_users = DATASETS["dbgen_bench_small"][0]
    process = serve("app.main:app", project, app_env("dbgen_bench_small"), 8765, "/api/v1/users/{id}")
    try:
        wrk(8765, ["/api/v1/users/{id}"], small_users, 2, args.connections)  # warm up
        for endpoint, paths in ENDPOINTS.items():
            label = f"generated dbgen_bench_small {endpoint}"
            results.setdefault("generated dbgen_bench_small", {})[endpoint] = measure(
                8765, paths, small_users, args, label
            )
    finally:
        stop(process)

    by_id, page = "GET /users/{id}", "GET /users (page of 10)"
    generated = results["generated dbgen_bench"]
    ratio = generated[by_id]["rps"] / results["floor dbgen_bench"][by_id]["rps"]
    peer_ratio = generated[page]["rps"] / results["peer dbgen_bench"][page]["rps"]
    token_ratio = results["signed dbgen_bench"][next(iter(SIGNED))]["rps"] / generated[by_id]["rps"]
    print(f"\ngenerated / floor, {by_id}: {ratio:.2f}x\ngenerated / peer, {page}: {peer_ratio:.2f}x")
    print(f"with a token / without, {by_id}: {token_ratio:.2f}x")
    load_at_end = os.getloadavg()
    numbers = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "duration_s": args.duration,
               "connections": args.connections, "rounds": args.rounds, "cpus": os.cpu_count(),
               "python": ".".join(map(str, sys.version_info[:3])), "peer": PEER_TEMPLATE,
               "load_average_1_5_15min": {"start": [round(x, 2) for x in load_at_start],
                                          "end": [round(x, 2) for x in load_at_end]},
               "ratio_get_by_id": round(ratio, 3), "ratio_page_of_10_vs_peer": round(peer_ratio, 3),
               "ratio_get_by_id_with_token_vs_without": round(token_ratio, 3),
               "results": results}  # fmt: skip
    goals = {"GET by id >= 0.5x of the floor": ratio >= 0.5, "page of 10 ahead of the peer's": peer_ratio > 1}
    report("throughput", numbers, goals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
