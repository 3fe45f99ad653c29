"""Typed application keys: everything a handler may take from the aiohttp app."""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.loop_lag import LoopLagMonitor
from server.settings import Settings


class LiveRooms(Protocol):
    """What the REST layer needs from the live-class layer (``server.live``)."""

    async def session_ended(self, session_id: int) -> None:
        """Tell everyone in the room the session ended and disconnect them."""

    async def account_deactivated(self, user_id: int) -> None:
        """Cut every socket of this person, on every node (their logins are revoked)."""

    async def login_revoked(self, token_id: int) -> None:
        """Cut every socket opened with this login (auth token), on every node."""

    async def fanout_status(self) -> dict[str, Any]:
        """``{"ok": bool, "mode": "local" | "redis"}`` for ``/healthz``."""


SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
DB = web.AppKey("db", async_sessionmaker[AsyncSession])
LIVE = web.AppKey("live", LiveRooms)
NODE_ID = web.AppKey("node_id", str)
LOOP_LAG = web.AppKey("loop_lag", LoopLagMonitor)
