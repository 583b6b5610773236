from fastapi import APIRouter

from app.api.deps import StatsRepo
from app.schemas.stats import Stats

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("")
async def read_stats(stats: StatsRepo) -> Stats:
    """Totals and the users with the most items, aggregated by the database."""
    return await stats.collect()
