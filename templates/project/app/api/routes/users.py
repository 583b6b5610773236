from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import AfterValidator, Field

from app.api.deps import IdPath, Users
from app.core.errors import Conflict
from app.core.security import hash_password
from app.schemas.common import MAX_PAGE_SIZE, Order, Page, storable
from app.schemas.item import ItemRead
from app.schemas.user import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])

UserSort = Literal["id", "email", "full_name", "created_at"]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No user with this id"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "A user with this email already exists"}}
# Each new user costs an Argon2 hash, by design tens of milliseconds of CPU and 64 MiB: one bulk request
# creates at most this many, so that it cannot hold the server for seconds.
MAX_BULK_USERS = 10


async def _row(user: UserCreate) -> dict[str, object]:
    values = user.model_dump(exclude={"password"})
    values["hashed_password"] = await hash_password(user.password)
    return values


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_user(user: UserCreate, users: Users) -> UserRead:
    """Create a user; the password is stored only as an Argon2 hash."""
    return UserRead.model_validate(await users.create(await _row(user)))


@router.post("/bulk", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_users(
    payload: Annotated[list[UserCreate], Field(min_length=1, max_length=MAX_BULK_USERS)], users: Users
) -> list[UserRead]:
    """Create up to 10 users (each one costs a password hash) in one transaction: all of them, or none."""
    if len({user.email for user in payload}) < len(payload):
        raise Conflict("the same email appears more than once in the request")  # refused before any hashing
    rows = [await _row(user) for user in payload]
    return [UserRead.model_validate(u) for u in await users.create_many(rows)]


@router.get("")
async def list_users(
    users: Users,
    q: Annotated[
        str | None,
        Query(max_length=255, description="Case-insensitive text in email or name"),
        AfterValidator(storable),
    ] = None,
    is_active: bool | None = None,
    sort_by: UserSort = "id",
    order: Order = "asc",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[UserRead]:
    """Search, filter, sort and page through users."""
    found, total = await users.find(
        filters={"is_active": is_active}, search=q, sort_by=sort_by, order=order, limit=limit, offset=offset
    )
    return Page(items=[UserRead.model_validate(u) for u in found], total=total, limit=limit, offset=offset)


@router.get("/{user_id}", responses=NOT_FOUND)
async def read_user(user_id: IdPath, users: Users) -> UserRead:
    user = await users.read(user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return UserRead.model_validate(user)


@router.get("/{user_id}/items", responses=NOT_FOUND)
async def read_user_items(user_id: IdPath, users: Users) -> list[ItemRead]:
    """The user's items, loaded eagerly with the user."""
    items = await users.items_of(user_id)
    if items is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    return [ItemRead.model_validate(item) for item in items]


@router.patch("/{user_id}", responses=NOT_FOUND | CONFLICT)
async def update_user(user_id: IdPath, changes: UserUpdate, users: Users) -> UserRead:
    """Change only the fields sent."""
    user = await users.get(user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    values = changes.model_dump(exclude_unset=True, exclude={"password"})
    if changes.password is not None:
        values["hashed_password"] = await hash_password(changes.password)
    return UserRead.model_validate(await users.update(user, values))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_user(user_id: IdPath, users: Users) -> None:
    """Delete a user and, with them, their items."""
    if not await users.delete(user_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
