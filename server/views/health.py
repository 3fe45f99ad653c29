"""``/healthz`` for load balancers and operators: database, fan-out, and which node answered."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text

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


async def healthz(request: web.Request) -> web.Response:
    """200 when this node can serve a class, 503 (same body) when it cannot."""
    db_ok = await database_ok(request)
    fanout = await fanout_status(request)
    healthy = db_ok and bool(fanout.get("ok"))
    body = {
        "status": "ok" if healthy else "degraded",
        "database": {"ok": db_ok, "backend": request.app[keys.ENGINE].dialect.name},
        "fanout": fanout,
        "node": request.app[keys.NODE_ID],
    }
    return web.json_response(body, status=200 if healthy else 503)
