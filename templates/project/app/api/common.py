"""What the routes of every resource share: their documented error answers, and a record or a 404."""

from typing import Any, Protocol, TypeVar

from fastapi import HTTPException, status

from app.schemas.common import Message

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Message, "description": "No record with this id"}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Message, "description": "Clashes with existing data: a unique value, or a record referred to"}
}


class Repository(Protocol[T_co]):
    @property
    def label(self) -> str: ...

    async def get(self, id: Any, **filters: Any) -> T_co | None: ...


async def get_or_404(repository: Repository[T], id: Any, **filters: Any) -> T:
    """The record with this id (and these field values: the caller's scope), or a 404 that names what was
    looked for. A record outside the scope is a 404 too, so that ids do not tell what exists."""
    found = await repository.get(id, **filters)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{repository.label.capitalize()} not found")
    return found
