"""Course requests: a teacher asks, the school admin decides, approval opens the course."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import CourseRequestStatus, CourseRole, Role, User
from lms.services import accounts, course_requests, courses, permissions
from tests.lms.conftest import PASSWORD, World

Db = async_sessionmaker[AsyncSession]


async def ask(db: Db, teacher: User, client_id: str = "r1", **extra: object) -> int:
    async with db() as session, session.begin():
        view, created = await course_requests.request_course(
            session,
            teacher,
            client_id=client_id,
            title="6학년 코딩",
            subject="정보",
            grade_band="6",
            schedule="화·목 5교시",
            starts_on=date(2027, 3, 2),
            ends_on=date(2027, 7, 16),
            **extra,
        )
        assert created
        return view.request.id


async def test_request_is_idempotent_and_validated(db: Db, world: World) -> None:
    request_id = await ask(db, world.teacher)
    async with db() as session, session.begin():
        again, created = await course_requests.request_course(
            session, world.teacher, client_id="r1", title="different"
        )
        assert (again.request.id, created) == (request_id, False)
        with pytest.raises(InvalidInput):
            await course_requests.request_course(
                session,
                world.teacher,
                client_id="r2",
                title="x",
                starts_on=date(2027, 3, 2),
                ends_on=date(2027, 3, 1),
            )
        with pytest.raises(Forbidden):
            await course_requests.request_course(
                session, world.students[0], client_id="r3", title="x"
            )
        with pytest.raises(NotFound):
            await course_requests.request_course(
                session, world.teacher, client_id="r4", title="x", partner_school_ids=[999]
            )


async def test_approval_opens_the_course_with_the_teacher(db: Db, world: World) -> None:
    request_id = await ask(db, world.teacher)
    async with db() as session, session.begin():
        view, course = await course_requests.approve_request(
            session, world.school_admin, request_id
        )
        assert view.request.status is CourseRequestStatus.APPROVED
        assert view.request.course_id == course.id
        assert (course.title, course.school_id) == ("6학년 코딩", world.school.id)
        role = await permissions.course_role(session, course.id, world.teacher.id)
        assert role is CourseRole.TEACHER
    async with db() as session, session.begin():
        # a repeated approval (a double click, a retry) returns the same course
        _, same = await course_requests.approve_request(session, world.school_admin, request_id)
        assert same.id == course.id
        with pytest.raises(Conflict):
            await course_requests.reject_request(
                session, world.school_admin, request_id, reason="late"
            )


async def test_rejection_needs_a_reason_and_the_teacher_reads_it(db: Db, world: World) -> None:
    request_id = await ask(db, world.teacher)
    async with db() as session, session.begin():
        with pytest.raises(InvalidInput):
            await course_requests.reject_request(
                session, world.school_admin, request_id, reason=" "
            )
        await course_requests.reject_request(
            session, world.school_admin, request_id, reason="이미 같은 강좌가 있습니다"
        )
    async with db() as session:
        page = await course_requests.list_requests(session, world.teacher, mine=True)
        assert [(v.request.status, v.request.reason) for v in page.items] == [
            (CourseRequestStatus.REJECTED, "이미 같은 강좌가 있습니다")
        ]
    async with db() as session, session.begin():
        with pytest.raises(Conflict):
            await course_requests.approve_request(session, world.school_admin, request_id)


async def test_only_the_teachers_school_admin_decides(db: Db, world: World) -> None:
    request_id = await ask(db, world.teacher)
    async with db() as session, session.begin():
        for outsider in (world.other_school_admin, world.teacher, world.students[0]):
            with pytest.raises(Forbidden):
                await course_requests.approve_request(session, outsider, request_id)
        with pytest.raises(Forbidden):
            await course_requests.get_request(session, world.other_school_admin, request_id)
        with pytest.raises(Forbidden):
            await course_requests.get_request(session, world.other_teacher, request_id)
    async with db() as session, session.begin():
        await course_requests.approve_request(session, world.admin, request_id)


async def test_queue_lists_the_schools_pending_requests(db: Db, world: World) -> None:
    first = await ask(db, world.teacher, "a")
    second = await ask(db, world.teacher, "b")
    await ask(db, world.other_teacher, "c")
    async with db() as session, session.begin():
        await course_requests.withdraw_request(session, world.teacher, first)
        with pytest.raises(Forbidden):
            await course_requests.withdraw_request(session, world.other_teacher, second)
    async with db() as session:
        queue = await course_requests.list_requests(
            session, world.school_admin, status=CourseRequestStatus.PENDING
        )
        assert [v.request.id for v in queue.items] == [second]
        everything = await course_requests.list_requests(session, world.admin, limit=2)
        assert everything.total == 3 and len(everything.items) == 2


async def test_cross_school_course_enrols_partner_schools(db: Db, world: World) -> None:
    request_id = await ask(db, world.teacher, partner_school_ids=[world.other_school.id])
    async with db() as session:
        # the partner school's admin sees the request but does not decide it
        seen = await course_requests.get_request(session, world.other_school_admin, request_id)
        assert seen.request.cross_school and seen.partner_school_ids == [world.other_school.id]
    async with db() as session, session.begin():
        with pytest.raises(Forbidden):
            await course_requests.approve_request(session, world.other_school_admin, request_id)
        _, course = await course_requests.approve_request(session, world.school_admin, request_id)
        partner_student = await accounts.create_user(
            session,
            login="partner",
            display_name="협력교 학생",
            password=PASSWORD,
            role=Role.STUDENT,
            school_id=world.other_school.id,
        )
        await courses.enrol(session, world.teacher, course.id, partner_student.id, "student")
        third = await courses.get_course(session, world.course.id)
        with pytest.raises(InvalidInput):  # an ordinary course stays within its school
            await courses.enrol(session, world.teacher, third.id, partner_student.id, "student")
    async with db() as session:
        listed = await courses.list_courses(session, partner_student)
        assert [c.id for c, _ in listed] == [course.id]
        assert await session.scalar(select(User.id).where(User.login == "partner"))
