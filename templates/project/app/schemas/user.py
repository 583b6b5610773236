from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, ValidationInfo, field_validator
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.schemas.common import Body, Id, Omittable, ReadModel, SearchQuery

UserSort = Literal["id", "email", "full_name", "created_at"]

# NIST SP 800-63B: no length rule beyond 8-128 and no composition rules, but no password that attackers try
# first. The 30,000 most common passwords of leaked password sets, shipped with zxcvbn (offline).
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def _not_common(password: str) -> str:
    if not password.strip():
        raise ValueError("must not be only spaces")
    if password.lower() in COMMON_PASSWORDS:
        raise ValueError("is one of the most common passwords; choose another")
    return password


Password = Annotated[str, Field(min_length=8, max_length=128), AfterValidator(_not_common)]


def password_problem(password: str | None, email: str | None) -> str | None:
    """Why this password may not be this account's: it contains the email, or its local part (of 4
    characters or more); None if it may."""
    if password is None or email is None:
        return None
    local = email.partition("@")[0].lower()
    if email.lower() in password.lower() or (len(local) >= 4 and local in password.lower()):
        return "must not contain the account's email or the part before its @"
    return None


class UserCreate(Body):
    email: EmailStr
    password: Password
    full_name: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    is_superuser: bool = False  # only a superuser may set it

    @field_validator("password")
    @classmethod
    def password_is_not_the_email(cls, password: str, info: ValidationInfo) -> str:
        if problem := password_problem(password, info.data.get("email")):
            raise ValueError(problem)
        return password


class UserUpdate(Body):
    """Only the fields sent change; a field that cannot be empty may be left out, but not sent as null."""

    email: Omittable[EmailStr] = None
    password: Omittable[Password] = None
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
