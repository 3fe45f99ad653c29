"""Alembic owns the schema: a fresh database upgraded to head matches the models exactly."""

from __future__ import annotations

import asyncio
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

import lms.models  # noqa: F401
from lms.db import Base, create_engine, session_factory
from lms.migrate import alembic_config, downgrade, upgrade, upgrade_async
from lms.models import (
    Course,
    CourseSection,
    Lesson,
    LessonKind,
    LessonProgress,
    Role,
    School,
    SchoolKind,
    StoredFile,
    User,
)


def _compare(sync: Connection) -> list[object]:
    with warnings.catch_warnings():
        # The user search's trigram indexes are PostgreSQL's only (``ddl_if``); SQLite can't
        # reflect expression indexes anyway, and alembic says so for each one.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        return compare_metadata(
            MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
        )


async def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_compare)
    finally:
        await engine.dispose()


def all_revisions() -> set[str]:
    """Every revision of the tree: each feature's migrations may form a branch of their own."""
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def applied(current_heads: tuple[str, ...]) -> set[str]:
    """The revisions a database at ``current_heads`` has applied (heads and their ancestors,
    including those a revision ``depends_on``)."""
    if not current_heads:
        return set()
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.iterate_revisions(current_heads, "base")}


async def revision_and_tables(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: (
                applied(MigrationContext.configure(sync).get_current_heads()),
                set(inspect(sync).get_table_names()) - {"alembic_version"},
            )
        )


async def empty_schema(engine: AsyncEngine) -> None:
    """The ``engine`` fixture created the tables from the models; start from nothing.

    The PostgreSQL database is shared by the run, so an earlier test's version row goes too.
    """
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


async def test_upgrade_to_head_matches_models(database_url: str, engine: AsyncEngine) -> None:
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url)
    assert await schema_differences(database_url) == []
    await asyncio.to_thread(upgrade, database_url)  # a second upgrade is a no-op
    assert await revision_and_tables(engine) == (all_revisions(), set(Base.metadata.tables))


async def test_upgrade_from_async_code(database_url: str, engine: AsyncEngine) -> None:
    await empty_schema(engine)
    await upgrade_async(engine)
    assert await schema_differences(database_url) == []
    await upgrade_async(database_url)  # by URL too, and again a no-op
    upgrade(database_url)  # the sync entry point also works while a loop is running
    assert await revision_and_tables(engine) == (all_revisions(), set(Base.metadata.tables))


async def test_downgrade_to_base_and_back(database_url: str, engine: AsyncEngine) -> None:
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(downgrade, database_url, "base")
    assert await revision_and_tables(engine) == (set(), set())
    await asyncio.to_thread(upgrade, database_url)
    assert await schema_differences(database_url) == []


async def test_room_event_kinds_are_open_after_upgrade(
    database_url: str, engine: AsyncEngine
) -> None:
    """Migration 0002 drops the kind CHECK: a tool's new kind needs no migration of its own."""
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url)
    async with engine.connect() as conn:
        checks = await conn.run_sync(
            lambda sync: inspect(sync).get_check_constraints("room_event")
        )
        school_checks = await conn.run_sync(
            lambda sync: inspect(sync).get_check_constraints("school")
        )
    assert not [check for check in checks if "hand_raised" in check["sqltext"]]
    assert [check for check in school_checks if "elementary" in check["sqltext"]]


async def test_lesson_file_key_keeps_lessons_and_their_progress(
    database_url: str, engine: AsyncEngine
) -> None:
    """Revision 0502 adds ``lesson.file_id``'s key to a database that has lessons: on SQLite by a
    table rebuild that must keep every lesson and every progress row that refers to one."""
    await empty_schema(engine)
    for revision in ("0401_shared_content", "0501_courseware"):
        await asyncio.to_thread(upgrade, database_url, revision)
    async with session_factory(engine)() as s, s.begin():
        school = School(code="S1", name="가나초등학교", kind=SchoolKind.ELEMENTARY)
        s.add(school)
        await s.flush()
        teacher = User(login="t", display_name="t", password_hash="x", role=Role.TEACHER)
        s.add(teacher)
        await s.flush()
        course = Course(school_id=school.id, title="과학")
        s.add(course)
        await s.flush()
        section = CourseSection(course_id=course.id, title="1단원")
        stored = StoredFile(owner_id=teacher.id, course_id=course.id, purpose="lesson",
                            sha256="0" * 64, size=1, mime="application/pdf",
                            original_name="a.pdf")  # fmt: skip
        s.add_all([section, stored])
        await s.flush()
        lessons = [
            Lesson(course_id=course.id, section_id=section.id, kind=LessonKind.DOCUMENT,
                   title=title, file_id=file_id, client_id=title, created_by=teacher.id)
            for title, file_id in (("kept", stored.id), ("lost", stored.id + 1000))
        ]  # fmt: skip
        s.add_all(lessons)
        await s.flush()
        s.add_all(LessonProgress(lesson_id=lesson.id, user_id=teacher.id) for lesson in lessons)
        ids = (stored.id, lessons[0].id, lessons[1].id)
    await asyncio.to_thread(upgrade, database_url)
    assert await schema_differences(database_url) == []
    file_id, kept_id, lost_id = ids
    async with session_factory(engine)() as s:
        kept, lost = await s.get(Lesson, kept_id), await s.get(Lesson, lost_id)
        assert kept is not None and lost is not None
        assert (kept.file_id, kept.visible) == (file_id, True)
        assert (lost.file_id, lost.visible) == (None, False)  # a hidden draft, never a dangling id
        progress = await s.scalars(text("SELECT lesson_id FROM lesson_progress ORDER BY id"))
        assert list(progress) == [kept_id, lost_id]
