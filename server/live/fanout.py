"""The only place that knows whether this node is alone or one of many.

Alone (no ``redis_url``): socket.io's default in-process manager and in-memory presence.
Many: ``socketio.AsyncRedisManager`` publishes every emit and remote disconnect on a Redis
channel all nodes listen to, and presence lives in Redis. The rest of ``server.live`` only
sees a client manager and a ``PresenceStore``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Literal

import socketio

from server.live.presence import MemoryPresence, PresenceStore, RedisPresence
from server.settings import Settings

STOP_ATTEMPTS = 5
STOP_WAIT_SECONDS = 0.2

log = logging.getLogger(__name__)


@dataclass
class Fanout:
    mode: Literal["local", "redis"]
    manager: socketio.AsyncManager | None  # None: socket.io's own in-process default
    presence: PresenceStore
    channel: str | None = None

    async def start(self) -> None:
        await self.presence.start()

    async def close(self) -> None:
        """Stop listening on the channel and release the Redis connections."""
        await self.presence.close()
        if isinstance(self.manager, socketio.AsyncRedisManager):
            await stop_listener(self.manager)

    async def status(self) -> dict[str, Any]:
        """For ``/healthz``: Redis answering a ping, or always fine when alone."""
        return {"ok": await self.presence.ping(), "mode": self.mode}


async def stop_listener(manager: socketio.AsyncRedisManager) -> None:
    """Stop the manager's channel listener and close its connections.

    python-socketio offers no way to stop it. Its listener retries on errors and redis-py may
    swallow a cancellation that lands mid-read, so the task is cancelled until it ends, within
    a bound, rather than awaited blindly: a stuck listener must not hang node shutdown.
    """
    thread = getattr(manager, "thread", None)
    if isinstance(thread, asyncio.Future):
        for _ in range(STOP_ATTEMPTS):
            if thread.done():
                break
            thread.cancel()
            await asyncio.wait([thread], timeout=STOP_WAIT_SECONDS)
        if not thread.done():
            log.warning("socket.io Redis listener did not stop")
    for name in ("pubsub", "redis"):
        connection = getattr(manager, name, None)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.aclose()


def build_fanout(settings: Settings, node_id: str) -> Fanout:
    if not settings.redis_url:
        return Fanout(mode="local", manager=None, presence=MemoryPresence())
    channel = settings.fanout_channel
    return Fanout(
        mode="redis",
        manager=socketio.AsyncRedisManager(settings.redis_url, channel=channel),
        presence=RedisPresence(settings.redis_url, prefix=f"newssem:{channel}", node_id=node_id),
        channel=channel,
    )
