"""The only place that knows whether this node is alone or one of many.

Alone (no ``redis_url``): socket.io's default in-process manager and in-memory presence.
Many: ``socketio.AsyncRedisManager`` publishes every emit and remote disconnect on a Redis
channel all nodes listen to, and presence lives in Redis. The rest of ``server.live`` only
sees a client manager and a ``PresenceStore``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass
from typing import Any, Literal

import socketio

from server.live.presence import MemoryPresence, PresenceStore, RedisPresence
from server.settings import Settings

# Every node of one deployment must use the same channel; separate deployments (or test runs)
# sharing a Redis server must not.
CHANNEL_ENV = "NEWSSEM_FANOUT_CHANNEL"
DEFAULT_CHANNEL = "newssem"


def fanout_channel() -> str:
    return os.environ.get(CHANNEL_ENV) or DEFAULT_CHANNEL


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
            thread = getattr(self.manager, "thread", None)
            if isinstance(thread, asyncio.Future):
                thread.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await thread
            client = getattr(self.manager, "redis", None)
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def status(self) -> dict[str, Any]:
        """For ``/healthz``: Redis answering a ping, or always fine when alone."""
        return {"ok": await self.presence.ping(), "mode": self.mode}


def build_fanout(settings: Settings, node_id: str) -> Fanout:
    if not settings.redis_url:
        return Fanout(mode="local", manager=None, presence=MemoryPresence())
    channel = fanout_channel()
    return Fanout(
        mode="redis",
        manager=socketio.AsyncRedisManager(settings.redis_url, channel=channel),
        presence=RedisPresence(settings.redis_url, prefix=f"newssem:{channel}", node_id=node_id),
        channel=channel,
    )
