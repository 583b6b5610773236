"""Where a generated GET by id spends its time: the same read, with FastAPI's layers added one at a time.

Served by bench/throughput.py from inside the generated project (it imports the project's `app` package):

- /layers/constant/{id}: FastAPI returning a constant, no database (the framework's ceiling)
- /layers/query/{id}: plus the generated read (app.db.reads) and UserRead, no dependencies
- /layers/dependency/{id}: plus a plain async dependency that builds the UserRepository
- /layers/session/{id}: plus the request's session dependency (and the SessionScope middleware that
  closes it, which every layer here passes through), as the generated routes have it
"""

from typing import Annotated, Any

from app.api.deps import IdPath, Users
from app.db.engine import SessionFactory, SessionScope, reads
from app.models import User
from app.repositories.base import by_id
from app.repositories.user import UserRepository
from app.schemas.user import UserRead
from fastapi import Depends, FastAPI, HTTPException

app = FastAPI()
app.add_middleware(SessionScope)


@app.get("/layers/constant/{user_id}")
async def constant(user_id: IdPath) -> dict[str, Any]:
    return {"id": user_id, "email": "user@example.com", "full_name": None, "is_active": True}


@app.get("/layers/query/{user_id}")
async def query(user_id: IdPath) -> UserRead:
    rows = await reads.rows(by_id(User), id=user_id)
    if not rows:
        raise HTTPException(404)
    return UserRead.model_validate(rows[0])


async def repository() -> UserRepository:
    return UserRepository(SessionFactory())  # never used for a query, so nothing to close


@app.get("/layers/dependency/{user_id}")
async def dependency(user_id: IdPath, users: Annotated[UserRepository, Depends(repository)]) -> UserRead:
    row = await users.read(user_id)
    if row is None:
        raise HTTPException(404)
    return UserRead.model_validate(row)


@app.get("/layers/session/{user_id}")
async def session(user_id: IdPath, users: Users) -> UserRead:
    row = await users.read(user_id)
    if row is None:
        raise HTTPException(404)
    return UserRead.model_validate(row)
