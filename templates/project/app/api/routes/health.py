from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import Database
from app.db.engine import ping

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "The database is unreachable"}})
async def health(database: Database) -> JSONResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    try:
        await ping(database)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
