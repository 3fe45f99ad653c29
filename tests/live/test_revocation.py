"""A revoked login leaves the live class at once: deactivating an account cuts every socket of
the person, logging out cuts the sockets of that login only, wherever they are.

Each test runs on one node, and on two nodes sharing Redis where the REST call lands on one node
and the class's sockets are on the other.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import socketio
from aiortc.mediastreams import AudioStreamTrack
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import AttendanceInterval, LeaveReason, User
from lms.services import accounts
from server.settings import Settings
from tests.api.conftest import World
from tests.live.conftest import Connect, LiveClient, Node, StartNode, present
from tests.live.test_media_signaling import MediaClient

pytestmark = pytest.mark.usefixtures("engine")

DB = async_sessionmaker[AsyncSession]

# How soon a revoked socket must be gone, from the moment the REST call is sent.
CUT_WITHIN_SECONDS = 1.0


@pytest.fixture(params=["one node", pytest.param("two nodes", marks=pytest.mark.redis)])
def topology(request: pytest.FixtureRequest, settings: Settings) -> Settings | None:
    """Alone (None), or the settings of two nodes sharing Redis."""
    return None if request.param == "one node" else request.getfixturevalue("redis_settings")


@pytest.fixture
async def nodes(
    topology: Settings | None, start_node: StartNode, settings: Settings
) -> tuple[Node, Node]:
    """Where the REST call lands, and where the class's sockets are."""
    if topology is None:
        node = await start_node(settings)
        return node, node
    return await start_node(topology), await start_node(topology)


async def intervals(db: DB, session_id: int, user_id: int) -> list[AttendanceInterval]:
    async with db() as s:
        found = await s.scalars(
            select(AttendanceInterval)
            .where(
                AttendanceInterval.session_id == session_id, AttendanceInterval.user_id == user_id
            )
            .order_by(AttendanceInterval.id)
        )
        return list(found)


async def second_login(db: DB, login: str) -> str:
    """Another token of the same person (a second device)."""
    async with db() as s, s.begin():
        user = await s.scalar(select(User).where(User.login == login))
        assert user is not None
        token, _ = await accounts.issue_token(s, user, timedelta(hours=1))
    return token


async def logout(node: Node, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with node.http.post(f"{node.url}/api/auth/logout", headers=headers) as response:
        return response.status


async def test_deactivation_cuts_every_socket_of_the_person_at_once(
    nodes: tuple[Node, Node], world: World, live: int, db: DB, connect: Connect
) -> None:
    admin_node, class_node = nodes
    teacher_id, s1, s2 = (world.users[n] for n in ("teacher", "student1", "student2"))
    teacher = await connect(class_node, "teacher")
    await teacher.join(live)
    student = await connect(class_node, "student1")
    await student.join(live)
    idle = await connect(class_node, "student1")  # a second tab, not in the class
    classmate = await connect(class_node, "student2")
    await classmate.join(live)
    await teacher.wait_for("presence", present(teacher_id, s1, s2))
    teacher.forget("presence")

    started = time.monotonic()
    status, body = await admin_node.rest("POST", f"/api/admin/users/{s1}/deactivate", "sa_a")
    assert status == 200 and body["is_active"] is False
    await student.wait_disconnected()
    await idle.wait_disconnected()
    assert time.monotonic() - started < CUT_WITHIN_SECONDS
    assert student.events["revoked"] == [{"reason": "account_deactivated"}]
    assert idle.events["revoked"] == [{"reason": "account_deactivated"}]

    await teacher.wait_for("presence", present(teacher_id, s2))
    [interval] = await intervals(db, live, s1)
    assert interval.leave_reason is LeaveReason.REMOVED
    # Nobody else was touched.
    assert (await classmate.call("chat:send", {"client_id": "c", "body": "아직 있어요"}))["ok"]
    assert classmate.sio.connected and "revoked" not in classmate.events

    again = LiveClient("student1")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(class_node, await class_node.token("student1"))
    await again.close()


async def test_logout_cuts_only_that_logins_sockets(
    nodes: tuple[Node, Node], world: World, live: int, db: DB, connect: Connect
) -> None:
    rest_node, class_node = nodes
    teacher_id, s1 = world.users["teacher"], world.users["student1"]
    teacher = await connect(class_node, "teacher")
    await teacher.join(live)
    laptop_token = await second_login(db, "student1")
    tablet = await connect(class_node, "student1")
    await tablet.join(live)
    laptop = LiveClient("student1")
    try:
        await laptop.connect(class_node, laptop_token)
        await laptop.join(live)

        started = time.monotonic()
        assert await logout(rest_node, laptop_token) == 200
        await laptop.wait_disconnected()
        assert time.monotonic() - started < CUT_WITHIN_SECONDS
        assert laptop.events["revoked"] == [{"reason": "logged_out"}]

        # The tablet's login still works: it stays, and so does the attendance interval.
        sent = await tablet.call("chat:send", {"client_id": "t", "body": "태블릿은 그대로"})
        assert sent["ok"] and tablet.sio.connected and "revoked" not in tablet.events
        assert await teacher.wait_for("room_event", lambda e: e["seq"] == sent["message"]["seq"])
        [interval] = await intervals(db, live, s1)
        assert interval.left_at is None

        teacher.forget("presence")
        assert await logout(rest_node, await class_node.token("student1")) == 200
        await tablet.wait_disconnected()
        assert tablet.events["revoked"] == [{"reason": "logged_out"}]
        await teacher.wait_for("presence", present(teacher_id))
        [interval] = await intervals(db, live, s1)
        assert interval.leave_reason is LeaveReason.LEFT
        assert teacher.sio.connected and "revoked" not in teacher.events
    finally:
        await laptop.close()


async def test_deactivation_closes_the_persons_media(
    nodes: tuple[Node, Node], world: World, live: int, connect: Connect
) -> None:
    admin_node, class_node = nodes
    teacher = MediaClient(await connect(class_node, "teacher"))
    await teacher.live.join(live)
    await teacher.subscribe()
    student = MediaClient(await connect(class_node, "student1"))
    await student.live.join(live)
    try:
        ack = await student.publish([(AudioStreamTrack(), "microphone")])
        assert ack["ok"], ack
        (microphone,) = ack["producers"]
        await teacher.live.wait_for(
            "media:producer_added", lambda d: d["producer"]["id"] == microphone["id"]
        )

        s1 = world.users["student1"]
        status, _ = await admin_node.rest("POST", f"/api/admin/users/{s1}/deactivate", "sa_a")
        assert status == 200
        removed = await teacher.live.wait_for(
            "media:producer_removed", lambda d: d["producer_id"] == microphone["id"]
        )
        assert removed["user_id"] == s1
        assert (await teacher.live.call("media:config", {}))["producers"] == []
    finally:
        for peer in (teacher, student):
            await peer.close()
