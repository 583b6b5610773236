from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.api.router import api_router
from app.api.routes import health
from app.core.config import get_settings
from app.core.errors import Conflict
from app.db.engine import UNAVAILABLE, is_unavailable, shutdown, startup


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    await startup()
    yield
    await shutdown()


async def conflict(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=409)


async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database is down or the pool is exhausted: a clean 503 the client can retry, no traceback."""
    if not is_unavailable(exc):
        raise exc  # a database error that is not about availability stays a 500, logged with its traceback
    return JSONResponse({"detail": "database unavailable, try again"}, status_code=503, headers={"Retry-After": "1"})


def create_app() -> FastAPI:
    app = FastAPI(title=get_settings().project_name, lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(api_router, prefix="/api/v1")
    app.add_exception_handler(Conflict, conflict)
    for error in UNAVAILABLE:
        app.add_exception_handler(error, unavailable)
    return app


app = create_app()
