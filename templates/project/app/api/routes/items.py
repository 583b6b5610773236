from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import AfterValidator, Field

from app.api.deps import IdPath, Items, Users
from app.core.errors import missing_reference
from app.schemas.common import MAX_PAGE_SIZE, Id, Order, Page, storable
from app.schemas.item import ItemCreate, ItemRead, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"])

ItemSort = Literal["id", "title", "created_at"]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No item with this id"}}


async def _check_owners(users: Users, owner_ids: set[Id]) -> None:
    """A missing owner is the client's mistake (422), reported before anything is written."""
    for owner_id in sorted(owner_ids):
        if await users.get(owner_id) is None:
            raise missing_reference("owner_id", owner_id, "user")


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_item(item: ItemCreate, items: Items, users: Users) -> ItemRead:
    await _check_owners(users, {item.owner_id})
    return ItemRead.model_validate(await items.create(item.model_dump()))


@router.post("/bulk", status_code=status.HTTP_201_CREATED)
async def create_items(
    payload: Annotated[list[ItemCreate], Field(min_length=1, max_length=MAX_PAGE_SIZE)], items: Items, users: Users
) -> list[ItemRead]:
    """Create several items in one transaction: all of them, or none."""
    await _check_owners(users, {item.owner_id for item in payload})
    created = await items.create_many(item.model_dump() for item in payload)
    return [ItemRead.model_validate(i) for i in created]


@router.get("")
async def list_items(
    items: Items,
    q: Annotated[
        str | None,
        Query(max_length=255, description="Case-insensitive text in title or description"),
        AfterValidator(storable),
    ] = None,
    owner_id: Id | None = None,
    sort_by: ItemSort = "id",
    order: Order = "asc",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[ItemRead]:
    """Search, filter by owner, sort and page through items."""
    found, total = await items.find(
        filters={"owner_id": owner_id}, search=q, sort_by=sort_by, order=order, limit=limit, offset=offset
    )
    return Page(items=[ItemRead.model_validate(i) for i in found], total=total, limit=limit, offset=offset)


@router.get("/{item_id}", responses=NOT_FOUND)
async def read_item(item_id: IdPath, items: Items) -> ItemRead:
    item = await items.read(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    return ItemRead.model_validate(item)


@router.patch("/{item_id}", responses=NOT_FOUND)
async def update_item(item_id: IdPath, changes: ItemUpdate, items: Items, users: Users) -> ItemRead:
    item = await items.get(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    values = changes.model_dump(exclude_unset=True)
    if "owner_id" in values:
        await _check_owners(users, {values["owner_id"]})
    return ItemRead.model_validate(await items.update(item, values))


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_item(item_id: IdPath, items: Items) -> None:
    if not await items.delete(item_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
