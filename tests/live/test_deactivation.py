"""A deactivated account cannot join a live class: neither a socket it already had open nor a
new connection with its (revoked) token."""

from __future__ import annotations

import pytest
import socketio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import User
from lms.services import user_admin
from tests.api.conftest import World
from tests.live.conftest import Connect, LiveClient, Node

pytestmark = pytest.mark.usefixtures("engine")


async def test_deactivated_student_cannot_join(
    node: Node, world: World, live: int, db: async_sessionmaker[AsyncSession], connect: Connect
) -> None:
    token = await node.token("student1")
    already_open = await connect(node, "student1")
    async with db() as session, session.begin():
        admin = await session.get(User, world.users["sa_a"])
        await user_admin.deactivate_user(session, admin, world.users["student1"])
    ack = await already_open.call("join", {"session_id": live})
    assert ack["ok"] is False and ack["error"]["code"] == "not_authenticated"

    fresh = LiveClient("student1")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await fresh.connect(node, token)
    await fresh.close()

    classmate = await connect(node, "student2")
    assert (await classmate.join(live))["you"]["user_id"] == world.users["student2"]
