"""Namespace ``/class`` on one node: auth, joining, presence, chat, hands, removal, ending."""

from __future__ import annotations

import asyncio

import pytest
import socketio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    AttendanceInterval,
    ChatMessage,
    LeaveReason,
    LiveSession,
    LiveSessionStatus,
    RoomEvent,
    User,
)
from lms.services import room_log
from server.auth import COOKIE_NAME
from server.live import SIO
from server.settings import Settings
from tests.api.conftest import World
from tests.live.conftest import (
    Connect,
    LiveClient,
    Node,
    StartNode,
    count,
    present,
    set_status,
)

pytestmark = pytest.mark.usefixtures("engine")

DB = async_sessionmaker[AsyncSession]


async def intervals(db: DB, session_id: int, user_id: int) -> list[AttendanceInterval]:
    async with db() as s:
        return list(
            await s.scalars(
                select(AttendanceInterval)
                .where(
                    AttendanceInterval.session_id == session_id,
                    AttendanceInterval.user_id == user_id,
                )
                .order_by(AttendanceInterval.id)
            )
        )


async def last_seq(db: DB, session_id: int) -> int:
    async with db() as s:
        return int(await s.scalar(select(LiveSession.last_seq).where(LiveSession.id == session_id)))


async def test_connect_without_or_with_a_bad_token_is_refused(node: Node, world: World) -> None:
    for token in (None, "not-a-token"):
        client = LiveClient("nobody")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(node, token)
        await client.close()


async def test_a_browser_connects_with_its_session_cookie(
    node: Node, world: World, live: int
) -> None:
    browser = LiveClient("student1")
    token = await node.token("student1")
    try:
        await browser.connect(node, None, headers={"Cookie": f"{COOKIE_NAME}={token}"})
        ack = await browser.join(live)
        assert ack["you"]["user_id"] == world.users["student1"]
    finally:
        await browser.close()
    stranger = LiveClient("nobody")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await stranger.connect(node, None, headers={"Cookie": f"{COOKIE_NAME}=forged"})
    await stranger.close()


async def test_join_refusals(node: Node, world: World, db: DB, connect: Connect) -> None:
    outsider = await connect(node, "teacher2")
    ack = await outsider.call("join", {"session_id": world.session})
    assert ack == {"ok": False, "error": ack["error"]} and ack["error"]["code"] == "forbidden"

    student = await connect(node, "student1")
    ack = await student.call("join", {"session_id": world.session})  # still scheduled
    assert ack["error"]["code"] == "conflict" and "not started" in ack["error"]["message"]

    ack = await student.call("join", {"session_id": 999_999})
    assert ack["error"]["code"] == "not_found"

    await set_status(db, world.session, LiveSessionStatus.ENDED)
    ack = await student.call("join", {"session_id": world.session})
    assert ack["error"]["code"] == "conflict" and "ended" in ack["error"]["message"]
    assert await count(db, AttendanceInterval) == 0


async def test_presence_follows_join_and_leave(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher_id, student_id = world.users["teacher"], world.users["student1"]
    teacher = await connect(node, "teacher")
    joined = await teacher.join(live)
    assert joined["you"] == {
        "user_id": teacher_id, "display_name": "Teacher", "role": "teacher",
        "hand_raised": False, "connected": True,
    }
    assert joined["resumed"] is False and joined["session"]["status"] == "live"

    student = await connect(node, "student1")
    ack = await student.join(live)
    assert [p["user_id"] for p in ack["participants"]] == [teacher_id, student_id]
    await teacher.wait_for("presence", present(teacher_id, student_id))

    teacher.forget("presence")
    assert (await student.call("leave", {}))["ok"]
    await teacher.wait_for("presence", present(teacher_id))
    [interval] = await intervals(db, live, student_id)
    assert interval.leave_reason is LeaveReason.LEFT and interval.left_at is not None


async def test_chat_is_stored_before_the_ack_broadcast_once_and_replayed(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)

    ack = await teacher.call("chat:send", {"client_id": "m-1", "body": "  안녕하세요  "})
    assert ack["ok"], ack
    message = ack["message"]
    assert message["seq"] == 1 and message["kind"] == "chat"
    assert message["payload"]["body"] == "안녕하세요" and message["payload"]["client_id"] == "m-1"
    assert message["actor"] == {"id": world.users["teacher"], "display_name": "Teacher"}
    # Durable before the ack: the row is there the moment the ack arrives.
    async with db() as s:
        row = await s.get(ChatMessage, message["payload"]["id"])
    assert row is not None and row.seq == 1

    retry = await teacher.call("chat:send", {"client_id": "m-1", "body": "  안녕하세요  "})
    assert retry == ack
    second = await teacher.call("chat:send", {"client_id": "m-2", "body": "두 번째"})
    assert second["message"]["seq"] == 2
    await student.wait_for("room_event", lambda e: e["seq"] == 2)
    assert [e["seq"] for e in student.events["room_event"]] == [1, 2]
    assert await count(db, ChatMessage) == 2 and await last_seq(db, live) == 2

    late = await connect(node, "student2")
    history = (await late.join(live))["history"]
    assert [e["payload"]["body"] for e in history] == ["안녕하세요", "두 번째"]
    assert history[0] == message
    again = await connect(node, "student2")
    ack = await again.join(live, last_seq=1)
    assert [e["seq"] for e in ack["history"]] == [2] and ack["last_seq"] == 2

    status, body = await node.rest("GET", f"/api/sessions/{live}/chat?after_seq=1", "student1")
    assert status == 200 and [e["seq"] for e in body["items"]] == [2]


async def test_chat_size_limit_and_blank_messages(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    student = await connect(node, "student1")
    await student.join(live)
    limit = 2000
    ack = await student.call("chat:send", {"client_id": "a", "body": "가" * (limit + 1)})
    assert ack["error"]["code"] == "invalid_input"
    ack = await student.call("chat:send", {"client_id": "b", "body": " \n\t "})
    assert ack["error"]["code"] == "invalid_input"
    ack = await student.call("chat:send", {"client_id": "c", "body": " " + "가" * limit + " "})
    assert ack["ok"]
    assert await count(db, ChatMessage) == 1 and await last_seq(db, live) == 1


MALFORMED = [
    ("chat:send", {"client_id": "x", "body": 5}),
    ("chat:send", {"client_id": "", "body": "hi"}),
    ("chat:send", {"client_id": "x" * 65, "body": "hi"}),
    ("chat:send", {"body": "hi"}),
    ("chat:send", {"client_id": "x", "body": "hi", "sender_id": 1}),
    ("chat:send", "hi"),
    ("chat:send", None),
    ("chat:send", ["x", "hi"]),
    ("hand:raise", {"client_id": 7}),
    ("hand:lower", {"client_id": "x", "user_id": "2"}),
    ("moderation:remove", {"client_id": "x"}),
    ("moderation:remove", {"client_id": "x", "user_id": -3}),
    ("moderation:lower_all_hands", {}),
    ("join", {"session_id": "1"}),
    ("join", {"session_id": True}),
    ("join", {"session_id": 1, "last_seq": -1}),
    ("leave", {"now": True}),
]


async def test_malformed_payloads_fail_and_change_nothing(
    start_node: StartNode, settings: Settings, world: World, live: int, db: DB, connect: Connect
) -> None:
    # A budget above the number of cases: this test is about validation, not the rate limit.
    node = await start_node(settings.model_copy(update={"events_per_10s": 100}))
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    for event, data in MALFORMED:
        ack = await teacher.call(event, data)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_input", (event, data, ack)
    assert await count(db, ChatMessage) == 0 and await count(db, RoomEvent) == 0
    assert await last_seq(db, live) == 0
    assert not teacher.events["room_event"]


async def test_unknown_event_gets_an_error_event(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    student = await connect(node, "student1")
    await student.join(live)
    ack = await student.call("grades:set", {"user_id": 1, "grade": "A"})
    assert ack["error"]["code"] == "unknown_event"
    error = await student.wait_for("error")
    assert error["code"] == "unknown_event" and "grades:set" in error["message"]
    assert await last_seq(db, live) == 0


async def test_events_before_join_are_refused(node: Node, world: World, connect: Connect) -> None:
    student = await connect(node, "student1")
    ack = await student.call("chat:send", {"client_id": "x", "body": "hi"})
    assert ack["error"]["code"] == "conflict"


async def test_flooding_is_rate_limited(
    start_node, settings, engine, world: World, live: int, db: DB, connect: Connect
) -> None:
    node = await start_node(settings.model_copy(update={"events_per_10s": 5}))
    student = await connect(node, "student1")
    await student.join(live)  # one token spent
    acks = await asyncio.gather(
        *(student.call("chat:send", {"client_id": f"f{i}", "body": "도배"}) for i in range(10))
    )
    limited = [a for a in acks if not a["ok"]]
    assert len(limited) >= 5
    assert {a["error"]["code"] for a in limited} == {"rate_limited"}
    assert await count(db, ChatMessage) == sum(a["ok"] for a in acks) <= 4


async def test_hands_raise_lower_and_teacher_lowers(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    s1, s2 = world.users["student1"], world.users["student2"]
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    other = await connect(node, "student2")
    for client in (teacher, student, other):
        await client.join(live)

    def hands(*raised: int):
        return lambda d: {p["user_id"] for p in d["participants"] if p["hand_raised"]} == set(
            raised
        )

    ack = await student.call("hand:raise", {"client_id": "h1"})
    assert ack["ok"] and ack["event"]["kind"] == "hand_raised" and ack["event"]["target_id"] == s1
    await teacher.wait_for("presence", hands(s1))
    assert (await other.call("hand:raise", {"client_id": "h2"}))["ok"]
    await teacher.wait_for("presence", hands(s1, s2))

    ack = await other.call("hand:lower", {"client_id": "l1", "user_id": s1})
    assert ack["error"]["code"] == "forbidden"
    ack = await student.call("hand:lower", {"client_id": "l2"})
    assert ack["ok"] and ack["event"]["target_id"] == s1
    await teacher.wait_for("presence", hands(s2))

    ack = await teacher.call("hand:lower", {"client_id": "t0", "user_id": 999_999})
    assert ack["error"]["code"] == "not_found"
    student.forget("presence")
    ack = await teacher.call("hand:lower", {"client_id": "t1", "user_id": s2})
    assert ack["ok"] and ack["event"]["actor"]["id"] == world.users["teacher"]
    await student.wait_for("presence", hands())

    assert (await student.call("hand:raise", {"client_id": "h3"}))["ok"]
    assert (await other.call("moderation:lower_all_hands", {"client_id": "a"}))["error"][
        "code"
    ] == "forbidden"
    other.forget("presence")
    ack = await teacher.call("moderation:lower_all_hands", {"client_id": "all"})
    assert ack["ok"] and ack["event"]["payload"] == {"all": True}
    await other.wait_for("presence", hands())
    kinds = [e["kind"] for e in other.events["room_event"]]
    assert kinds == ["hand_raised", "hand_raised", "hand_lowered", "hand_lowered",
                     "hand_raised", "hand_lowered"]
    assert await count(db, RoomEvent) == 6


async def test_teacher_removes_a_student_who_cannot_return(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher_id, s1 = world.users["teacher"], world.users["student1"]
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    second_tab = await connect(node, "student1")
    other = await connect(node, "student2")
    for client in (teacher, student, second_tab, other):
        await client.join(live)

    ack = await other.call("moderation:remove", {"client_id": "r0", "user_id": s1})
    assert ack["error"]["code"] == "forbidden"

    ack = await teacher.call("moderation:remove", {"client_id": "r2", "user_id": 999_999})
    assert ack["error"]["code"] == "not_found"
    ack = await teacher.call("moderation:remove", {"client_id": "r3", "user_id": teacher_id})
    assert ack["error"]["code"] == "invalid_input"

    teacher.forget("presence")
    ack = await teacher.call("moderation:remove", {"client_id": "r1", "user_id": s1})
    assert ack["ok"] and ack["event"]["kind"] == "participant_removed"
    assert ack["event"]["target_id"] == s1
    for tab in (student, second_tab):
        assert await tab.wait_for("removed") == {"reason": "removed"}
    await student.wait_disconnected()
    await second_tab.wait_disconnected()
    await teacher.wait_for("presence", present(teacher_id, world.users["student2"]))
    [interval] = await intervals(db, live, s1)
    assert interval.leave_reason is LeaveReason.REMOVED

    # Coming back needs a teacher's approval: the student waits (docs/moderation.md).
    back = await connect(node, "student1")
    ack = await back.call("join", {"session_id": live})
    assert ack["error"]["code"] == "waiting"
    assert ack["error"]["details"]["removed_earlier"] is True
    assert len(await intervals(db, live, s1)) == 1


async def test_a_removed_socket_left_behind_cannot_write(
    node: Node, world: World, live: int, db: DB, connect: Connect,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Removal's disconnect travels through the fan-out and may be lost; writes are refused."""

    async def lost(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(node.server.app[SIO], "disconnect", lost)
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    removal = {"client_id": "r", "user_id": world.users["student1"]}
    assert (await teacher.call("moderation:remove", removal))["ok"]
    await student.wait_for("removed")
    assert student.sio.connected
    for event, data in [("chat:send", {"client_id": "x", "body": "still here"}),
                        ("hand:raise", {"client_id": "h"})]:
        ack = await student.call(event, data)
        assert ack["error"]["code"] == "forbidden", (event, ack)
    assert await count(db, ChatMessage) == 0 and await count(db, RoomEvent) == 1


async def test_reconnect_within_grace_resumes_and_replays(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher_id, s1 = world.users["teacher"], world.users["student1"]
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    seen = (await student.call("chat:send", {"client_id": "s1", "body": "질문 있어요"}))
    seen_seq = seen["message"]["seq"]

    teacher.forget("presence")
    await student.sio.eio.disconnect(abort=True)  # the network drops; no leave is sent
    await teacher.wait_for("presence", present(teacher_id))
    [interval] = await intervals(db, live, s1)
    assert interval.leave_reason is LeaveReason.NETWORK_LOST
    await teacher.call("chat:send", {"client_id": "t1", "body": "while you were away"})
    assert (await teacher.call("hand:raise", {"client_id": "h"}))["ok"]

    teacher.forget("presence")
    back = await connect(node, "student1")
    ack = await back.join(live, last_seq=seen_seq)
    assert ack["resumed"] is True
    assert [e["kind"] for e in ack["history"]] == ["chat", "hand_raised"]
    assert ack["history"][0]["payload"]["body"] == "while you were away"
    assert ack["last_seq"] == seen_seq + 2
    await teacher.wait_for("presence", present(teacher_id, s1))
    [interval] = await intervals(db, live, s1)
    assert interval.left_at is None and interval.leave_reason is None


async def test_a_dropped_tab_keeps_attendance_while_another_tab_stays(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher_id, s1 = world.users["teacher"], world.users["student1"]
    teacher = await connect(node, "teacher")
    tab1 = await connect(node, "student1")
    tab2 = await connect(node, "student1")
    for client in (teacher, tab1, tab2):
        await client.join(live)

    teacher.forget("presence")
    await tab1.sio.eio.disconnect(abort=True)
    await teacher.wait_for("presence")
    assert present(teacher_id, s1)(teacher.events["presence"][-1])
    [interval] = await intervals(db, live, s1)
    assert interval.left_at is None

    await tab2.sio.eio.disconnect(abort=True)
    await teacher.wait_for("presence", present(teacher_id))
    [interval] = await intervals(db, live, s1)
    assert interval.leave_reason is LeaveReason.NETWORK_LOST


async def test_a_long_absence_replays_the_newest_events(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    missed = room_log.HISTORY_CAP + 5
    async with db() as s, s.begin():
        sender = await s.get(User, world.users["teacher"])
        assert sender is not None
        for i in range(1, missed + 2):
            await room_log.post_chat(s, live, sender.id, f"c{i}", f"message {i}")
    student = await connect(node, "student1")
    ack = await student.join(live, last_seq=1)
    seqs = [e["seq"] for e in ack["history"]]
    assert len(seqs) == room_log.HISTORY_CAP and seqs[-1] == ack["last_seq"] == missed + 1
    assert seqs == sorted(seqs) and seqs[0] == missed + 2 - room_log.HISTORY_CAP


async def test_ending_the_session_tells_and_disconnects_the_room(
    node: Node, world: World, live: int, db: DB, connect: Connect
) -> None:
    teacher = await connect(node, "teacher")
    student = await connect(node, "student1")
    await teacher.join(live)
    await student.join(live)
    status, body = await node.rest("POST", f"/api/sessions/{live}/end", "teacher")
    assert status == 200 and body["status"] == "ended"
    for client in (teacher, student):
        assert await client.wait_for("session_ended") == {"session_id": live}
    await student.wait_disconnected()
    await teacher.wait_disconnected()
    [interval] = await intervals(db, live, world.users["student1"])
    assert interval.leave_reason is LeaveReason.SESSION_ENDED


async def test_healthz_reports_local_fanout(node: Node, world: World) -> None:
    async with node.http.get(f"{node.url}/healthz") as response:
        body = await response.json()
    assert response.status == 200 and body["fanout"] == {"ok": True, "mode": "local"}


async def test_node_shutdown_closes_intervals(
    start_node, settings, engine, world: World, live: int, db: DB, connect: Connect
) -> None:
    node = await start_node(settings)
    student = await connect(node, "student1")
    await student.join(live)
    async with asyncio.timeout(1.0):  # the node closes its sockets instead of waiting on them
        await node.server.close()
    await student.wait_disconnected()
    [interval] = await intervals(db, live, world.users["student1"])
    assert interval.leave_reason is LeaveReason.NODE_SHUTDOWN
