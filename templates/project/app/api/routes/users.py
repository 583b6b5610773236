from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import Field

from app.api.access import FORBIDDEN, UNAUTHORIZED, CallerDep, CurrentSuperuser, Registrar
from app.api.common import CONFLICT, NOT_FOUND, get_or_404
from app.api.deps import IdPath, Items, PasswordsDep, Users
from app.core.errors import Conflict, invalid
from app.core.security import Passwords
from app.schemas.common import Page
from app.schemas.item import ItemRead, OwnedItemQuery
from app.schemas.user import UserCreate, UserQuery, UserRead, UserUpdate, password_problem

router = APIRouter(prefix="/users", tags=["users"], responses=UNAUTHORIZED | FORBIDDEN)

# Each new user costs an Argon2 hash, by design tens of milliseconds of CPU and 64 MiB: one bulk request
# creates at most this many, so that it cannot hold the server for seconds.
MAX_BULK_USERS = 10


async def _row(user: UserCreate, passwords: Passwords) -> dict[str, object]:
    values = user.model_dump(exclude={"password"})
    values["hashed_password"] = await passwords.hash(user.password)
    return values


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_user(user: UserCreate, users: Users, passwords: PasswordsDep, registrar: Registrar) -> UserRead:
    """Create a user; the password is stored only as an Argon2 hash. Superusers create users, and anyone
    may sign up while OPEN_SIGNUP=true; only a superuser makes a superuser."""
    if user.is_superuser and not registrar.is_superuser:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only a superuser may create a superuser")
    return UserRead.model_validate(await users.create(await _row(user, passwords)))


@router.post("/bulk", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_users(
    payload: Annotated[list[UserCreate], Field(min_length=1, max_length=MAX_BULK_USERS)],
    users: Users,
    passwords: PasswordsDep,
    _: CurrentSuperuser,
) -> list[UserRead]:
    """Create up to 10 users (each one costs a password hash) in one transaction: all of them, or none."""
    if len({user.email.lower() for user in payload}) < len(payload):
        raise Conflict("the same email appears more than once in the request")  # refused before any hashing
    rows = [await _row(user, passwords) for user in payload]
    return [UserRead.model_validate(u) for u in await users.create_many(rows)]


@router.get("")
async def list_users(users: Users, query: Annotated[UserQuery, Query()], _: CurrentSuperuser) -> Page[UserRead]:
    """Search, filter, sort and page through users."""
    found = await users.find(query)
    return Page[UserRead](items=found.items, next=found.next, total=found.total)


@router.get("/{user_id}", responses=NOT_FOUND)
async def read_user(user_id: IdPath, users: Users, caller: CallerDep) -> UserRead:
    """A user: oneself, or anyone for a superuser."""
    caller.require_self_or_superuser(user_id)
    return UserRead.model_validate(await get_or_404(users, user_id))


@router.get("/{user_id}/items", responses=NOT_FOUND)
async def read_user_items(
    user_id: IdPath, users: Users, items: Items, query: Annotated[OwnedItemQuery, Query()], caller: CallerDep
) -> Page[ItemRead]:
    """The user's items, a page at a time: one's own, or anyone's for a superuser."""
    caller.require_self_or_superuser(user_id)
    await get_or_404(users, user_id)
    found = await items.find(query, owner_id=user_id)
    return Page[ItemRead](items=found.items, next=found.next, total=found.total)


@router.patch("/{user_id}", responses=NOT_FOUND | CONFLICT)
async def update_user(
    user_id: IdPath, changes: UserUpdate, users: Users, passwords: PasswordsDep, _: CurrentSuperuser
) -> UserRead:
    """Change only the fields sent. A new password signs the user out everywhere."""
    user = await get_or_404(users, user_id)
    values = changes.model_dump(exclude_unset=True, exclude={"password"})
    if changes.password is not None:
        if problem := password_problem(changes.password, changes.email or UserRead.model_validate(user).email):
            raise invalid(("body", "password"), problem, None)
        values |= await passwords.new_password(changes.password)
    return UserRead.model_validate(await users.update(user, values))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND | CONFLICT)
async def delete_user(user_id: IdPath, users: Users, _: CurrentSuperuser) -> None:
    """Delete a user and, with them, their items."""
    await get_or_404(users, user_id)
    await users.delete(user_id)
