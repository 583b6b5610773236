from httpx import AsyncClient

from tests.conftest import create_item, create_user


async def test_stats_on_empty_database(client: AsyncClient) -> None:
    response = await client.get("/api/v1/stats")
    assert response.status_code == 200
    assert response.json() == {"users": 0, "active_users": 0, "items": 0, "top_owners": []}


async def test_stats_aggregate_users_and_items(client: AsyncClient) -> None:
    ada = await create_user(client)
    grace = await create_user(client, email="grace@example.com", is_active=False)
    await create_user(client, email="idle@example.com")
    for n in range(3):
        await create_item(client, ada["id"], title=f"Ada {n}")
    await create_item(client, grace["id"])
    stats = (await client.get("/api/v1/stats")).json()
    assert (stats["users"], stats["active_users"], stats["items"]) == (3, 2, 4)
    assert stats["top_owners"] == [
        {"user_id": ada["id"], "email": "ada@example.com", "item_count": 3},
        {"user_id": grace["id"], "email": "grace@example.com", "item_count": 1},
    ]
