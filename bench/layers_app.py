"""Where a generated GET by id spends its time: the same read, with FastAPI's layers added one at a time.

Served by bench/throughput.py from inside the generated project (it imports the project's `app` package).
Served with the generated app's own lifespan: every route but the first reads through the engine it
makes (its pool and statement timeout), with the generated repository and `UserRead`:

- /layers/constant/{id}: FastAPI returning a constant, no database (the framework's ceiling)
- /layers/query/{id}: plus the generated read, `UserRepository(session).get(id)` in a session and
  transaction the route opens itself, as `get_session` does; no dependencies
- /layers/dependency/{id}: the same, with the repository built by a plain async dependency
- /layers/session/{id}: the generated route's own parameters, `Users`: the repository on the request's
  `SessionDep` (a `yield` dependency)
"""

from typing import Annotated, Any

from app.api.common import get_or_404
from app.api.deps import IdPath, Users
from app.core.config import get_settings
from app.main import lifespan
from app.repositories.user import UserRepository
from app.schemas.user import UserRead
from fastapi import Depends, FastAPI, Request

app = FastAPI(lifespan=lifespan)
app.state.settings = get_settings()


@app.get("/layers/constant/{user_id}")
async def constant(user_id: IdPath) -> dict[str, Any]:
    return {"id": user_id, "email": "user@example.com", "full_name": None, "is_active": True}


@app.get("/layers/query/{user_id}")
async def query(user_id: IdPath, request: Request) -> UserRead:
    async with request.app.state.sessions.begin() as session:
        return UserRead.model_validate(await get_or_404(UserRepository(session), user_id))


async def repository(request: Request) -> UserRepository:
    return UserRepository(request.app.state.sessions())  # the route closes its session


@app.get("/layers/dependency/{user_id}")
async def dependency(user_id: IdPath, users: Annotated[UserRepository, Depends(repository)]) -> UserRead:
    async with users.session, users.session.begin():
        return UserRead.model_validate(await get_or_404(users, user_id))


@app.get("/layers/session/{user_id}")
async def session(user_id: IdPath, users: Users) -> UserRead:
    return UserRead.model_validate(await get_or_404(users, user_id))
