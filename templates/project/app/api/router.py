"""Every resource router under /api/v1; add-model adds one line per resource."""

from fastapi import APIRouter

from app.api.routes import items, stats, users

api_router = APIRouter()
api_router.include_router(users.router)
api_router.include_router(items.router)
api_router.include_router(stats.router)
# dbgen: routers (add-model registers new routers above this line)
