from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.schemas.common import Body, Id, ReadModel


class ItemCreate(Body):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=10_000)
    owner_id: Id


class ItemUpdate(Body):
    """Only the fields sent change; a field that cannot be empty may be left out, but not sent as null."""

    title: Annotated[str, Field(min_length=1, max_length=255)] | SkipJsonSchema[None] = None
    description: str | None = Field(default=None, max_length=10_000)
    owner_id: Id | SkipJsonSchema[None] = None

    @field_validator("title", "owner_id")
    @classmethod
    def not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class ItemRead(ReadModel):
    id: Id
    title: str
    description: str | None
    owner_id: Id
    created_at: datetime
    updated_at: datetime
