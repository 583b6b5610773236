from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import Field

from app.api.access import FORBIDDEN, UNAUTHORIZED, CallerDep
from app.api.common import CONFLICT, NOT_FOUND, get_or_404
from app.api.deps import IdPath, Items, Users
from app.core.errors import missing_reference
from app.schemas.common import MAX_PAGE_SIZE, Id, Page
from app.schemas.item import ItemCreate, ItemQuery, ItemRead, ItemUpdate

# Items belong to users: a normal user sees and changes only their own (someone else's is a 404, so that
# ids do not tell what exists); superusers see all of them.
router = APIRouter(prefix="/items", tags=["items"], responses=UNAUTHORIZED | FORBIDDEN)


async def _check_owners(users: Users, owner_ids: set[Id]) -> None:
    """A missing owner is the client's mistake (422), found in one query and reported before any write."""
    missing = await users.missing(owner_ids)
    if missing:
        raise missing_reference("owner_id", missing[0], "user")


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_item(item: ItemCreate, items: Items, users: Users, caller: CallerDep) -> ItemRead:
    values = item.model_dump() | {"owner_id": caller.owner(item.owner_id)}
    await _check_owners(users, {values["owner_id"]})
    return ItemRead.model_validate(await items.create(values))


@router.post("/bulk", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_items(
    payload: Annotated[list[ItemCreate], Field(min_length=1, max_length=MAX_PAGE_SIZE)],
    items: Items,
    users: Users,
    caller: CallerDep,
) -> list[ItemRead]:
    """Create several items in one transaction: all of them, or none."""
    rows = [item.model_dump() | {"owner_id": caller.owner(item.owner_id)} for item in payload]
    await _check_owners(users, {row["owner_id"] for row in rows})
    return [ItemRead.model_validate(i) for i in await items.create_many(rows)]


@router.get("")
async def list_items(items: Items, query: Annotated[ItemQuery, Query()], caller: CallerDep) -> Page[ItemRead]:
    """Search, filter by owner, sort and page through items."""
    found = await items.find(query, **caller.scope)
    return Page[ItemRead](items=found.items, next=found.next, total=found.total)


@router.get("/{item_id}", responses=NOT_FOUND)
async def read_item(item_id: IdPath, items: Items, caller: CallerDep) -> ItemRead:
    return ItemRead.model_validate(await get_or_404(items, item_id, **caller.scope))


@router.patch("/{item_id}", responses=NOT_FOUND | CONFLICT)
async def update_item(item_id: IdPath, changes: ItemUpdate, items: Items, users: Users, caller: CallerDep) -> ItemRead:
    """Change only the fields sent."""
    item = await get_or_404(items, item_id, **caller.scope)
    values = changes.model_dump(exclude_unset=True)
    if "owner_id" in values:
        values["owner_id"] = caller.owner(values["owner_id"])
        await _check_owners(users, {values["owner_id"]})
    return ItemRead.model_validate(await items.update(item, values))


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_item(item_id: IdPath, items: Items, caller: CallerDep) -> None:
    await get_or_404(items, item_id, **caller.scope)
    await items.delete(item_id)
