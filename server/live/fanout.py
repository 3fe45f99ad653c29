"""The only place that knows whether this node is alone or one of many.

Alone (no ``redis_url``): socket.io's in-process manager and in-memory presence.
Many: ``socketio.AsyncRedisManager`` publishes every emit and remote disconnect on a Redis
channel all nodes listen to, and presence lives in Redis. The rest of ``server.live`` only
sees a client manager and a ``PresenceStore``.

Both managers add ``disconnect_room``, which python-socketio lacks (socket.io's own servers
call it ``disconnectSockets``): cut every socket of a room on every node. A revoked login is
the reason: the REST call revoking it lands on any node, the sockets may be on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import socketio

from server.live.presence import MemoryPresence, PresenceStore, RedisPresence
from server.settings import Settings

STOP_ATTEMPTS = 5
STOP_WAIT_SECONDS = 0.2

log = logging.getLogger(__name__)

# Called on the node holding a socket just before ``disconnect_room`` cuts it: (sid, reason).
RoomDisconnectHook = Callable[[str, str], Awaitable[None]]


class RoomDisconnects(socketio.AsyncManager):
    """socket.io's in-process manager, plus ``disconnect_room``.

    ``before_disconnect`` lets the application say goodbye to each socket and record why it
    goes (the live class closes attendance as ``removed``, not as a network loss); the manager
    then disconnects it as ``AsyncServer.disconnect`` does.
    """

    before_disconnect: RoomDisconnectHook | None = None

    async def disconnect_room(self, room: str, namespace: str, reason: str) -> None:
        """Disconnect every socket in ``room``; on every node when there are several."""
        await self.disconnect_room_here(room, namespace, reason)

    async def disconnect_room_here(self, room: str, namespace: str, reason: str) -> None:
        """Disconnect this node's sockets in ``room``, each one on its own."""
        for sid, _ in list(self.get_participants(namespace, room)):
            try:
                if self.before_disconnect is not None:
                    await self.before_disconnect(sid, reason)
                await self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
            except Exception:
                log.exception("could not disconnect socket %s of room %s", sid, room)


class RedisManager(RoomDisconnects, socketio.AsyncRedisManager):
    """``socketio.AsyncRedisManager`` with ``disconnect_room`` published to the other nodes.

    It travels as the manager's own ``disconnect`` message addressed to a room instead of a
    socket, as its ``emit`` messages are: the listener already hands every ``disconnect`` to
    ``_handle_disconnect``, and a node without this class finds no socket ``None`` and does
    nothing. Like every publish, it is given up after two failed tries: a node that misses it
    still refuses the revoked login at its next connect or join.
    """

    async def disconnect_room(self, room: str, namespace: str, reason: str) -> None:
        await self.disconnect_room_here(room, namespace, reason)
        await self._publish(
            {
                "method": "disconnect",
                "sid": None,
                "room": room,
                "reason": reason,
                "namespace": namespace,
                "host_id": self.host_id,
            }
        )

    async def _handle_disconnect(self, message: dict[str, Any]) -> None:
        room = message.get("room")
        if not isinstance(room, str):
            await super()._handle_disconnect(message)
            return
        namespace = message.get("namespace") or "/"
        await self.disconnect_room_here(room, namespace, str(message.get("reason") or ""))


@dataclass
class Fanout:
    mode: Literal["local", "redis"]
    manager: RoomDisconnects
    presence: PresenceStore
    channel: str | None = None

    async def disconnect_room(self, room: str, namespace: str, reason: str) -> None:
        await self.manager.disconnect_room(room, namespace, reason)

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
        return Fanout(mode="local", manager=RoomDisconnects(), presence=MemoryPresence())
    channel = settings.fanout_channel
    return Fanout(
        mode="redis",
        manager=RedisManager(settings.redis_url, channel=channel),
        presence=RedisPresence(settings.redis_url, prefix=f"newssem:{channel}", node_id=node_id),
        channel=channel,
    )
