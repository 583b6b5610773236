"""The floor: the least code that serves GET /users/{id} from PostgreSQL, for bench/throughput.py.

Starlette and a raw asyncpg pool, one prepared query, JSON built by the standard library. No ORM, no
validation, no dependency injection: what is left is the HTTP server and the database round trip, so
the generated app's throughput is reported as a ratio of this one, measured in the same run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dbgen_bench uvicorn bench.floor_app:app
"""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

QUERY = "SELECT id, email, full_name, is_active, created_at, updated_at FROM users WHERE id = $1"
pool: asyncpg.Pool


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool
    url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(url, min_size=5, max_size=15)
    yield
    await pool.close()


async def read_user(request: Request) -> Response:
    row = await pool.fetchrow(QUERY, int(request.path_params["user_id"]))
    if row is None:
        return Response('{"detail":"User not found"}', 404, media_type="application/json")
    body = {
        "id": row["id"],
        "email": row["email"],
        "full_name": row["full_name"],
        "is_active": row["is_active"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }
    return Response(json.dumps(body), media_type="application/json")


app = Starlette(routes=[Route("/api/v1/users/{user_id:int}", read_user)], lifespan=lifespan)
