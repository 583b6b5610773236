from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from app.schemas.common import Body, Id, Omittable, ReadModel, SearchQuery

ItemSort = Literal["id", "title", "created_at"]


class ItemCreate(Body):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=10_000)
    owner_id: Id


class ItemUpdate(Body):
    """Only the fields sent change; a field that cannot be empty may be left out, but not sent as null."""

    title: Omittable[Annotated[str, Field(min_length=1, max_length=255)]] = None
    description: str | None = Field(default=None, max_length=10_000)
    owner_id: Omittable[Id] = None


class ItemRead(ReadModel):
    id: Id
    title: str
    description: str | None
    owner_id: Id
    created_at: datetime
    updated_at: datetime


class ItemQuery(SearchQuery):
    """`q` looks in title and description."""

    sort_by: ItemSort = "id"
    owner_id: Id | None = None


class OwnedItemQuery(SearchQuery):
    """A user's items: the owner is in the path."""

    sort_by: ItemSort = "id"
