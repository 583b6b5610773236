"""Every resource router under /api/v1; add-model adds one line at each marker."""

from fastapi import APIRouter

from app.api.routes.items import router as items_router
from app.api.routes.stats import router as stats_router
from app.api.routes.users import router as users_router

# dbgen: router imports

api_router = APIRouter()
api_router.include_router(users_router)
api_router.include_router(items_router)
api_router.include_router(stats_router)
# dbgen: routers
