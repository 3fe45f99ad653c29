"""Presence stores: the in-memory one and the Redis one behave alike; dead nodes vanish."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from server.live.presence import MemoryPresence, Presence, PresenceStore, RedisPresence
from tests.services import REDIS_URL, missing_service, redis_reachable

NODE = "node-a"


def entry(sid: str, user_id: int, node: str = NODE, role: str | None = "student") -> Presence:
    return Presence(sid=sid, user_id=user_id, display_name=f"U{user_id}", role=role, node_id=node)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[PresenceStore]:
    if request.param == "memory":
        yield MemoryPresence()
        return
    try:
        await redis_reachable(REDIS_URL)
    except Exception as error:
        missing_service("Redis", error)
    url = REDIS_URL
    redis_store = RedisPresence(url, prefix=f"newssem-test-{uuid.uuid4().hex}", node_id=NODE)
    await redis_store.start()
    try:
        yield redis_store
    finally:
        await redis_store.forget_room(1)
        await redis_store.close()


async def test_entries_hands_and_forgetting(store: PresenceStore) -> None:
    await store.add(1, entry("a", 10))
    await store.add(1, entry("b", 10))
    await store.add(1, entry("c", 11, role="teacher"))
    assert {e.sid for e in await store.entries(1)} == {"a", "b", "c"}
    assert await store.remove(1, "a") == entry("a", 10)
    assert await store.remove(1, "a") is None
    await store.set_hand(1, 10, True)
    await store.set_hand(1, 11, True)
    await store.set_hand(1, 11, False)
    assert await store.raised_hands(1) == {10}
    await store.clear_hands(1)
    assert await store.raised_hands(1) == set()
    await store.forget_room(1)
    assert await store.entries(1) == []
    assert await store.ping()


@pytest.mark.redis
async def test_entries_of_a_vanished_node_are_swept(redis_url: str) -> None:
    prefix = f"newssem-test-{uuid.uuid4().hex}"
    alive = RedisPresence(redis_url, prefix=prefix, node_id="alive")
    crashed = RedisPresence(redis_url, prefix=prefix, node_id="crashed")
    await alive.start()
    try:
        await alive.add(1, entry("a", 10, node="alive"))
        await crashed.add(1, entry("b", 11, node="crashed"))  # never sent a heartbeat
        assert [e.sid for e in await alive.entries(1)] == ["a"]
        assert await crashed.redis.hlen(f"{prefix}:room:1") == 1
    finally:
        await alive.forget_room(1)
        await alive.close()
        await crashed.close()
