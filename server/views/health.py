"""``/healthz`` for load balancers and operators: database, fan-out, and which node answered."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import QueuePool, text
from sqlalchemy.ext.asyncio import AsyncEngine

from server import keys

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0


async def database_ok(request: web.Request) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            async with request.app[keys.ENGINE].connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as error:
        log.warning("health: database check failed: %r", error)
        return False
    return True


async def fanout_status(request: web.Request) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            return dict(await request.app[keys.LIVE].fanout_status())
    except Exception as error:
        log.warning("health: fan-out check failed: %r", error)
        return {"ok": False, "mode": "unknown"}


def pool_status(engine: AsyncEngine) -> dict[str, int] | None:
    """Connections in use and at rest in the node's pool; None for a pool that keeps none.

    ``checked_out`` near ``size + max_overflow`` means events queue for a connection.
    """
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    return {
        "size": pool.size(),
        "checked_out": pool.checkedout(),
        "idle": pool.checkedin(),
        "overflow": max(0, pool.overflow()),
    }


async def healthz(request: web.Request) -> web.Response:
    """200 when this node can serve a class, 503 (same body) when it cannot.

    Besides the verdict: how late the event loop runs and how busy the database pool is, the
    two figures that show a saturated node before its clients time out.
    """
    db_ok = await database_ok(request)
    fanout = await fanout_status(request)
    healthy = db_ok and bool(fanout.get("ok"))
    engine = request.app[keys.ENGINE]
    body = {
        "status": "ok" if healthy else "degraded",
        "database": {"ok": db_ok, "backend": engine.dialect.name, "pool": pool_status(engine)},
        "fanout": fanout,
        "event_loop": request.app[keys.LOOP_LAG].status(),
        "node": request.app[keys.NODE_ID],
    }
    return web.json_response(body, status=200 if healthy else 503)
