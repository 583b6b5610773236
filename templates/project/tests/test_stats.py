from httpx import AsyncClient

from tests.conftest import create_item, create_user


async def test_stats_without_items(client: AsyncClient) -> None:
    response = await client.get("/api/v1/stats")
    assert response.status_code == 200
    stats = response.json()
    assert stats["items"] == 0 and stats["top_owners"] == []
    assert stats["users"] == stats["active_users"]  # only the superuser who asks, if login is on


async def test_stats_aggregate_users_and_items(client: AsyncClient) -> None:
    before = (await client.get("/api/v1/stats")).json()
    ada = await create_user(client)
    grace = await create_user(client, email="grace@example.com", is_active=False)
    await create_user(client, email="idle@example.com")
    for n in range(3):
        await create_item(client, ada["id"], title=f"Ada {n}")
    await create_item(client, grace["id"])
    stats = (await client.get("/api/v1/stats")).json()
    assert stats["users"] - before["users"] == 3
    assert stats["active_users"] - before["active_users"] == 2
    assert stats["items"] == 4
    assert stats["top_owners"] == [
        {"user_id": ada["id"], "email": "ada@example.com", "item_count": 3},
        {"user_id": grace["id"], "email": "grace@example.com", "item_count": 1},
    ]
