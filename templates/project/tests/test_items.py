from datetime import datetime
from typing import get_args

import pytest
from httpx import AsyncClient

from app.repositories.item import ItemRepository
from app.schemas import common
from app.schemas.item import ItemSort
from tests.conftest import assert_pages_in_order, create_item, create_user, every_page

URL = "/api/v1/items"


async def test_create_read_update_delete(client: AsyncClient) -> None:
    owner = await create_user(client)
    item = await create_item(client, owner["id"], title="Pen")
    assert item["owner_id"] == owner["id"]
    assert (await client.get(f"{URL}/{item['id']}")).json() == item
    updated = await client.patch(f"{URL}/{item['id']}", json={"description": None})
    assert updated.status_code == 200
    assert updated.json()["description"] is None
    assert updated.json()["title"] == "Pen"
    assert (await client.delete(f"{URL}/{item['id']}")).status_code == 204
    assert (await client.get(f"{URL}/{item['id']}")).status_code == 404


async def test_unknown_owner_is_422(client: AsyncClient, missing_id: object) -> None:
    response = await client.post(URL, json={"title": "Orphan", "owner_id": missing_id})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "owner_id"]
    owner = await create_user(client)
    item = await create_item(client, owner["id"])
    moved = await client.patch(f"{URL}/{item['id']}", json={"owner_id": missing_id})
    assert moved.status_code == 422


async def test_missing_item_is_404(client: AsyncClient, missing_id: object) -> None:
    assert (await client.get(f"{URL}/{missing_id}")).status_code == 404
    assert (await client.patch(f"{URL}/{missing_id}", json={"title": "x"})).status_code == 404
    assert (await client.delete(f"{URL}/{missing_id}")).status_code == 404


async def test_a_field_the_schema_does_not_know_is_422(client: AsyncClient) -> None:
    """Refused by name, not dropped in silence: the client learns of a misspelt or forbidden field."""
    owner = await create_user(client)
    created = await client.post(URL, json={"title": "Pen", "owner_id": owner["id"], "colour": "red"})
    assert created.status_code == 422
    assert [error["loc"] for error in created.json()["detail"]] == [["body", "colour"]]
    item = await create_item(client, owner["id"])
    changed = await client.patch(f"{URL}/{item['id']}", json={"titel": "Pencil"})
    assert changed.status_code == 422
    assert [error["loc"] for error in changed.json()["detail"]] == [["body", "titel"]]


async def test_null_title_is_422(client: AsyncClient) -> None:
    owner = await create_user(client)
    item = await create_item(client, owner["id"])
    assert (await client.patch(f"{URL}/{item['id']}", json={"title": None})).status_code == 422


async def test_list_filters_searches_and_sorts(client: AsyncClient) -> None:
    ada = await create_user(client)
    grace = await create_user(client, email="grace@example.com")
    await create_item(client, ada["id"], title="Banana bread", description="warm")
    await create_item(client, ada["id"], title="Apple pie", description=None)
    await create_item(client, grace["id"], title="Cherry tart", description="BREAD-like crust")
    mine = (await client.get(URL, params={"owner_id": ada["id"], "sort_by": "title", "count": "true"})).json()
    assert [i["title"] for i in mine["items"]] == ["Apple pie", "Banana bread"]
    assert mine["total"] == 2
    found = (await client.get(URL, params={"q": "bread", "sort_by": "title", "order": "desc"})).json()
    assert [i["title"] for i in found["items"]] == ["Cherry tart", "Banana bread"]
    assert (await client.get(URL, params={"sort_by": "owner_id"})).status_code == 422


def test_sort_whitelist_matches_repository() -> None:
    assert set(get_args(ItemSort)) == set(ItemRepository.sortable)


async def test_bulk_create(client: AsyncClient, missing_id: object) -> None:
    owner = await create_user(client)
    bodies = [{"title": f"Thing {n}", "owner_id": owner["id"]} for n in range(3)]
    response = await client.post(f"{URL}/bulk", json=bodies)
    assert response.status_code == 201
    assert [i["title"] for i in response.json()] == ["Thing 0", "Thing 1", "Thing 2"]
    orphan = [{"title": "Lost", "owner_id": missing_id}]
    assert (await client.post(f"{URL}/bulk", json=orphan)).status_code == 422
    assert len((await client.get(URL)).json()["items"]) == 3


async def test_totals_are_counted_up_to_the_count_limit(client: AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "COUNT_LIMIT", 3)
    owner = await create_user(client)
    bodies = [{"title": f"Thing {n}", "owner_id": owner["id"]} for n in range(5)]
    assert (await client.post(f"{URL}/bulk", json=bodies)).status_code == 201
    page = (await client.get(URL, params={"limit": 2, "count": "true"})).json()
    assert (page["total"], page["total_capped"], len(page["items"])) == (3, True, 2)
    page = (await client.get(URL, params={"limit": 2, "offset": 4, "count": "true"})).json()
    assert (page["total"], page["total_capped"], len(page["items"])) == (3, True, 1)
    page = (await client.get(URL, params={"limit": 2, "q": "Thing 1", "count": "true"})).json()
    assert (page["total"], page["total_capped"]) == (1, False)


async def test_cursor_pages_newest_first(client: AsyncClient) -> None:
    owner = await create_user(client)
    bodies = [{"title": f"Thing {n}", "owner_id": owner["id"]} for n in range(5)]
    created = (await client.post(f"{URL}/bulk", json=bodies)).json()
    await create_item(client, owner["id"], title="Newest")
    seen = await every_page(client, URL, sort_by="created_at", order="desc", limit=2)
    assert seen[0]["title"] == "Newest"
    assert sorted(i["id"] for i in seen[1:]) == sorted(i["id"] for i in created)


@pytest.mark.parametrize("sort_by", get_args(ItemSort))
async def test_every_sort_key_pages_in_order(client: AsyncClient, sort_by: str) -> None:
    """Distinct and tied values: page after page by `next`, in both orders, every item once, in order."""
    owner = await create_user(client)
    for title in ["bravo", "alpha", "charlie", "bravo", "alpha", "delta", "bravo"]:
        await create_item(client, owner["id"], title=title)
    await assert_pages_in_order(client, URL, sort_by, datetime.fromisoformat if sort_by == "created_at" else None)
