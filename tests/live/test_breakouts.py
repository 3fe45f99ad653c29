"""Breakout groups through real socket.io clients on a real node: split, group chat, recall.

The class: the world's teacher and students 1-2, plus a third student enrolled here, so one
group can hold two people and another one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    BreakoutMembership,
    BreakoutMessage,
    BreakoutRound,
    BreakoutStatus,
    CourseRole,
    Enrolment,
    Role,
    User,
)
from lms.services import breakouts, course_groups
from server import keys
from server.live.breakouts import BreakoutsTool
from tests.api.conftest import World
from tests.live.conftest import Connect, LiveClient, Node, count

pytestmark = pytest.mark.usefixtures("engine")

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def student3(world: World, db: Factory) -> int:
    """A third student in the world's course."""
    async with db() as s, s.begin():
        user = User(
            login="student3",
            display_name="Student3",
            password_hash="x",
            role=Role.STUDENT,
            school_id=world.school_a,
        )
        s.add(user)
        await s.flush()
        s.add(Enrolment(course_id=world.course, user_id=user.id, role=CourseRole.STUDENT))
        world.users["student3"] = user.id
        return user.id


class Class:
    """The teacher and three students joined to the live session."""

    def __init__(self, clients: dict[str, LiveClient], world: World, session_id: int) -> None:
        self.clients = clients
        self.world = world
        self.session_id = session_id

    def __getitem__(self, login: str) -> LiveClient:
        return self.clients[login]

    def uid(self, login: str) -> int:
        return self.world.users[login]

    async def split(self, groups: dict[str, int], **extra: Any) -> dict[str, Any]:
        """Manual split: login -> group index; returns the round, groups by index."""
        ack = await self["teacher"].call(
            "breakouts:start",
            {
                "client_id": "split-1",
                "group_count": 2,
                "mode": "manual",
                "duration_seconds": 600,
                "assignments": [
                    {"user_id": self.uid(login), "group_index": index}
                    for login, index in groups.items()
                ],
                **extra,
            },
        )
        assert ack["ok"], ack
        return ack["round"]


@pytest.fixture
async def klass(node: Node, world: World, live: int, student3: int, connect: Connect) -> Class:
    clients = {}
    for login in ("teacher", "student1", "student2", "student3"):
        clients[login] = await connect(node, login)
        await clients[login].join(live)
    return Class(clients, world, live)


def group_ids(state: dict[str, Any]) -> dict[int, int]:
    return {group["index"]: group["id"] for group in state["groups"]}


def tool(node: Node) -> BreakoutsTool:
    found = node.server.app[keys.LIVE].namespace.tool("breakouts")
    assert isinstance(found, BreakoutsTool)
    return found


async def test_split_isolates_group_chat(klass: Class, db: Factory) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    one, two = group_ids(state)[1], group_ids(state)[2]
    for login in ("teacher", "student1", "student2", "student3"):
        started = await klass[login].wait_for("breakouts:started")
        assert started["round"]["id"] == state["id"] and started["warning_seconds"] == 30
    members = {g["index"]: {m["user_id"] for m in g["members"]} for g in state["groups"]}
    assert members == {
        1: {klass.uid("student1"), klass.uid("student2")},
        2: {klass.uid("student3")},
    }
    await klass["teacher"].wait_for("room_event", lambda e: e["kind"] == "breakout_started")

    chat = {"client_id": "c1", "group_id": one, "body": "  우리 모둠 시작!  "}
    ack = await klass["student1"].call("breakouts:chat", chat)
    assert ack["ok"] and ack["message"]["body"] == "우리 모둠 시작!" and ack["message"]["seq"] == 1
    got = await klass["student2"].wait_for("breakouts:message")
    assert got == ack["message"]
    retry = await klass["student1"].call("breakouts:chat", chat)
    assert retry["message"] == ack["message"]  # stored once

    # a student writing to another group is refused, and nothing is stored or delivered
    refused = await klass["student3"].call(
        "breakouts:chat", {"client_id": "c2", "group_id": one, "body": "끼어들기"}
    )
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    ack3 = await klass["student3"].call(
        "breakouts:chat", {"client_id": "c3", "group_id": two, "body": "혼자예요"}
    )
    assert ack3["ok"], ack3
    await asyncio.sleep(0.2)
    assert [m["body"] for m in klass["student2"].events["breakouts:message"]] == ["우리 모둠 시작!"]
    assert [m["body"] for m in klass["student3"].events["breakouts:message"]] == ["혼자예요"]
    assert klass["teacher"].events["breakouts:message"] == []  # not visiting any group
    assert await count(db, BreakoutMessage) == 2

    # a group of another class is unknown, not forbidden
    ghost = await klass["student1"].call(
        "breakouts:chat", {"client_id": "c4", "group_id": 99999, "body": "?"}
    )
    assert ghost["error"]["code"] == "not_found"

    # the teacher visits group 2: sees its chat so far and what comes next
    visit = await klass["teacher"].call("breakouts:visit", {"group_id": two})
    assert visit["ok"] and [m["body"] for m in visit["messages"]] == ["혼자예요"]
    await klass["student3"].call(
        "breakouts:chat", {"client_id": "c5", "group_id": two, "body": "선생님 안녕하세요"}
    )
    seen = await klass["teacher"].wait_for("breakouts:message")
    assert seen["body"] == "선생님 안녕하세요"
    reply = await klass["teacher"].call(
        "breakouts:chat", {"client_id": "t1", "group_id": two, "body": "잘하고 있어요"}
    )
    assert reply["ok"]
    await klass["student3"].wait_for("breakouts:message", lambda m: m["body"] == "잘하고 있어요")
    back = await klass["teacher"].call("breakouts:visit", {"group_id": None})
    assert back["ok"] and back["group_id"] is None


async def test_only_teachers_run_groups(klass: Class) -> None:
    student = klass["student1"]
    start = {"client_id": "s", "group_count": 2, "mode": "random", "duration_seconds": 60}
    for event, payload in [
        ("breakouts:start", start),
        ("breakouts:recall", {"client_id": "r"}),
        ("breakouts:broadcast", {"client_id": "b", "body": "hi"}),
        ("breakouts:visit", {"group_id": 1}),
        ("breakouts:move", {"user_id": klass.uid("student2"), "group_id": None}),
    ]:
        ack = await student.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    teacher = klass["teacher"]
    for bad in [
        {**start, "group_count": 1},
        {**start, "mode": "alphabetical"},
        {**start, "duration_seconds": 5},
        {**start, "sneaky": True},
        {
            **start,
            "mode": "manual",
            "assignments": [{"user_id": klass.uid("teacher"), "group_index": 1}],
        },
    ]:
        ack = await teacher.call("breakouts:start", bad)
        assert ack["error"]["code"] == "invalid_input", (bad, ack)
    # nothing running yet: recall, broadcast and visit have nothing to act on
    for event, payload in [
        ("breakouts:recall", {"client_id": "r"}),
        ("breakouts:broadcast", {"client_id": "b", "body": "hi"}),
        ("breakouts:visit", {"group_id": None}),
    ]:
        ack = await teacher.call(event, payload)
        assert ack["error"]["code"] == "conflict", (event, ack)


async def test_random_split_takes_the_students_present(klass: Class) -> None:
    ack = await klass["teacher"].call(
        "breakouts:start",
        {
            "client_id": "r1",
            "group_count": 2,
            "mode": "random",
            "duration_seconds": 300,
            "names": ["해님", "달님"],
        },
    )
    assert ack["ok"], ack
    sizes = sorted(len(g["members"]) for g in ack["round"]["groups"])
    assert sizes == [1, 2]
    assert [g["name"] for g in ack["round"]["groups"]] == ["해님", "달님"]
    placed = {m["user_id"] for g in ack["round"]["groups"] for m in g["members"]}
    assert placed == {klass.uid(f"student{i}") for i in (1, 2, 3)}
    again = await klass["teacher"].call(
        "breakouts:start",
        {"client_id": "r2", "group_count": 3, "mode": "random", "duration_seconds": 300},
    )
    assert again["error"]["code"] == "conflict"  # one round at a time


async def test_broadcast_reaches_every_group(klass: Class, db: Factory) -> None:
    await klass.split({"student1": 1, "student2": 1, "student3": 2})
    ack = await klass["teacher"].call(
        "breakouts:broadcast", {"client_id": "b1", "body": "5분 남았어요"}
    )
    assert ack["ok"] and ack["event"]["kind"] == "breakout_broadcast"
    for login in ("student1", "student2", "student3"):
        event = await klass[login].wait_for(
            "room_event", lambda e: e["kind"] == "breakout_broadcast"
        )
        assert event["payload"]["body"] == "5분 남았어요"
    again = await klass["teacher"].call(
        "breakouts:broadcast", {"client_id": "b1", "body": "5분 남았어요"}
    )
    assert again["event"]["seq"] == ack["event"]["seq"]


async def test_recall_brings_everyone_back(klass: Class, db: Factory) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    ack = await klass["teacher"].call("breakouts:recall", {"client_id": "back"})
    assert ack["ok"] and ack["round"]["status"] == "closed"
    assert ack["round"]["close_reason"] == "recalled"
    for login in ("teacher", "student1", "student2", "student3"):
        closed = await klass[login].wait_for("breakouts:closed")
        assert closed == {"round_id": state["id"], "reason": "recalled"}
        await klass[login].wait_for("room_event", lambda e: e["kind"] == "breakout_closed")
    late = await klass["student1"].call(
        "breakouts:chat", {"client_id": "late", "group_id": group_ids(state)[1], "body": "어?"}
    )
    assert late["error"]["code"] == "conflict"
    assert await count(db, BreakoutMembership) == 3  # memberships kept as history
    rejoin = await klass["student1"].call("join", {"session_id": klass.session_id})
    assert rejoin["tools"]["breakouts"]["round"] is None


async def test_teacher_moves_a_student_between_groups(klass: Class) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    one, two = group_ids(state)[1], group_ids(state)[2]
    ack = await klass["teacher"].call(
        "breakouts:move", {"user_id": klass.uid("student2"), "group_id": two}
    )
    assert ack["ok"], ack
    moved = await klass["student2"].wait_for("breakouts:moved")
    assert moved["user_id"] == klass.uid("student2") and moved["group_id"] == two
    refused = await klass["student2"].call(
        "breakouts:chat", {"client_id": "m1", "group_id": one, "body": "옛 모둠"}
    )
    assert refused["error"]["code"] == "forbidden"
    ok = await klass["student2"].call(
        "breakouts:chat", {"client_id": "m2", "group_id": two, "body": "새 모둠"}
    )
    assert ok["ok"]
    await klass["student3"].wait_for("breakouts:message", lambda m: m["body"] == "새 모둠")


async def test_reconnect_lands_back_in_the_group(
    node: Node, klass: Class, connect: Connect
) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    one = group_ids(state)[1]
    await klass["student2"].call(
        "breakouts:chat", {"client_id": "x1", "group_id": one, "body": "먼저 쓴 말"}
    )
    await klass["student1"].close()  # the tablet's Wi-Fi drops
    again = await connect(node, "student1")
    ack = await again.join(klass.session_id)
    tools = ack["tools"]["breakouts"]
    assert tools["group_id"] == one and tools["round"]["id"] == state["id"]
    assert tools["round"]["ends_at"] == state["ends_at"]
    assert [m["body"] for m in tools["messages"]] == ["먼저 쓴 말"]
    # back in the group's room: its chat reaches the new socket
    await klass["student2"].call(
        "breakouts:chat", {"client_id": "x2", "group_id": one, "body": "다시 왔구나"}
    )
    await again.wait_for("breakouts:message", lambda m: m["body"] == "다시 왔구나")


async def say(client: LiveClient, group_id: int, body: str) -> None:
    """A group message, acknowledged."""
    ack = await client.call(
        "breakouts:chat", {"client_id": body, "group_id": group_id, "body": body}
    )
    assert ack["ok"], ack


async def test_a_visiting_teacher_returns_to_the_group_after_a_drop(
    node: Node, klass: Class, connect: Connect
) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    two = group_ids(state)[2]
    laptop = await connect(node, "teacher")
    await laptop.join(klass.session_id, tab_id="laptop")
    assert (await laptop.call("breakouts:visit", {"group_id": two}))["ok"]
    await say(klass["student3"], two, "선생님 오셨다")

    await laptop.close()  # the laptop's Wi-Fi drops
    again = await connect(node, "teacher")
    tools = (await again.join(klass.session_id, tab_id="laptop"))["tools"]["breakouts"]
    assert tools["group_id"] == two
    assert [m["body"] for m in tools["messages"]] == ["선생님 오셨다"]
    await say(klass["student3"], two, "다시 오셨네요")
    await again.wait_for("breakouts:message", lambda m: m["body"] == "다시 오셨네요")
    # the teacher's other tab, in the main room all along, stays there
    assert klass["teacher"].events["breakouts:message"] == []

    # back before the old socket was noticed gone: its late departure keeps the visit
    late = await connect(node, "teacher")
    tools = (await late.join(klass.session_id, tab_id="laptop"))["tools"]["breakouts"]
    assert tools["group_id"] == two
    await again.close()
    await say(klass["student3"], two, "아직 계세요?")
    await late.wait_for("breakouts:message", lambda m: m["body"] == "아직 계세요?")

    # another tab of the same teacher starts in the main room
    projector = await connect(node, "teacher")
    tools = (await projector.join(klass.session_id, tab_id="projector"))["tools"]["breakouts"]
    assert tools["group_id"] is None and tools["round"]["id"] == state["id"]

    # leaving on purpose ends the visit
    assert (await late.call("leave", {}))["ok"]
    tools = (await late.join(klass.session_id, tab_id="laptop"))["tools"]["breakouts"]
    assert tools["group_id"] is None and tools["messages"] == []


async def test_a_visit_ends_with_its_round(node: Node, klass: Class, connect: Connect) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    laptop = await connect(node, "teacher")
    await laptop.join(klass.session_id, tab_id="laptop")
    assert (await laptop.call("breakouts:visit", {"group_id": group_ids(state)[1]}))["ok"]
    await laptop.close()
    assert (await klass["teacher"].call("breakouts:recall", {"client_id": "r"}))["ok"]
    assert tool(node).visiting == {}

    second = await klass.split({"student1": 2, "student2": 2, "student3": 1}, client_id="s2")
    again = await connect(node, "teacher")
    tools = (await again.join(klass.session_id, tab_id="laptop"))["tools"]["breakouts"]
    assert tools["round"]["id"] == second["id"] and tools["group_id"] is None


async def test_timer_closes_the_round_and_tells_everyone(
    node: Node, klass: Class, db: Factory
) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    # Bring the end forward to one second from now and let the node's timer run out.
    soon = datetime.now(UTC) + timedelta(seconds=1)
    async with db() as s, s.begin():
        await s.execute(
            update(BreakoutRound).where(BreakoutRound.id == state["id"]).values(ends_at=soon)
        )
        found = await breakouts.get_round(s, state["id"])
    tool(node).cancel(klass.session_id)
    tool(node).schedule(klass.session_id, found)
    for login in ("teacher", "student1", "student2", "student3"):
        closed = await klass[login].wait_for("breakouts:closed")
        assert closed == {"round_id": state["id"], "reason": "timer"}
    async with db() as s:
        stored = await breakouts.get_round(s, state["id"])
        assert stored.status is BreakoutStatus.CLOSED and stored.closed_by is None


async def test_a_join_closes_a_round_that_expired_while_no_timer_ran(
    node: Node, klass: Class, db: Factory, connect: Connect
) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    tool(node).cancel(klass.session_id)  # as after a node restart: no timer for the round
    async with db() as s, s.begin():
        await s.execute(
            update(BreakoutRound)
            .where(BreakoutRound.id == state["id"])
            .values(ends_at=datetime.now(UTC) - timedelta(seconds=5))
        )
    await klass["student3"].close()
    late = await connect(node, "student3")
    ack = await late.join(klass.session_id)
    assert ack["tools"]["breakouts"]["round"] is None
    assert ack["tools"]["breakouts"]["group_id"] is None
    for login in ("teacher", "student1", "student2"):
        closed = await klass[login].wait_for("breakouts:closed")
        assert closed["reason"] == "timer"


async def test_split_by_the_course_groups(klass: Class, db: Factory) -> None:
    start = {"client_id": "cg", "mode": "course_groups", "duration_seconds": 300}
    refused = await klass["teacher"].call("breakouts:start", start)
    assert refused["error"]["code"] == "conflict"  # the course has no groups yet
    async with db() as s, s.begin():
        teacher = await s.get(User, klass.uid("teacher"))
        assert teacher is not None
        for name, members in (("해님", ["student1", "student3"]), ("달님", ["student2"])):
            await course_groups.create_group(
                s,
                teacher,
                klass.world.course,
                name=name,
                user_ids=[klass.uid(login) for login in members],
            )
    ack = await klass["teacher"].call("breakouts:start", {**start, "client_id": "cg2"})
    assert ack["ok"], ack
    named = {g["name"]: {m["user_id"] for m in g["members"]} for g in ack["round"]["groups"]}
    assert named == {
        "달님": {klass.uid("student2")},
        "해님": {klass.uid("student1"), klass.uid("student3")},
    }
    started = await klass["student3"].wait_for("breakouts:started")
    assert started["round"]["mode"] == "course_groups"


def pen(*points: tuple[float, float]) -> dict[str, Any]:
    return {"tool": "pen", "color": "#1f5fbf", "width": 3.0, "points": [list(p) for p in points]}


async def test_each_group_draws_on_its_own_board(klass: Class) -> None:
    state = await klass.split({"student1": 1, "student2": 1, "student3": 2})
    one = group_ids(state)[1]
    board = f"group:{one}"
    drawn = await klass["student1"].call(
        "whiteboard:stroke",
        {"board": board, "client_id": "g1", "shape": pen((0.1, 0.1), (0.4, 0.4))},
    )
    assert drawn["ok"], drawn
    seen = await klass["student2"].wait_for("whiteboard:op")
    assert seen["board"] == board and seen["id"] == drawn["op"]["id"]
    await klass["teacher"].wait_for("whiteboard:op", lambda op: op["board"] == board)
    # another group can neither draw on it nor read it
    refused = await klass["student3"].call(
        "whiteboard:stroke", {"board": board, "client_id": "g2", "shape": pen((0.5, 0.5))}
    )
    assert refused["ok"] is False and refused["error"]["code"] in ("forbidden", "not_found")
    hidden = await klass["student3"].call("whiteboard:board", {"board": board})
    assert hidden["ok"] is False
    assert klass["student3"].events["whiteboard:op"] == []
    # the teacher draws there too; after the recall the group's board is closed to students
    assert (
        await klass["teacher"].call(
            "whiteboard:stroke", {"board": board, "client_id": "t1", "shape": pen((0.3, 0.3))}
        )
    )["ok"]
    await klass["teacher"].call("breakouts:recall", {"client_id": "back"})
    late = await klass["student1"].call(
        "whiteboard:stroke", {"board": board, "client_id": "g3", "shape": pen((0.6, 0.6))}
    )
    assert late["ok"] is False
    kept = await klass["teacher"].call("whiteboard:board", {"board": board})
    assert kept["ok"] and len(kept["strokes"]) == 2, kept
