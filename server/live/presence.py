"""Who is in which live room right now, and whose hand is up, as seen by every node.

Presence is keyed by socket id: one person with two tabs is two entries, and the participant
list folds them into one. Each entry carries the id of the node holding the socket, so a node
can tell its own entries from others' and clean up after itself when it shuts down.

Two stores share one interface: ``MemoryPresence`` for a single node, and ``RedisPresence``
(a hash per room, a set of raised hands per room, and a heartbeat key per node) for many. A node
that dies without shutting down stops renewing its heartbeat; its entries are then ignored and
swept by whichever node next reads the room, so a crashed node cannot leave ghosts behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import redis.asyncio as redis

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
NODE_TTL_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Presence:
    """One socket in one room."""

    sid: str
    user_id: int
    display_name: str
    role: str | None  # the course role; None for an admin overseeing the course
    node_id: str


class PresenceStore(Protocol):
    """What the namespace needs to know about rooms, wherever the sockets are."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> bool: ...

    async def add(self, session_id: int, entry: Presence) -> None: ...

    async def remove(self, session_id: int, sid: str) -> Presence | None: ...

    async def entries(self, session_id: int) -> list[Presence]: ...

    async def set_hand(self, session_id: int, user_id: int, raised: bool) -> None: ...

    async def clear_hands(self, session_id: int) -> None: ...

    async def raised_hands(self, session_id: int) -> set[int]: ...

    async def forget_room(self, session_id: int) -> None: ...


ROLE_ORDER = {"teacher": 0, "co_teacher": 1, None: 2, "student": 3}


def participants(entries: list[Presence], hands: set[int]) -> list[dict[str, Any]]:
    """The protocol's Participant list: one per user, teachers first, then by name."""
    by_user: dict[int, Presence] = {}
    for entry in entries:
        by_user.setdefault(entry.user_id, entry)
    ordered = sorted(
        by_user.values(), key=lambda e: (ROLE_ORDER.get(e.role, 4), e.display_name, e.user_id)
    )
    return [
        {
            "user_id": entry.user_id,
            "display_name": entry.display_name,
            "role": entry.role,
            "hand_raised": entry.user_id in hands,
            "connected": True,
        }
        for entry in ordered
    ]


class MemoryPresence:
    """One node: plain dictionaries, nothing to share."""

    def __init__(self) -> None:
        self.rooms: dict[int, dict[str, Presence]] = defaultdict(dict)
        self.hands: dict[int, set[int]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> bool:
        return True

    async def add(self, session_id: int, entry: Presence) -> None:
        self.rooms[session_id][entry.sid] = entry

    async def remove(self, session_id: int, sid: str) -> Presence | None:
        room = self.rooms.get(session_id, {})
        entry = room.pop(sid, None)
        if not room:
            self.rooms.pop(session_id, None)
        return entry

    async def entries(self, session_id: int) -> list[Presence]:
        return list(self.rooms.get(session_id, {}).values())

    async def set_hand(self, session_id: int, user_id: int, raised: bool) -> None:
        if raised:
            self.hands[session_id].add(user_id)
        else:
            self.hands[session_id].discard(user_id)

    async def clear_hands(self, session_id: int) -> None:
        self.hands.pop(session_id, None)

    async def raised_hands(self, session_id: int) -> set[int]:
        return set(self.hands.get(session_id, ()))

    async def forget_room(self, session_id: int) -> None:
        self.rooms.pop(session_id, None)
        self.hands.pop(session_id, None)


class RedisPresence:
    """Many nodes: ``<prefix>:room:<id>`` hash sid → entry, ``<prefix>:hands:<id>`` set."""

    def __init__(self, url: str, prefix: str, node_id: str) -> None:
        self.redis = redis.from_url(url, decode_responses=True, socket_connect_timeout=3)
        self.prefix = prefix
        self.node_id = node_id
        self._heartbeat: asyncio.Task[None] | None = None

    def _room(self, session_id: int) -> str:
        return f"{self.prefix}:room:{session_id}"

    def _hands(self, session_id: int) -> str:
        return f"{self.prefix}:hands:{session_id}"

    def _node(self, node_id: str) -> str:
        return f"{self.prefix}:node:{node_id}"

    async def start(self) -> None:
        with contextlib.suppress(redis.RedisError, OSError):
            await self._beat()
        self._heartbeat = asyncio.create_task(self._beat_forever())

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        with contextlib.suppress(redis.RedisError, OSError):
            await self.redis.delete(self._node(self.node_id))
        await self.redis.aclose()

    async def _beat(self) -> None:
        await self.redis.set(self._node(self.node_id), "1", ex=NODE_TTL_SECONDS)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self._beat()
            except (redis.RedisError, OSError) as error:
                log.warning("presence heartbeat failed: %r", error)

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except (redis.RedisError, OSError) as error:
            log.warning("redis ping failed: %r", error)
            return False

    async def add(self, session_id: int, entry: Presence) -> None:
        await self.redis.hset(self._room(session_id), entry.sid, json.dumps(asdict(entry)))

    async def remove(self, session_id: int, sid: str) -> Presence | None:
        async with self.redis.pipeline(transaction=True) as pipe:
            raw, _ = await pipe.hget(self._room(session_id), sid).hdel(
                self._room(session_id), sid
            ).execute()
        return Presence(**json.loads(raw)) if raw else None

    async def entries(self, session_id: int) -> list[Presence]:
        raw = await self.redis.hgetall(self._room(session_id))
        found = [Presence(**json.loads(value)) for value in raw.values()]
        others = sorted({e.node_id for e in found} - {self.node_id})
        alive = {self.node_id}
        if others:
            flags = await self.redis.mget([self._node(node) for node in others])
            alive.update(node for node, flag in zip(others, flags, strict=True) if flag)
        dead = [e.sid for e in found if e.node_id not in alive]
        if dead:
            log.info("sweeping %d presence entries of vanished nodes", len(dead))
            await self.redis.hdel(self._room(session_id), *dead)
        return [e for e in found if e.node_id in alive]

    async def set_hand(self, session_id: int, user_id: int, raised: bool) -> None:
        if raised:
            await self.redis.sadd(self._hands(session_id), str(user_id))
        else:
            await self.redis.srem(self._hands(session_id), str(user_id))

    async def clear_hands(self, session_id: int) -> None:
        await self.redis.delete(self._hands(session_id))

    async def raised_hands(self, session_id: int) -> set[int]:
        return {int(value) for value in await self.redis.smembers(self._hands(session_id))}

    async def forget_room(self, session_id: int) -> None:
        await self.redis.delete(self._room(session_id), self._hands(session_id))
