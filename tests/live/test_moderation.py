"""Moderation in the live class over real sockets: the door (waiting room, lock, readmission
after removal), chat rules, private messages, reactions, mute all, and who may moderate."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiortc.mediastreams import AudioStreamTrack
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    ChatMessage,
    CourseRole,
    Enrolment,
    ModerationLogEntry,
    PrivateMessage,
    WaitingEntry,
    WaitingStatus,
)
from server.live import moderation as live_moderation
from server.settings import Settings
from tests.api.conftest import World
from tests.live.conftest import Connect, Node, StartNode, count, present
from tests.live.test_media_signaling import MediaClient

pytestmark = pytest.mark.usefixtures("engine")

DB = async_sessionmaker[AsyncSession]


async def set_rules(client, **changes: object) -> dict:
    ack = await client.call("moderation:settings", changes)
    assert ack["ok"], ack
    return ack


async def log_actions(db: DB, session_id: int) -> list[str]:
    async with db() as s:
        rows = await s.scalars(
            select(ModerationLogEntry.action)
            .where(ModerationLogEntry.session_id == session_id)
            .order_by(ModerationLogEntry.id)
        )
        return [str(action) for action in rows]


@pytest.fixture
async def co_teacher(world: World, db: DB) -> str:
    """``teacher2`` becomes the course's co-teacher."""
    async with db() as s, s.begin():
        s.add(
            Enrolment(
                course_id=world.course, user_id=world.users["teacher2"], role=CourseRole.CO_TEACHER
            )
        )
    return "teacher2"


async def test_waiting_room_holds_a_student_until_admitted(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    s1, s2 = world.users["student1"], world.users["student2"]
    teacher = await connect(node, "teacher")
    joined = await teacher.join(live)
    assert joined["tools"]["moderation"]["settings"]["waiting_room"] is False
    assert joined["tools"]["moderation"]["waiting"] == []

    ack = await set_rules(teacher, waiting_room=True)
    assert ack["settings"]["waiting_room"] is True and ack["changed"] == {"waiting_room": True}
    # Setting it again changes nothing and logs nothing.
    assert (await set_rules(teacher, waiting_room=True))["changed"] == {}

    student = await connect(node, "student1")
    ack = await student.call("join", {"session_id": live})
    assert ack["ok"] is False and ack["error"]["code"] == "waiting"
    assert ack["error"]["details"]["removed_earlier"] is False
    listed = await teacher.wait_for("moderation:waiting", lambda d: d["waiting"])
    assert [(w["user_id"], w["display_name"]) for w in listed["waiting"]] == [(s1, "Student1")]
    await teacher.wait_for("presence", present(world.users["teacher"]))

    other = await connect(node, "student2")
    assert (await other.call("join", {"session_id": live}))["error"]["code"] == "waiting"

    # A student cannot let themselves (or anyone) in.
    ack = await other.call("moderation:admit", {"user_id": s2})
    assert ack["error"]["code"] in ("forbidden", "conflict")

    ack = await teacher.call("moderation:admit", {"user_id": s1})
    assert ack["ok"] and ack["decided"] == [s1]
    assert [w["user_id"] for w in ack["waiting"]] == [s2]
    assert await student.wait_for("moderation:admitted") == {"session_id": live}
    assert "moderation:admitted" not in other.events
    joined = await student.join(live)
    assert joined["tools"]["moderation"]["teaching"] is False
    assert "waiting" not in joined["tools"]["moderation"]

    ack = await teacher.call("moderation:deny", {"all": True})
    assert ack["ok"] and ack["decided"] == [s2] and ack["waiting"] == []
    assert await other.wait_for("moderation:denied") == {"session_id": live}
    # Asking again after a denial puts the student back on the list.
    assert (await other.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    await teacher.wait_for(
        "moderation:waiting", lambda d: [w["user_id"] for w in d["waiting"]] == [s2]
    )

    # An admitted student who drops comes straight back in.
    await student.close()
    again = await connect(node, "student1")
    await again.join(live)
    assert await log_actions(db, live) == ["settings", "admit", "deny"]


async def test_a_student_in_class_before_the_waiting_room_reconnects_freely(
    node: Node, world: World, live: int, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    await set_rules(teacher, waiting_room=True)
    await student.close()
    back = await connect(node, "student1")
    await back.join(live)


async def test_locked_room_lets_nobody_new_in(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    inside = await connect(node, "student1")
    await inside.join(live)
    ack = await set_rules(teacher, locked=True, waiting_room=True)
    assert ack["changed"] == {"locked": True, "waiting_room": True}
    assert (await inside.wait_for("moderation:settings"))["settings"]["locked"] is True

    late = await connect(node, "student2")
    ack = await late.call("join", {"session_id": live})
    assert ack["error"]["code"] == "locked"
    assert await count(db, WaitingEntry) == 0  # not even put on the waiting list

    # A network drop does not lock out a student who was already in class.
    await inside.close()
    back = await connect(node, "student1")
    await back.join(live)

    # Teachers are never held.
    admin = await connect(node, "sa_a")
    await admin.join(live)

    await set_rules(teacher, locked=False)
    late_again = await connect(node, "student2")
    assert (await late_again.call("join", {"session_id": live}))["error"]["code"] == "waiting"


async def test_a_removed_student_waits_for_explicit_approval(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    s1 = world.users["student1"]
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    ack = await teacher.call("moderation:remove", {"client_id": "r1", "user_id": s1})
    assert ack["ok"]
    await student.wait_disconnected()

    # The waiting room is off, yet the removed student waits, flagged for the teacher.
    back = await connect(node, "student1")
    ack = await back.call("join", {"session_id": live})
    assert ack["error"]["code"] == "waiting" and ack["error"]["details"]["removed_earlier"]
    listed = await teacher.wait_for("moderation:waiting", lambda d: d["waiting"])
    assert listed["waiting"][0]["removed_earlier"] is True
    ack = await back.call("chat:send", {"client_id": "c", "body": "let me in"})
    assert ack["ok"] is False

    assert (await teacher.call("moderation:admit", {"user_id": s1}))["decided"] == [s1]
    await back.wait_for("moderation:admitted")
    await back.join(live)
    assert (await back.call("chat:send", {"client_id": "c", "body": "돌아왔어요"}))["ok"]

    # Removed again: the earlier approval does not cover the new removal.
    assert (await teacher.call("moderation:remove", {"client_id": "r2", "user_id": s1}))["ok"]
    await back.wait_disconnected()
    third = await connect(node, "student1")
    assert (await third.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    async with db() as s:
        entry = await s.scalar(select(WaitingEntry).where(WaitingEntry.user_id == s1))
        assert entry is not None and entry.status is WaitingStatus.WAITING
    assert await log_actions(db, live) == ["remove", "readmit", "remove"]


async def test_student_chat_forbidden_while_teachers_still_chat(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    await set_rules(teacher, student_chat=False)
    changed = await student.wait_for("moderation:settings")
    assert changed["settings"]["student_chat"] is False and changed["by"] == "Teacher"

    ack = await student.call("chat:send", {"client_id": "s", "body": "hello"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert ack["error"]["details"]["rule"] == "student_chat"
    assert (await teacher.call("chat:send", {"client_id": "t", "body": "조용히 해요"}))["ok"]
    assert await count(db, ChatMessage) == 1

    await set_rules(teacher, student_chat=True)
    assert (await student.call("chat:send", {"client_id": "s", "body": "hello"}))["ok"]


async def test_private_messages_reach_only_the_two_and_are_replayed(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    t, s1, s2 = world.users["teacher"], world.users["student1"], world.users["student2"]
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    other = await connect(node, "student2")
    for client in (teacher, student, other):
        await client.join(live)

    send = {"client_id": "p1", "recipient_id": t, "body": "선생님, 화장실 다녀올게요"}
    ack = await student.call("private:send", send)
    assert ack["ok"], ack
    message = ack["message"]
    assert message["sender"]["id"] == s1 and message["recipient"]["id"] == t
    assert await teacher.wait_for("private:message") == message
    assert await student.wait_for("private:message") == message
    # A retry stores nothing new and sends nothing again.
    assert (await student.call("private:send", send))["message"] == message
    await asyncio.sleep(0.2)
    assert len(teacher.events["private:message"]) == 1
    assert "private:message" not in other.events
    assert await count(db, PrivateMessage) == 1

    # Student to student: refused under the default rule ("teachers"), allowed under "all".
    to_peer = {"client_id": "p2", "recipient_id": s2, "body": "같이 하자"}
    ack = await student.call("private:send", to_peer)
    assert ack["error"]["code"] == "forbidden"
    await set_rules(teacher, private_chat="all")
    assert (await student.call("private:send", to_peer))["ok"]
    await other.wait_for("private:message")
    await set_rules(teacher, private_chat="none")
    ack = await student.call("private:send", {"client_id": "p3", "recipient_id": t, "body": "?"})
    assert ack["error"]["code"] == "forbidden"
    # Teachers may always write privately.
    ack = await teacher.call(
        "private:send", {"client_id": "t1", "recipient_id": s2, "body": "괜찮니?"}
    )
    assert ack["ok"]
    # Not to oneself, nor to someone not in the class.
    ack = await teacher.call("private:send", {"client_id": "t2", "recipient_id": t, "body": "x"})
    assert ack["error"]["code"] == "invalid_input"
    ack = await teacher.call(
        "private:send", {"client_id": "t3", "recipient_id": world.users["teacher_b"], "body": "x"}
    )
    assert ack["error"]["code"] == "not_found"

    # Rejoining replays one's own private messages, and only those.
    await other.close()
    back = await connect(node, "student2")
    replay = (await back.join(live))["tools"]["moderation"]["private"]
    assert [m["client_id"] for m in replay] == ["p2", "t1"]
    mine = (await student.join(live))["tools"]["moderation"]["private"]
    assert [m["client_id"] for m in mine] == ["p1", "p2"]


async def test_reactions_are_broadcast_checked_and_rate_limited(
    node: Node, world: World, live: int, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)

    ack = await student.call("reaction:send", {"emoji": "👍"})
    assert ack["ok"]
    seen = await teacher.wait_for("reaction")
    assert seen == {"user_id": world.users["student1"], "display_name": "Student1", "emoji": "👍"}
    assert (await student.call("reaction:send", {"emoji": "💩"}))["error"]["code"] == (
        "invalid_input"
    )

    # Burst of five, then refused until the bucket refills (one per second).
    results = [await student.call("reaction:send", {"emoji": "👏"}) for _ in range(6)]
    assert [r["ok"] for r in results[:4]] == [True] * 4
    assert results[-1]["error"]["code"] == "rate_limited"
    assert results[-1]["error"]["details"]["retry_after"] > 0
    # The teacher's budget is their own.
    assert (await teacher.call("reaction:send", {"emoji": "🎉"}))["ok"]

    await set_rules(teacher, reactions=False)
    await asyncio.sleep(1.1)
    ack = await student.call("reaction:send", {"emoji": "👍"})
    assert ack["error"]["code"] == "forbidden"
    assert live_moderation.REACTION_BURST == 5


async def test_a_student_sending_any_moderation_event_is_forbidden(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    s2 = world.users["student2"]
    attempts = [
        ("moderation:settings", {"student_chat": False}),
        ("moderation:settings", {"locked": True}),
        ("moderation:admit", {"all": True}),
        ("moderation:deny", {"user_id": s2}),
        ("moderation:mute_all", {}),
        ("moderation:unmute_all", {"source": "camera"}),
        ("moderation:remove", {"client_id": "r", "user_id": s2}),
        ("moderation:lower_all_hands", {"client_id": "l"}),
        ("moderation:mute", {"user_id": s2, "source": "microphone"}),
        ("moderation:cameras", {"allowed": False}),
    ]
    for event, data in attempts:
        ack = await student.call(event, data)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
    assert await log_actions(db, live) == []
    # Malformed moderation payloads are refused before anything runs.
    for event, data in [
        ("moderation:settings", {"private_chat": "friends"}),
        ("moderation:settings", {"waiting_room": "yes"}),
        ("moderation:settings", {"owner": 1}),
        ("moderation:settings", {}),
        ("moderation:admit", {}),
        ("moderation:admit", {"user_id": s2, "all": True}),
        ("moderation:mute_all", {"source": "screen"}),
    ]:
        ack = await teacher.call(event, data)
        assert ack["error"]["code"] == "invalid_input", (event, data, ack)


async def test_mute_all_holds_students_and_is_logged(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    s1, s2 = await connect(node, "student1"), await connect(node, "student2")
    for client in (teacher, s1, s2):
        await client.join(live)
    ack = await teacher.call("moderation:mute_all", {})
    assert ack["ok"], ack
    assert ack["user_ids"] == sorted([world.users["student1"], world.users["student2"]])
    assert (await s1.wait_for("moderation:muted_all"))["source"] == "microphone"
    ack = await teacher.call("moderation:unmute_all", {})
    assert ack["ok"] and ack["user_ids"] is None
    await s2.wait_for("moderation:unmuted_all")
    ack = await teacher.call("moderation:lower_all_hands", {"client_id": "l"})
    assert ack["ok"]
    ack = await teacher.call(
        "moderation:mute", {"user_id": world.users["student1"], "source": "camera"}
    )
    assert ack["ok"]
    assert (await teacher.call("moderation:cameras", {"allowed": False}))["ok"]
    assert await log_actions(db, live) == [
        "mute_all",
        "unmute_all",
        "lower_all_hands",
        "mute",
        "cameras",
    ]


async def test_a_co_teacher_has_every_teacher_power(
    node: Node, world: World, live: int, db: DB, connect: Connect, co_teacher: str
) -> None:
    s1 = world.users["student1"]
    teacher = await connect(node, co_teacher)
    joined = await teacher.join(live)
    assert joined["you"]["role"] == "co_teacher"
    assert joined["tools"]["moderation"]["teaching"] is True
    await set_rules(teacher, waiting_room=True, student_chat=False, private_chat="none")

    student = await connect(node, "student1")
    assert (await student.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    assert (await teacher.call("moderation:admit", {"user_id": s1}))["decided"] == [s1]
    await student.wait_for("moderation:admitted")
    await student.join(live)
    assert (await teacher.call("chat:send", {"client_id": "c", "body": "공지"}))["ok"]
    ack = await teacher.call("private:send", {"client_id": "p", "recipient_id": s1, "body": "안녕"})
    assert ack["ok"]
    assert (await teacher.call("moderation:mute_all", {}))["ok"]
    assert (await teacher.call("moderation:lower_all_hands", {"client_id": "h"}))["ok"]
    assert (await teacher.call("moderation:remove", {"client_id": "r", "user_id": s1}))["ok"]
    await student.wait_disconnected()
    back = await connect(node, "student1")
    assert (await back.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    assert (await teacher.call("moderation:admit", {"all": True}))["decided"] == [s1]

    status, body = await node.rest("GET", f"/api/sessions/{live}/moderation-log", co_teacher)
    assert status == 200
    assert [item["action"] for item in body["items"]] == [
        "settings",
        "admit",
        "mute_all",
        "lower_all_hands",
        "remove",
        "readmit",
    ]
    status, _ = await node.rest("POST", f"/api/sessions/{live}/end", co_teacher)
    assert status == 200
    await teacher.wait_for("session_ended")


async def test_opening_the_door_lets_the_waiting_in_but_not_the_removed(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    s1, s2 = world.users["student1"], world.users["student2"]
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    removed = await connect(node, "student2")
    await removed.join(live)
    assert (await teacher.call("moderation:remove", {"client_id": "r", "user_id": s2}))["ok"]
    await removed.wait_disconnected()

    await set_rules(teacher, waiting_room=True)
    waiting = await connect(node, "student1")
    assert (await waiting.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    back = await connect(node, "student2")
    assert (await back.call("join", {"session_id": live}))["error"]["code"] == "waiting"

    ack = await set_rules(teacher, waiting_room=False)
    assert ack["admitted"] == [s1]
    await waiting.wait_for("moderation:admitted")
    await waiting.join(live)
    listed = await teacher.wait_for(
        "moderation:waiting", lambda d: [w["user_id"] for w in d["waiting"]] == [s2]
    )
    assert listed["waiting"][0]["removed_earlier"] is True
    assert "moderation:admitted" not in back.events
    assert (await back.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    assert await log_actions(db, live) == ["remove", "settings", "settings", "admit"]


async def test_mute_all_pauses_every_student_microphone_and_keeps_own_mutes(
    node: Node, world: World, live: int, connect: Connect
) -> None:
    """Real SFU producers: the moderator hold pauses them, lifting it keeps a student's own."""
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    peers = []
    for login in ("student1", "student2"):
        client = await connect(node, login)
        await client.join(live)
        peers.append(MediaClient(client))
    try:
        mics = []
        for peer in peers:
            ack = await peer.publish([(AudioStreamTrack(), "microphone")])
            assert ack["ok"], ack
            mics.append(ack["producers"][0]["id"])
        # student2 turns their own microphone off first.
        ack = await peers[1].live.call("media:pause_producer", {"producer_id": mics[1]})
        assert ack["ok"]

        ack = await teacher.call("moderation:mute_all", {"source": "microphone"})
        assert ack["ok"], ack
        paused = await teacher.wait_for(
            "media:producer_paused", lambda d: d["producer_id"] == mics[0]
        )
        assert paused["holds"] == ["moderator"]
        resumed = await peers[0].live.call("media:resume_producer", {"producer_id": mics[0]})
        assert resumed["error"]["code"] == "forbidden"  # the student cannot lift it

        teacher.forget("media:producer_resumed")
        assert (await teacher.call("moderation:unmute_all", {}))["ok"]
        back = await teacher.wait_for(
            "media:producer_resumed", lambda d: d["producer_id"] == mics[0]
        )
        assert back["holds"] == []
        config = await peers[1].live.call("media:config", {})
        own = next(p for p in config["producers"] if p["id"] == mics[1])
        assert own["paused"] is True and own["holds"] == ["self"]
    finally:
        for peer in peers:
            await peer.close()


@pytest.mark.redis
async def test_the_door_holds_across_two_nodes(
    start_node: StartNode,
    settings: Settings,
    redis_url: str,
    world: World,
    live: int,
    connect: Connect,
) -> None:
    """Rules set on one node apply on the other; the admission crosses nodes through Redis."""
    shared = settings.model_copy(
        update={"redis_url": redis_url, "fanout_channel": f"newssem-test-{uuid.uuid4().hex}"}
    )
    node1, node2 = await start_node(shared), await start_node(shared)
    teacher = await connect(node1, "teacher")
    await teacher.join(live)
    await set_rules(teacher, waiting_room=True, student_chat=False)

    student = await connect(node2, "student1")
    assert (await student.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    await teacher.wait_for("moderation:waiting", lambda d: d["waiting"])
    assert (await teacher.call("moderation:admit", {"user_id": world.users["student1"]}))["ok"]
    await student.wait_for("moderation:admitted")
    joined = await student.join(live)
    assert joined["tools"]["moderation"]["settings"]["student_chat"] is False
    ack = await student.call("chat:send", {"client_id": "c", "body": "hi"})
    assert ack["error"]["code"] == "forbidden"


async def test_closing_the_waiting_page_takes_the_student_off_the_list(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    s1 = world.users["student1"]
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    await set_rules(teacher, waiting_room=True)
    first_tab = await connect(node, "student1")
    second_tab = await connect(node, "student1")
    for tab in (first_tab, second_tab):
        assert (await tab.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    await teacher.wait_for("moderation:waiting", lambda d: [w["user_id"] for w in d["waiting"]])

    await first_tab.close()  # another tab still waits: still listed
    await asyncio.sleep(0.2)
    async with db() as s:
        entry = await s.scalar(select(WaitingEntry).where(WaitingEntry.user_id == s1))
        assert entry is not None and entry.status is WaitingStatus.WAITING

    teacher.forget("moderation:waiting")
    await second_tab.close()
    assert (await teacher.wait_for("moderation:waiting")) == {"waiting": []}
    async with db() as s:
        entry = await s.scalar(select(WaitingEntry).where(WaitingEntry.user_id == s1))
        assert entry is not None and entry.status is WaitingStatus.LEFT
    # Nobody to admit any more; coming back lists the student again.
    assert (await teacher.call("moderation:admit", {"user_id": s1}))["decided"] == []
    back = await connect(node, "student1")
    assert (await back.call("join", {"session_id": live}))["error"]["code"] == "waiting"
    await teacher.wait_for("moderation:waiting", lambda d: d["waiting"])


async def test_muting_nobody_is_not_found_and_not_logged(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    mute = {"user_id": 999_999, "source": "microphone"}
    assert (await student.call("moderation:mute", mute))["error"]["code"] == "forbidden"
    for event in ("moderation:mute", "moderation:unmute"):
        assert (await teacher.call(event, mute))["error"]["code"] == "not_found"
    assert await log_actions(db, live) == []
