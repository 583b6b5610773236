from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from app.schemas.common import Id, ReadModel


class ItemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=10_000)
    owner_id: Id


class ItemUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=10_000)
    owner_id: Id | None = None

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
