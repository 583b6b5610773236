from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field

from app.schemas.common import Body, Id, Omittable, ReadModel, SearchQuery

UserSort = Literal["id", "email", "full_name", "created_at"]


class UserCreate(Body):
    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    full_name: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    is_superuser: bool = False  # only a superuser may set it


class UserUpdate(Body):
    """Only the fields sent change; a field that cannot be empty may be left out, but not sent as null."""

    email: Omittable[EmailStr] = None
    password: Omittable[Annotated[str, Field(min_length=8, max_length=128)]] = None
    full_name: str | None = Field(default=None, max_length=255)
    is_active: Omittable[bool] = None
    is_superuser: Omittable[bool] = None


class UserRead(ReadModel):
    """What the API returns; the password hash is never part of it."""

    id: Id
    # Checked by UserCreate and UserUpdate on the way in, so not validated again on every read; the
    # schema still says what it is.
    email: str = Field(json_schema_extra={"format": "email"})
    full_name: str | None
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime


class UserQuery(SearchQuery):
    """`q` looks in email and full name."""

    sort_by: UserSort = "id"
    is_active: bool | None = None
    is_superuser: bool | None = None
