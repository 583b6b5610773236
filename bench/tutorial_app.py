"""The app a user would write by hand from FastAPI's and SQLAlchemy's own tutorials, for bench/throughput.py.

The same `users` table the generated app reads, served the way the two tutorials show it: an async engine
and `async_sessionmaker` (SQLAlchemy's asyncio guide), a `yield` dependency that hands each request its
session (FastAPI's "Dependencies with yield"), a mapped class, `session.get` for one user and
`select(User).order_by(User.id).offset(offset).limit(limit)` for a page (FastAPI's SQL tutorial's
`offset` and `limit` parameters; the benchmark asks for `limit=10`), each returned through a response model
(FastAPI's "Response Model"). No validation of its own, no error handlers, no middleware: what a reader of
the tutorials has after the last page, the anchor the generated app is compared with.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/dbgen_bench uvicorn bench.tutorial_app:app
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ["DATABASE_URL"])
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    full_name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool]
    is_superuser: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str | None
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


@app.get("/users/{user_id}", response_model=UserRead)
async def read_user(user_id: int, session: SessionDep) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


@app.get("/users/", response_model=list[UserRead])
async def read_users(session: SessionDep, offset: int = 0, limit: Annotated[int, Query(le=100)] = 100) -> list[User]:
    result = await session.scalars(select(User).order_by(User.id).offset(offset).limit(limit))
    return list(result.all())
