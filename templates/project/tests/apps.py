"""An HTTP client for an app built with settings of a test's own, on the test database."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from tests import database


@asynccontextmanager
async def client_for(app: FastAPI, engine: Any, base_url: str = "http://test") -> AsyncIterator[AsyncClient]:
    dependency, replacement = database.override(engine)
    app.dependency_overrides[dependency] = replacement
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url=base_url) as http:
            yield http
    finally:
        await database.clean(engine)
