"""Media holds at the service level: teachers' mutes and the student camera and screen rules
are stored, logged with their change, read back by a fresh session (as a restarted node reads
them), lifted by teachers only, and ended with the session."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.attendance_rules import AttendanceRules
from lms.db import session_factory
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.migrate import alembic_config, downgrade, upgrade
from lms.models import MediaHold, ModerationLogEntry, RoomSettings, User
from lms.services import live_sessions, media_holds, moderation
from lms.services.media_holds import MediaRules
from tests.lms import test_moderation
from tests.lms.conftest import World

Factory = async_sessionmaker[AsyncSession]
NOW = test_moderation.NOW
live = test_moderation.live  # the fixture: the course's session, started at NOW


async def rules(db: Factory, live: int) -> MediaRules:
    """The rules as a node that starts the class reads them: in a session of its own."""
    async with db() as s:
        return await media_holds.media_rules(s, live)


async def mute(db: Factory, actor: User, live: int, user: User, source: str, held: bool) -> None:
    async with db() as s, s.begin():
        await media_holds.set_mute(s, actor, live, user.id, source, held)


async def logged(db: Factory, live: int) -> list[tuple[str, int | None, dict[str, object]]]:
    async with db() as s:
        entry = ModerationLogEntry
        rows = await s.execute(
            select(entry.action, entry.target_id, entry.details)
            .where(entry.session_id == live)
            .order_by(entry.id)
        )
        return [(str(action), target, dict(details)) for action, target, details in rows]


async def hold_rows(db: Factory, live: int) -> int:
    async with db() as s:
        query = select(func.count()).select_from(MediaHold).where(MediaHold.session_id == live)
        return int(await s.scalar(query) or 0)


async def test_a_new_class_has_the_default_rules(db: Factory, world: World, live: int) -> None:
    found = await rules(db, live)
    assert found == MediaRules()
    assert found.policy() == {"student_cameras_allowed": True, "student_screens_allowed": False}
    assert found.holds_of(world.students[0].id)["muted"] == []
    assert found.allows(True, "camera") and not found.allows(True, "screen")
    assert found.allows(False, "screen")  # teachers always may


async def test_a_mute_is_stored_logged_and_lifted_by_a_teacher(
    db: Factory, world: World, live: int
) -> None:
    student, other = world.students[0], world.students[1]
    await mute(db, world.teacher, live, student, "microphone", True)
    await mute(db, world.teacher, live, student, "microphone", True)  # a second click
    await mute(db, world.teacher, live, student, "camera", True)
    stored = await rules(db, live)
    assert stored.muted == {(student.id, "microphone"), (student.id, "camera")}
    assert stored.holds_of(student.id)["muted"] == ["camera", "microphone"]
    assert stored.holds_of(other.id)["muted"] == []
    assert await hold_rows(db, live) == 2  # held once per source, however often clicked

    # The student cannot lift it, nor can a teacher of another school.
    for outsider in (student, world.other_teacher):
        with pytest.raises(Forbidden):
            await mute(db, outsider, live, student, "microphone", False)
    assert (await rules(db, live)).is_muted(student.id, "microphone")

    await mute(db, world.teacher, live, student, "microphone", False)
    assert (await rules(db, live)).muted == {(student.id, "camera")}
    assert await logged(db, live) == [
        ("mute", student.id, {"source": "microphone"}),
        ("mute", student.id, {"source": "microphone"}),
        ("mute", student.id, {"source": "camera"}),
        ("unmute", student.id, {"source": "microphone"}),
    ]


async def test_bad_mutes_are_refused_and_nothing_is_stored(
    db: Factory, world: World, live: int
) -> None:
    student = world.students[0]
    with pytest.raises(NotFound):
        async with db() as s, s.begin():
            await media_holds.set_mute(s, world.teacher, live, 999_999, "microphone", True)
    with pytest.raises(InvalidInput):
        await mute(db, world.teacher, live, student, "radio", True)
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await media_holds.allow(s, world.teacher, live, "microphone", False)
    with pytest.raises(NotFound):
        await mute(db, world.teacher, 999_999, student, "microphone", True)
    assert await hold_rows(db, live) == 0
    assert await logged(db, live) == []


async def test_mute_all_holds_those_named_and_lifting_all_lifts_one_source(
    db: Factory, world: World, live: int
) -> None:
    s1, s2, s3 = world.students
    await mute(db, world.teacher, live, s3, "camera", True)
    async with db() as s, s.begin():
        await media_holds.set_mute_all(s, world.teacher, live, [s2.id, s1.id, s1.id], "microphone")
    assert (await rules(db, live)).muted == {
        (s1.id, "microphone"),
        (s2.id, "microphone"),
        (s3.id, "camera"),
    }
    async with db() as s, s.begin():
        await media_holds.set_mute_all(s, world.teacher, live, None, "microphone")
    assert (await rules(db, live)).muted == {(s3.id, "camera")}  # another source stays held
    assert [entry[::2] for entry in (await logged(db, live))[1:]] == [
        ("mute_all", {"source": "microphone", "user_ids": sorted([s1.id, s2.id])}),
        ("unmute_all", {"source": "microphone"}),
    ]


async def test_camera_and_screen_rules_are_stored_with_the_room_settings(
    db: Factory, world: World, live: int
) -> None:
    async with db() as s, s.begin():
        await media_holds.allow(s, world.teacher, live, "camera", False)
    assert (await rules(db, live)).policy() == {
        "student_cameras_allowed": False,
        "student_screens_allowed": False,
    }
    async with db() as s:
        # The row the rule created leaves the room's other settings at their defaults.
        assert await moderation.room_settings(s, live) == moderation.settings_dict(None)
        settings = await s.get(RoomSettings, live)
        assert settings is not None and settings.updated_by == world.teacher.id
    async with db() as s, s.begin():
        await moderation.update_settings(s, world.teacher, live, {"student_chat": False})
        await media_holds.allow(s, world.teacher, live, "screen", True)
    stored = await rules(db, live)
    assert not stored.allows(True, "camera") and stored.allows(True, "screen")
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await media_holds.allow(s, world.students[0], live, "camera", True)
    assert [entry[::2] for entry in await logged(db, live)] == [
        ("cameras", {"allowed": False}),
        ("settings", {"student_chat": False}),
        ("screens", {"allowed": True}),
    ]


async def test_holds_are_only_changed_while_the_class_is_live_and_end_with_it(
    db: Factory, world: World, live: int
) -> None:
    student = world.students[0]
    await mute(db, world.teacher, live, student, "microphone", True)
    async with db() as s, s.begin():
        await live_sessions.end_session(s, world.teacher, live, AttendanceRules())
        await media_holds.end_holds(s, live)
    assert (await rules(db, live)).muted == frozenset()
    with pytest.raises(Conflict):
        await mute(db, world.teacher, live, student, "microphone", True)
    async with db() as s, s.begin():
        scheduled = await live_sessions.schedule_session(
            s,
            world.teacher,
            world.course.id,
            title="내일",
            scheduled_start=NOW + timedelta(days=1),
            scheduled_end=NOW + timedelta(days=1, hours=1),
        )
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await media_holds.allow(s, world.teacher, scheduled.id, "camera", False)


async def test_upgrade_keeps_existing_room_settings_with_the_default_media_rules(
    database_url: str, engine: AsyncEngine, world: World, live: int
) -> None:
    """Revision 0202 adds the two rules to rooms that already have settings: cameras stay
    allowed and screens not, as they were before the rules were stored."""
    db = session_factory(engine)
    async with db() as s, s.begin():
        await moderation.update_settings(s, world.teacher, live, {"locked": True})
    # The tables came from the models, which are every head's schema (test_migrations).
    await asyncio.to_thread(command.stamp, alembic_config(database_url), "heads")
    await asyncio.to_thread(downgrade, database_url, "0201_moderation")
    async with engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in sync.dialect.get_columns(sync, "room_settings")}
        )
    assert "student_cameras_allowed" not in columns
    await asyncio.to_thread(upgrade, database_url)
    async with db() as s:
        assert await moderation.room_settings(s, live) == {
            **moderation.settings_dict(None),
            "locked": True,
        }
    assert (await rules(db, live)).policy() == MediaRules().policy()
