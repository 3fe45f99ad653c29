"""Enrolment methods: a CSV class list (all or nothing), self-enrolment with a key, finding
people by name, unenrolling without losing records."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput
from lms.models import CourseRole, Enrolment, Role, User
from lms.services import accounts, course_groups, courses, enrolment, user_admin
from tests.lms.conftest import PASSWORD, World

Db = async_sessionmaker[AsyncSession]


async def make_user(db: Db, login: str, role: Role, school_id: int, name: str = "") -> User:
    async with db() as session, session.begin():
        return await accounts.create_user(
            session,
            login=login,
            display_name=name or login,
            password=PASSWORD,
            role=role,
            school_id=school_id,
        )


async def enrolled(db: Db, course_id: int) -> dict[str, CourseRole]:
    async with db() as session:
        return {
            e_user.login: e.role for e, e_user in await courses.list_enrolments(session, course_id)
        }


async def test_csv_class_list_enrols_everyone_once(db: Db, world: World) -> None:
    await make_user(db, "new1", Role.STUDENT, world.school.id, "신입생")
    await make_user(db, "co", Role.TEACHER, world.school.id)
    data = "\ufefflogin,role\nnew1,\nco,co_teacher\nstudent1,student\n".encode()
    async with db() as session, session.begin():
        plan = await enrolment.check_enrol_csv(session, world.teacher, world.course.id, data)
        assert not plan.errors and [line for line, _, _ in plan.already] == [4]
        await enrolment.apply_enrol_csv(session, plan, world.course.id)
    roles = await enrolled(db, world.course.id)
    assert roles["new1"] is CourseRole.STUDENT and roles["co"] is CourseRole.CO_TEACHER


async def test_csv_bad_rows_enrol_nobody(db: Db, world: World) -> None:
    await make_user(db, "gone", Role.STUDENT, world.school.id)
    await make_user(db, "fresh", Role.STUDENT, world.school.id)
    async with db() as session, session.begin():
        gone = await session.scalar(select(User).where(User.login == "gone"))
        await user_admin.deactivate_user(session, world.admin, gone.id)
    data = (
        b"login,role\n"
        b"fresh,student\n"
        b"fresh,student\n"  # duplicate
        b"nobody,student\n"  # unknown login
        b"teacher2,teacher\n"  # other school
        b"gone,student\n"  # deactivated
        b"teacher,co_teacher\n"  # enrolled as teacher already
        b"fresh2,boss\n"  # bad role
    )
    async with db() as session:
        plan = await enrolment.check_enrol_csv(session, world.teacher, world.course.id, data)
    assert [(e.line, e.reason) for e in plan.errors] == [
        (3, "duplicate_in_file"),
        (4, "unknown_login"),
        (5, "other_school"),
        (6, "deactivated"),
        (7, "enrolled_otherwise"),
        (8, "bad_role"),
    ]
    async with db() as session, session.begin():
        with pytest.raises(Conflict):
            await enrolment.apply_enrol_csv(session, plan, world.course.id)
    assert "fresh" not in await enrolled(db, world.course.id)
    async with db() as session:
        with pytest.raises(InvalidInput) as caught:
            await enrolment.check_enrol_csv(
                session, world.teacher, world.course.id, b"user,role\nfresh,student\n"
            )
        assert caught.value.details["reason"] == "wrong_columns"
        with pytest.raises(Forbidden):
            await enrolment.check_enrol_csv(session, world.students[0], world.course.id, data)


async def test_self_enrolment_with_the_key(db: Db, world: World) -> None:
    newcomer = await make_user(db, "newcomer", Role.STUDENT, world.school.id)
    outsider = await make_user(db, "outsider", Role.STUDENT, world.other_school.id)
    async with db() as session, session.begin():
        with pytest.raises(Forbidden):  # not enabled yet
            await enrolment.self_enrol(session, newcomer, world.course.id, "anything")
        with pytest.raises(Forbidden):
            await enrolment.set_self_enrolment(
                session, world.students[0], world.course.id, enabled=True
            )
        setting = await enrolment.set_self_enrolment(
            session, world.teacher, world.course.id, enabled=True
        )
        key = setting.enrol_key
        assert len(key) == 8
    async with db() as session, session.begin():
        with pytest.raises(Forbidden):
            await enrolment.self_enrol(session, newcomer, world.course.id, "WRONGKEY")
        with pytest.raises(Forbidden):
            await enrolment.self_enrol(session, outsider, world.course.id, key)
        with pytest.raises(Forbidden):
            await enrolment.self_enrol(session, world.other_teacher, world.course.id, key)
        first = await enrolment.self_enrol(session, newcomer, world.course.id, key)
        again = await enrolment.self_enrol(session, newcomer, world.course.id, f" {key} ")
        assert first.id == again.id and first.role is CourseRole.STUDENT
    async with db() as session, session.begin():
        await enrolment.set_self_enrolment(session, world.teacher, world.course.id, enabled=False)
    late = await make_user(db, "late", Role.STUDENT, world.school.id)
    async with db() as session:
        with pytest.raises(Forbidden):
            await enrolment.self_enrol(session, late, world.course.id, key)


async def test_candidates_are_found_by_name_or_login(db: Db, world: World) -> None:
    await make_user(db, "hong.gildong", Role.STUDENT, world.school.id, "홍길동")
    await make_user(db, "hong.other", Role.STUDENT, world.other_school.id, "홍길순")
    async with db() as session:
        found = await enrolment.find_candidates(session, world.teacher, world.course.id, "길")
        assert [user.login for user in found] == ["hong.gildong"]
        by_login = await enrolment.find_candidates(session, world.teacher, world.course.id, "HONG")
        assert [user.login for user in by_login] == ["hong.gildong"]
        # already enrolled people are not offered again
        assert (
            await enrolment.find_candidates(session, world.teacher, world.course.id, "student")
            == []
        )
        with pytest.raises(Forbidden):
            await enrolment.find_candidates(session, world.students[0], world.course.id, "hong")


async def test_unenrol_keeps_a_teacher_and_leaves_groups(db: Db, world: World) -> None:
    student = world.students[0]
    async with db() as session, session.begin():
        await course_groups.create_group(
            session, world.teacher, world.course.id, name="A", user_ids=[student.id]
        )
        await enrolment.unenrol(session, world.teacher, world.course.id, student.id)
        with pytest.raises(Conflict):
            await enrolment.unenrol(session, world.teacher, world.course.id, world.teacher.id)
        with pytest.raises(Forbidden):
            await enrolment.unenrol(
                session, world.students[1], world.course.id, world.students[2].id
            )
    async with db() as session:
        groups = await course_groups.groups_of_course(session, world.course.id)
        assert groups[0].member_ids == []
        count = await session.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.user_id == student.id)
        )
        assert count == 0
