"""Moderation at the service level: room rules, the door, readmission after removal, private
messages and the moderation log, with who may do each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import (
    CourseRole,
    ModerationAction,
    ModerationLogEntry,
    PrivateMessage,
    Role,
    RoomEventKind,
    User,
)
from lms.services import accounts, attendance, courses, live_sessions, moderation, room_log
from tests.lms.conftest import PASSWORD, World

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
async def live(db: Factory, world: World) -> int:
    async with db() as s, s.begin():
        session = await live_sessions.schedule_session(
            s,
            world.teacher,
            world.course.id,
            title="토의",
            scheduled_start=NOW,
            scheduled_end=NOW + timedelta(hours=1),
        )
        await live_sessions.start_session(s, world.teacher, session.id, now=NOW)
        return session.id


async def change(db: Factory, actor: User, live: int, **changes: object) -> dict[str, object]:
    async with db() as s, s.begin():
        _, changed = await moderation.update_settings(s, actor, live, changes)
        return changed


async def knock(db: Factory, live: int, user: User, may_teach: bool = False) -> moderation.Knock:
    async with db() as s, s.begin():
        return await moderation.knock(s, live, user.id, may_teach=may_teach)


async def remove(db: Factory, world: World, live: int, user: User, client_id: str) -> None:
    async with db() as s, s.begin():
        await room_log.append_event(
            s,
            live,
            RoomEventKind.PARTICIPANT_REMOVED,
            world.teacher.id,
            client_id=client_id,
            target_id=user.id,
        )


async def decide(
    db: Factory, actor: User, live: int, users: list[User] | None, *, admit: bool
) -> list[int]:
    async with db() as s, s.begin():
        ids = None if users is None else [u.id for u in users]
        return [e.user_id for e in await moderation.decide(s, actor, live, ids, admit=admit)]


async def actions(db: Factory, live: int) -> list[tuple[str, int | None]]:
    async with db() as s:
        rows = await s.execute(
            select(ModerationLogEntry.action, ModerationLogEntry.target_id)
            .where(ModerationLogEntry.session_id == live)
            .order_by(ModerationLogEntry.id)
        )
        return [(str(action), target) for action, target in rows]


async def test_settings_default_change_once_and_only_by_teachers(
    db: Factory, world: World, live: int
) -> None:
    async with db() as s:
        assert await moderation.room_settings(s, live) == {
            "waiting_room": False,
            "locked": False,
            "student_chat": True,
            "private_chat": "teachers",
            "reactions": True,
        }
    assert await change(db, world.teacher, live, waiting_room=True, private_chat="all") == {
        "waiting_room": True,
        "private_chat": "all",
    }
    assert await change(db, world.teacher, live, waiting_room=True, locked=None) == {}
    assert await change(db, world.admin, live, reactions=False) == {"reactions": False}
    assert await change(db, world.school_admin, live, student_chat=False) == {"student_chat": False}
    for outsider in (world.students[0], world.other_teacher, world.other_school_admin):
        with pytest.raises(Forbidden):
            await change(db, outsider, live, locked=True)
    with pytest.raises(InvalidInput):
        await change(db, world.teacher, live, private_chat="friends")
    with pytest.raises(InvalidInput):
        await change(db, world.teacher, live, owner=1)
    async with db() as s:
        assert await moderation.room_settings(s, live) == {
            "waiting_room": True,
            "locked": False,
            "student_chat": False,
            "private_chat": "all",
            "reactions": False,
        }
    assert [a for a, _ in await actions(db, live)] == ["settings"] * 3


async def test_the_door_open_waiting_and_locked(db: Factory, world: World, live: int) -> None:
    first, second, third = world.students
    assert (await knock(db, live, first)).outcome == "enter"
    await change(db, world.teacher, live, waiting_room=True)

    held = await knock(db, live, first)
    assert (held.outcome, held.listed, held.removed_earlier) == ("waiting", True, False)
    again = await knock(db, live, first)
    assert (again.outcome, again.listed) == ("waiting", False)  # listed once
    assert (await knock(db, live, world.teacher, may_teach=True)).outcome == "enter"

    # A student already in class before the waiting room was turned on is not held.
    async with db() as s, s.begin():
        await attendance.open_interval(s, live, second.id, grace_seconds=120)
    assert (await knock(db, live, second)).outcome == "enter"

    async with db() as s:
        waiting = await moderation.waiting_list(s, live)
    assert [(w["user_id"], w["display_name"], w["removed_earlier"]) for w in waiting] == [
        (first.id, "student1", False)
    ]

    await change(db, world.teacher, live, locked=True)
    assert (await knock(db, live, third)).outcome == "locked"
    assert (await knock(db, live, second)).outcome == "enter"  # a reconnect
    assert (await knock(db, live, world.teacher, may_teach=True)).outcome == "enter"
    async with db() as s:
        assert [w["user_id"] for w in await moderation.waiting_list(s, live)] == [first.id]

    # A teacher's explicit admission still lets a waiting student in while locked.
    assert await decide(db, world.teacher, live, [first], admit=True) == [first.id]
    assert await decide(db, world.teacher, live, [first], admit=True) == []  # decided once
    assert (await knock(db, live, first)).outcome == "enter"


async def test_denial_and_asking_again(db: Factory, world: World, live: int) -> None:
    first, second, _ = world.students
    await change(db, world.teacher, live, waiting_room=True)
    await knock(db, live, first)
    await knock(db, live, second)
    with pytest.raises(Forbidden):
        await decide(db, first, live, None, admit=True)
    assert await decide(db, world.teacher, live, None, admit=False) == [first.id, second.id]
    assert await decide(db, world.teacher, live, [], admit=False) == []
    denied = await knock(db, live, first)
    assert (denied.outcome, denied.listed) == ("waiting", True)
    assert [a for a, _ in await actions(db, live)] == ["settings", "deny", "deny"]


async def test_removal_needs_a_readmission_for_each_removal(
    db: Factory, world: World, live: int
) -> None:
    student = world.students[0]
    await remove(db, world, live, student, "r1")
    async with db() as s:
        assert await moderation.is_removed(s, live, student.id)
    held = await knock(db, live, student)
    assert (held.outcome, held.removed_earlier) == ("waiting", True)

    assert await decide(db, world.teacher, live, [student], admit=True) == [student.id]
    async with db() as s:
        assert not await moderation.is_removed(s, live, student.id)
    assert (await knock(db, live, student)).outcome == "enter"

    await remove(db, world, live, student, "r2")
    async with db() as s:
        assert await moderation.is_removed(s, live, student.id)
    assert (await knock(db, live, student)).removed_earlier
    # Locked: a removed student cannot even ask.
    await change(db, world.teacher, live, locked=True)
    assert (await knock(db, live, student)).outcome == "locked"
    assert [a for a, _ in await actions(db, live)] == ["readmit", "settings"]


async def test_private_message_rules(db: Factory, world: World, live: int) -> None:
    first, second, _ = world.students

    async def send(sender: User, recipient: User, client_id: str) -> tuple[int, bool]:
        async with db() as s, s.begin():
            session = await live_sessions.get_session(s, live)
            message, created = await moderation.send_private(
                s, session, sender, recipient.id, client_id, "안녕하세요"
            )
            return message.id, created

    first_id, created = await send(first, world.teacher, "a")
    assert created
    assert await send(first, world.teacher, "a") == (first_id, False)
    with pytest.raises(Forbidden):
        await send(first, second, "b")
    await change(db, world.teacher, live, private_chat="all")
    assert (await send(first, second, "b"))[1]
    await change(db, world.teacher, live, private_chat="none")
    with pytest.raises(Forbidden):
        await send(first, world.teacher, "c")
    assert (await send(world.teacher, second, "t"))[1]
    # An admin overseeing the course counts as a teacher to write to, and writes freely.
    assert (await send(world.school_admin, first, "s"))[1]
    with pytest.raises(NotFound):
        await send(world.teacher, world.other_teacher, "x")
    with pytest.raises(InvalidInput):
        await send(world.teacher, world.teacher, "y")

    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(PrivateMessage)) == 4
        seen = await moderation.private_messages(s, live, second.id)
    assert [(m["client_id"], m["sender"]["id"]) for m in seen] == [
        ("b", first.id),
        ("t", world.teacher.id),
    ]


async def test_moderation_log_is_for_the_class_teachers(
    db: Factory, world: World, live: int
) -> None:
    async with db() as s, s.begin():
        co_teacher = await accounts.create_user(
            s,
            login="coteacher",
            display_name="teacher2",
            password=PASSWORD,
            role=Role.TEACHER,
            school_id=world.school.id,
        )
        await courses.enrol(s, world.teacher, world.course.id, co_teacher.id, CourseRole.CO_TEACHER)
    await change(db, co_teacher, live, waiting_room=True)
    async with db() as s, s.begin():
        await moderation.log_action(
            s,
            live,
            world.teacher.id,
            ModerationAction.MUTE,
            world.students[0].id,
            {"source": "microphone"},
        )
    for viewer in (world.teacher, co_teacher, world.admin, world.school_admin):
        async with db() as s:
            items = await moderation.read_log(s, viewer, live)
        assert [i["action"] for i in items] == ["settings", "mute"]
    assert items[0]["actor"] == {"id": co_teacher.id, "display_name": "teacher2"}
    assert items[1]["target"] == {"id": world.students[0].id, "display_name": "student1"}
    assert items[1]["details"] == {"source": "microphone"}
    async with db() as s:
        assert [
            i["action"]
            for i in await moderation.read_log(s, world.teacher, live, after_id=items[0]["id"])
        ] == ["mute"]
        for outsider in (world.students[0], world.other_school_admin):
            with pytest.raises(Forbidden):
                await moderation.read_log(s, outsider, live)
        with pytest.raises(NotFound):
            await moderation.read_log(s, world.teacher, 999_999)
        with pytest.raises(InvalidInput):
            await moderation.read_log(s, world.teacher, live, limit=0)


async def test_withdrawing_and_opening_the_door(db: Factory, world: World, live: int) -> None:
    first, second, third = world.students
    await remove(db, world, live, third, "r")
    await change(db, world.teacher, live, waiting_room=True)
    for student in (first, second, third):
        assert (await knock(db, live, student)).outcome == "waiting"
    async with db() as s, s.begin():
        assert await moderation.withdraw(s, live, second.id) is True
        assert await moderation.withdraw(s, live, second.id) is False  # already off the list
    async with db() as s, s.begin():
        # Those still waiting walk in, except the student removed earlier.
        assert await moderation.admit_waiting(s, world.teacher, live) == [first.id]
    async with db() as s:
        waiting = await moderation.waiting_list(s, live)
    assert [(w["user_id"], w["removed_earlier"]) for w in waiting] == [(third.id, True)]
    assert (await knock(db, live, second)).listed  # came back: listed again
