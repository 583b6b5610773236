from httpx import AsyncClient


async def test_live_answers_without_the_database(client: AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


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
