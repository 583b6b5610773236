from httpx import AsyncClient

from tests.apps import TestSettings
from tests.test_errors import served, unreachable


async def test_live_answers_without_the_database(settings: TestSettings) -> None:
    """Fails if /health/live asks the database: with none to reach, live is 200 while ready is 503."""
    async with unreachable(settings) as app, served(app) as http:
        response = await http.get("/health/live")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert (await http.get("/health/ready")).status_code == 503


async def test_ready_when_the_database_answers(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


async def test_openapi_lists_every_resource_with_readable_operation_ids(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert {"/api/v1/users", "/api/v1/users/{user_id}", "/health/live", "/health/ready"} <= set(schema["paths"])
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"users-read_user", "users-list_users", "health-ready"} <= operation_ids
