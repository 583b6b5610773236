import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from app.api.router import api_router
from app.api.routes import health
from app.core.config import get_settings
from app.core.errors import Conflict
from app.core.limits import BodySizeLimit
from app.db.engine import UNAVAILABLE, is_unavailable, shutdown, startup
from app.schemas.common import Message

# Answers any request may get before its route runs; listed on every operation of the OpenAPI schema.
REQUEST_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Message, "description": "The body is not JSON that can be read (not UTF-8, say)"},
    413: {"model": Message, "description": "The body is larger than the limit (MAX_BODY_BYTES)"},
}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    await startup()
    yield
    await shutdown()


async def conflict(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=409)


async def invalid(_request: Request, exc: Exception) -> Response:
    """FastAPI's 422, rendered so that no input it echoes can turn it into a 500.

    JSON text may carry an unpaired surrogate ("\\ud800"), which UTF-8 cannot encode: the response is
    ASCII, with escapes. Inputs that JSON cannot carry back (NaN, bytes that are not UTF-8) are left out.
    """
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    try:
        content = json.dumps({"detail": jsonable_encoder(errors)}, allow_nan=False, separators=(",", ":"))
    except ValueError:
        without_inputs = [{key: value for key, value in error.items() if key != "input"} for error in errors]
        content = json.dumps({"detail": jsonable_encoder(without_inputs)}, allow_nan=False, separators=(",", ":"))
    return Response(content, status_code=422, media_type="application/json")


async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database is down or the pool is exhausted: a clean 503 the client can retry, no traceback."""
    if not is_unavailable(exc):
        raise exc  # a database error that is not about availability stays a 500, logged with its traceback
    return JSONResponse({"detail": "database unavailable, try again"}, status_code=503, headers={"Retry-After": "1"})


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title=settings.project_name, lifespan=lifespan, responses=REQUEST_ERRORS)
    app.include_router(health.router)
    app.include_router(api_router, prefix="/api/v1")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(RequestValidationError, invalid)
    for error in UNAVAILABLE:
        app.add_exception_handler(error, unavailable)
    return app


app = create_app()
