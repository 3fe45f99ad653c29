"""A whole class joining at once: more joins in flight than the node has database connections.

A join used to hold one pooled connection while a live-class tool opened a unit of its own (the
moderation door, the breakouts state). With a pool's worth of joins in flight, every connection
was held by a join waiting for a second one and all of them stalled until the pool gave up
(30 s), so the class never got in. The live-class load test (``loadtest/live_classes.py``)
found it; each tool's join hook now runs in a unit of its own.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import CourseRole, Enrolment, Role, User
from server.live import NAMESPACE
from tests.api.conftest import World
from tests.live.conftest import Connect, Node

# More than either backend's pool: PostgreSQL 10 + 20 overflow, SQLite 5 + 10.
BURST = 36


async def test_a_whole_class_joins_at_once(
    world: World,
    db: async_sessionmaker[AsyncSession],
    node: Node,
    live: int,
    connect: Connect,
) -> None:
    async with db() as s, s.begin():
        users = [
            User(
                login=f"burst{index}", display_name=f"학생 {index}", password_hash="-",
                role=Role.STUDENT, school_id=world.school_a,
            )
            for index in range(BURST)
        ]  # fmt: skip
        s.add_all(users)
        await s.flush()
        s.add_all(
            Enrolment(course_id=world.course, user_id=user.id, role=CourseRole.STUDENT)
            for user in users
        )
    clients = [await connect(node, f"burst{index}") for index in range(BURST)]

    began = time.monotonic()
    acks = await asyncio.gather(
        *(
            client.sio.call(
                "join", {"session_id": live, "last_seq": None}, namespace=NAMESPACE, timeout=60
            )
            for client in clients
        )
    )
    took = time.monotonic() - began

    refused = [ack for ack in acks if not ack["ok"]]
    assert not refused, refused[:3]
    # Stalled joins waited out the pool's 30 s and then failed; working ones take a few seconds
    # even on a busy machine.
    assert took < 25, took
    assert max(len(ack["participants"]) for ack in acks) == BURST
