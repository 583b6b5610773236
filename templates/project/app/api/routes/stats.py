from fastapi import APIRouter

from app.api.access import FORBIDDEN, UNAUTHORIZED, CurrentSuperuser
from app.api.deps import StatsRepo
from app.schemas.stats import Stats

router = APIRouter(prefix="/stats", tags=["stats"], responses=UNAUTHORIZED | FORBIDDEN)


@router.get("")
async def read_stats(stats: StatsRepo, _: CurrentSuperuser) -> Stats:
    """Totals and the users with the most items, aggregated by the database; for superusers."""
    return await stats.collect()
