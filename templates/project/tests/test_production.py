"""ENVIRONMENT=production: docs off unless asked for, security headers, allowed hosts, unsafe settings refused."""

from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import ValidationError

from app.core.config import get_settings
from app.main import create_app, load_settings
from tests.apps import TestSettings, client_for

DOCS = ("/docs", "/redoc", "/openapi.json")


def production(**fields: Any) -> TestSettings:
    """Production settings that answer the test client's Host (base_url http://test)."""
    return TestSettings(environment="production", allowed_hosts="test", **fields)


async def test_production_serves_no_docs(engine: Any) -> None:
    async with client_for(create_app(production()), engine) as client:
        for path in DOCS:
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/api/v1/users")).status_code == 200


async def test_docs_enabled_in_production_work_under_the_policy(engine: Any) -> None:
    async with client_for(create_app(production(docs_enabled=True)), engine) as client:
        for path in DOCS:
            assert (await client.get(path)).status_code == 200, path
        policy = (await client.get("/docs")).headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy  # where Swagger UI's script and styles come from


async def test_production_responses_carry_the_security_headers(engine: Any) -> None:
    async with client_for(create_app(production()), engine) as client:
        response = await client.get("/api/v1/users")
        missing = await client.get("/api/v1/nothing-here")
    for answer in (response, missing):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert answer.headers["strict-transport-security"].startswith("max-age=")


async def test_local_serves_docs_without_hsts(client: AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers


async def test_allowed_hosts_refuse_other_host_names(engine: Any) -> None:
    app = create_app(TestSettings(allowed_hosts="api.example.com, www.example.com"))
    async with client_for(app, engine) as client:
        refused = await client.get("/api/v1/users")  # Host: test
        assert refused.status_code == 400
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert (await client.get("/api/v1/users", headers={"host": "api.example.com"})).status_code == 200
        assert (await client.get("/api/v1/users", headers={"host": "localhost:8000"})).status_code == 200


async def test_production_answers_only_its_hosts_and_the_probes(engine: Any) -> None:
    app = create_app(TestSettings(environment="production", allowed_hosts="api.example.com"))
    async with client_for(app, engine) as client:
        assert (await client.get("/api/v1/users", headers={"host": "evil.example"})).status_code == 400
        assert (await client.get("/api/v1/users", headers={"host": "api.example.com"})).status_code == 200
        # The Kubernetes probes and the container's HEALTHCHECK call with Host: localhost.
        assert (await client.get("/health/live", headers={"host": "localhost"})).status_code == 200


def test_production_refuses_to_start_without_allowed_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("ALLOWED_HOSTS", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as stopped:
            load_settings()  # what `app = create_app()` runs when uvicorn imports app.main
    finally:
        get_settings.cache_clear()
    message = str(stopped.value.code)
    assert message.startswith("cannot start: ") and "ALLOWED_HOSTS" in message and "\n" not in message
    assert TestSettings(environment="production", allowed_hosts="*").trusted_hosts == ["*"]  # any Host, if you must


def test_production_refuses_database_echo() -> None:
    with pytest.raises(ValidationError, match="DB_ECHO"):
        production(db_echo=True)


def test_environment_is_one_of_three() -> None:
    with pytest.raises(ValidationError):
        TestSettings(environment="prod")
    assert TestSettings(environment="staging").serve_docs


async def test_cors_is_off_unless_origins_are_set(client: AsyncClient, engine: Any) -> None:
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}
    assert "access-control-allow-origin" not in (await client.options("/api/v1/users", headers=preflight)).headers
    app = create_app(TestSettings(cors_origins="https://app.example.com"))
    async with client_for(app, engine) as allowed:
        answer = await allowed.options("/api/v1/users", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
        other = await allowed.options("/api/v1/users", headers=preflight | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
