"""Two nodes sharing Redis and one database: a class split across them is still one class."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import AttendanceInterval, LeaveReason
from server.settings import Settings
from tests.api.conftest import World
from tests.live.conftest import Connect, StartNode, present

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("engine")]

DB = async_sessionmaker[AsyncSession]


async def test_a_class_spread_over_two_nodes(
    start_node: StartNode, redis_settings: Settings, world: World, live: int, connect: Connect
) -> None:
    teacher_id, s1, s2 = (world.users[n] for n in ("teacher", "student1", "student2"))
    node1 = await start_node(redis_settings)
    node2 = await start_node(redis_settings)
    for node in (node1, node2):
        async with node.http.get(f"{node.url}/healthz") as response:
            assert (await response.json())["fanout"] == {"ok": True, "mode": "redis"}

    teacher = await connect(node1, "teacher")
    student = await connect(node2, "student1")
    other = await connect(node2, "student2")
    await teacher.join(live)
    await student.join(live)
    ack = await other.join(live)
    assert {p["user_id"] for p in ack["participants"]} == {teacher_id, s1, s2}
    await teacher.wait_for("presence", present(teacher_id, s1, s2))
    await student.wait_for("presence", present(teacher_id, s1, s2))

    sent = await teacher.call("chat:send", {"client_id": "n1", "body": "다른 노드에도 보이나요?"})
    assert sent["ok"]
    assert await student.wait_for("room_event", lambda e: e["seq"] == 1) == sent["message"]

    assert (await student.call("hand:raise", {"client_id": "h"}))["ok"]
    await teacher.wait_for(
        "presence", lambda d: any(p["hand_raised"] for p in d["participants"] if p["user_id"] == s1)
    )

    # Removal reaches the target's sockets on the other node.
    teacher.forget("presence")
    assert (await teacher.call("moderation:remove", {"client_id": "r", "user_id": s2}))["ok"]
    assert await other.wait_for("removed") == {"reason": "removed"}
    await other.wait_disconnected()
    await teacher.wait_for("presence", present(teacher_id, s1))

    status, _ = await node1.rest("POST", f"/api/sessions/{live}/end", "teacher")
    assert status == 200
    for client in (teacher, student):
        assert await client.wait_for("session_ended") == {"session_id": live}
        await client.wait_disconnected()


async def test_a_node_going_down_resumes_its_students_on_the_other(
    start_node: StartNode, redis_settings: Settings, world: World, live: int, db: DB,
    connect: Connect,
) -> None:
    teacher_id, s1 = world.users["teacher"], world.users["student1"]
    node1 = await start_node(redis_settings)
    node2 = await start_node(redis_settings)
    teacher = await connect(node1, "teacher")
    student = await connect(node2, "student1")
    await teacher.join(live)
    seen = (await student.join(live))["last_seq"]

    teacher.forget("presence")
    await node2.server.close()  # drains: the student's interval ends as node_shutdown
    await student.wait_disconnected()
    await teacher.wait_for("presence", present(teacher_id))
    async with db() as s:
        [interval] = await s.scalars(
            select(AttendanceInterval).where(AttendanceInterval.user_id == s1)
        )
    assert interval.leave_reason is LeaveReason.NODE_SHUTDOWN
    sent = await teacher.call("chat:send", {"client_id": "gone", "body": "노드가 바뀌었어요"})

    back = await connect(node1, "student1")
    ack = await back.join(live, last_seq=seen)
    assert ack["resumed"] is True and ack["history"] == [sent["message"]]
    await teacher.wait_for("presence", present(teacher_id, s1))
    async with db() as s:
        [interval] = await s.scalars(
            select(AttendanceInterval).where(AttendanceInterval.user_id == s1)
        )
    assert interval.left_at is None
