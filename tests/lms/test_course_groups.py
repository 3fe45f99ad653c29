"""Course groups: teachers manage them, members must be enrolled, breakouts read them."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput
from lms.services import course_groups
from tests.lms.conftest import World

Db = async_sessionmaker[AsyncSession]


async def test_teacher_creates_groups_read_back_with_members(db: Db, world: World) -> None:
    s1, s2, s3 = (student.id for student in world.students)
    async with db() as session, session.begin():
        await course_groups.create_group(
            session, world.teacher, world.course.id, name="2모둠", user_ids=[s3]
        )
        await course_groups.create_group(
            session, world.teacher, world.course.id, name="1모둠", user_ids=[s2, s1, s1]
        )
    async with db() as session:
        groups = await course_groups.groups_of_course(session, world.course.id)
    assert [(g.group.name, g.member_ids) for g in groups] == [("1모둠", [s1, s2]), ("2모둠", [s3])]


async def test_members_must_be_enrolled_and_names_unique(db: Db, world: World) -> None:
    async with db() as session, session.begin():
        with pytest.raises(InvalidInput):
            await course_groups.create_group(
                session, world.teacher, world.course.id, name="A", user_ids=[world.other_teacher.id]
            )
        await course_groups.create_group(session, world.teacher, world.course.id, name="A")
        with pytest.raises(Conflict):
            await course_groups.create_group(session, world.teacher, world.course.id, name="A")


async def test_only_teachers_manage_and_students_see_their_own(db: Db, world: World) -> None:
    s1, s2, _ = world.students
    async with db() as session, session.begin():
        with pytest.raises(Forbidden):
            await course_groups.create_group(session, s1, world.course.id, name="X")
        with pytest.raises(Forbidden):
            await course_groups.create_group(
                session, world.other_school_admin, world.course.id, name="X"
            )
        mine = await course_groups.create_group(
            session, world.teacher, world.course.id, name="X", user_ids=[s1.id]
        )
        await course_groups.create_group(
            session, world.school_admin, world.course.id, name="Y", user_ids=[s2.id]
        )
    async with db() as session:
        seen = await course_groups.visible_groups(session, s1, world.course.id)
        assert [entry.group.id for entry in seen] == [mine.group.id]
        with pytest.raises(Forbidden):
            await course_groups.visible_groups(session, world.other_teacher, world.course.id)


async def test_update_replaces_members_and_delete_removes(db: Db, world: World) -> None:
    s1, s2, s3 = (student.id for student in world.students)
    async with db() as session, session.begin():
        made = await course_groups.create_group(
            session, world.teacher, world.course.id, name="A", user_ids=[s1, s2]
        )
        updated = await course_groups.update_group(
            session, world.teacher, made.group.id, name="B", user_ids=[s2, s3]
        )
        assert (updated.group.name, updated.member_ids) == ("B", [s2, s3])
    async with db() as session, session.begin():
        await course_groups.delete_group(session, world.teacher, made.group.id)
    async with db() as session:
        assert await course_groups.groups_of_course(session, world.course.id) == []
