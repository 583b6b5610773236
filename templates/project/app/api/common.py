"""What the routes of every resource share: their documented error answers, a record or a 404 (or a 403), and
the answer of a list anyone may read and cache."""

import hashlib
from typing import Any, Protocol, TypeVar

from fastapi import HTTPException, Request, Response, status
from pydantic import BaseModel

from app.schemas.common import Message

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Message, "description": "No record with this id"}}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match is still the list's"}
}
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


async def get_to_change(repository: Repository[T], id: Any, **scope: Any) -> T:
    """The record with this id for a caller who may read every record but change only their own (`scope`,
    the caller's): a 404 if there is none, a 403 if it is someone else's."""
    found = await get_or_404(repository, id)
    if scope and await repository.get(id, **scope) is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the owner may change this record")
    return found


# Shared caches may keep a public list, but must ask again before each use: the ETag makes that cheap.
PUBLIC = "public, max-age=0, must-revalidate"


def public(request: Request, body: BaseModel) -> Response:
    """A body anyone may read, with an ETag of its own (a hash of it) and Cache-Control: public; a request whose
    If-None-Match names that ETag is answered 304, without the body."""
    content = body.model_dump_json(by_alias=True).encode()
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": PUBLIC}
    sent = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in sent or "*" in sent:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content, media_type="application/json", headers=headers)
