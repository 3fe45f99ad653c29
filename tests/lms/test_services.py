"""Services against a real database (SQLite and PostgreSQL): rules, refusals, audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.attendance_rules import AttendanceRules
from lms.db import utcnow
from lms.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from lms.models import (
    AttendanceCorrection,
    AttendanceInterval,
    AttendanceStatus,
    CourseRole,
    Enrolment,
    LeaveReason,
    LiveSessionStatus,
    Role,
    User,
)
from lms.services import accounts, attendance, courses, demo, live_sessions, permissions, schools
from lms.services.hospital import demo as hospital_demo
from tests.lms.conftest import PASSWORD, World

RULES = AttendanceRules(late_after_minutes=10, absent_below_percent=50, reconnect_grace_seconds=120)

DB = async_sessionmaker[AsyncSession]


async def test_login_token_lifecycle(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        user = await accounts.authenticate(s, "teacher", PASSWORD)
        raw, token = await accounts.issue_token(s, user, timedelta(hours=1))
        assert token.token_hash != raw and len(token.csrf_token) >= 32
    async with db() as s, s.begin():
        found, _ = await accounts.user_for_token(s, raw)
        assert found.id == world.teacher.id
        await accounts.revoke_token(s, raw)
    async with db() as s, s.begin():
        with pytest.raises(NotAuthenticated):
            await accounts.user_for_token(s, raw)


@pytest.mark.parametrize(("login", "password"), [("teacher", "wrong pass"), ("nobody", PASSWORD)])
async def test_wrong_credentials_are_refused_alike(
    db: DB, world: World, login: str, password: str
) -> None:
    async with db() as s:
        with pytest.raises(NotAuthenticated, match="wrong login or password"):
            await accounts.authenticate(s, login, password)


async def test_expired_token_and_deactivated_user_are_refused(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        expired, _ = await accounts.issue_token(s, world.teacher, timedelta(seconds=-1))
        live, _ = await accounts.issue_token(s, world.students[0], timedelta(hours=1))
    async with db() as s, s.begin():
        with pytest.raises(NotAuthenticated, match="expired"):
            await accounts.user_for_token(s, expired)
        student = await s.get(User, world.students[0].id)
        assert student is not None
        student.is_active = False
    async with db() as s:
        with pytest.raises(NotAuthenticated, match="deactivated"):
            await accounts.user_for_token(s, live)
        with pytest.raises(NotAuthenticated):
            await accounts.authenticate(s, "student1", PASSWORD)


async def test_user_rules(db: DB, world: World) -> None:
    async with db() as s:
        with pytest.raises(Conflict):
            await accounts.create_user(
                s,
                login="teacher",
                display_name="x",
                password=PASSWORD,
                role=Role.TEACHER,
                school_id=world.school.id,
            )
        with pytest.raises(InvalidInput):
            await accounts.create_user(
                s,
                login="short",
                display_name="x",
                password="1234567",
                role=Role.STUDENT,
                school_id=world.school.id,
            )
        with pytest.raises(InvalidInput):
            await accounts.create_user(
                s, login="noschool", display_name="x", password=PASSWORD, role=Role.STUDENT
            )


async def test_schools_are_scoped(db: DB, world: World) -> None:
    async with db() as s:
        assert {x.code for x in await schools.list_schools(s, world.admin)} == {"S1", "S2"}
        assert [x.code for x in await schools.list_schools(s, world.teacher)] == ["S1"]
        with pytest.raises(Conflict):
            await schools.create_school(s, code="S1", name="중복", kind="high")


async def test_course_permissions(db: DB, world: World) -> None:
    cid = world.course.id
    async with db() as s:
        assert await permissions.require_course_member(s, world.teacher, cid) is CourseRole.TEACHER
        assert (
            await permissions.require_course_member(s, world.students[0], cid) is CourseRole.STUDENT
        )
        assert await permissions.require_course_member(s, world.school_admin, cid) is None
        await permissions.require_course_teacher(s, world.school_admin, cid)
        await permissions.require_course_teacher(s, world.admin, cid)
        for outsider in (world.other_teacher, world.other_school_admin):
            with pytest.raises(Forbidden):
                await permissions.require_course_member(s, outsider, cid)
        with pytest.raises(Forbidden):
            await permissions.require_course_teacher(s, world.students[0], cid)
        with pytest.raises(NotFound):
            await permissions.require_course_member(s, world.teacher, 999_999)


async def test_course_creation_and_enrolment_rules(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        with pytest.raises(Forbidden):
            await courses.create_course(s, world.students[0], school_id=world.school.id, title="x")
        with pytest.raises(Forbidden):
            await courses.create_course(
                s, world.teacher, school_id=world.other_school.id, title="x"
            )
        with pytest.raises(Conflict):
            await courses.enrol(s, world.teacher, world.course.id, world.students[0].id, "student")
        with pytest.raises(InvalidInput):
            await courses.enrol(s, world.teacher, world.course.id, world.students[0].id, "teacher")
        with pytest.raises(Forbidden):
            await courses.enrol(
                s, world.students[0], world.course.id, world.other_teacher.id, "co_teacher"
            )
        listed = await courses.list_courses(s, world.students[1])
        assert [(c.id, r) for c, r in listed] == [(world.course.id, CourseRole.STUDENT)]
        assert await courses.list_courses(s, world.other_teacher) == []
        assert len(await courses.list_courses(s, world.school_admin)) == 1
        assert len(await courses.list_enrolments(s, world.course.id)) == 4


async def schedule_and_start(db: DB, world: World, minutes_ago: float = 40) -> int:
    start = utcnow() - timedelta(minutes=minutes_ago)
    async with db() as s, s.begin():
        session = await live_sessions.schedule_session(
            s,
            world.teacher,
            world.course.id,
            title="수업",
            scheduled_start=start,
            scheduled_end=start + timedelta(minutes=40),
        )
        await live_sessions.start_session(s, world.teacher, session.id, now=start)
        return session.id


async def test_session_transitions(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        with pytest.raises(InvalidInput):
            now = utcnow()
            await live_sessions.schedule_session(
                s,
                world.teacher,
                world.course.id,
                title="거꾸로",
                scheduled_start=now,
                scheduled_end=now,
            )
        with pytest.raises(Forbidden):
            now = utcnow()
            await live_sessions.schedule_session(
                s,
                world.students[0],
                world.course.id,
                title="x",
                scheduled_start=now,
                scheduled_end=now + timedelta(hours=1),
            )
    session_id = await schedule_and_start(db, world)
    async with db() as s, s.begin():
        with pytest.raises(Forbidden):
            await live_sessions.end_session(s, world.students[0], session_id, RULES)
        ended = await live_sessions.end_session(s, world.teacher, session_id, RULES)
        assert ended.status is LiveSessionStatus.ENDED
    async with db() as s, s.begin():
        with pytest.raises(Conflict):
            await live_sessions.end_session(s, world.teacher, session_id, RULES)
        with pytest.raises(Conflict):
            await live_sessions.start_session(s, world.teacher, session_id)


async def test_reconnect_within_grace_resumes_the_interval(db: DB, world: World) -> None:
    session_id = await schedule_and_start(db, world)
    student = world.students[0].id
    t0 = utcnow() - timedelta(minutes=39)
    async with db() as s, s.begin():
        first, resumed = await attendance.open_interval(
            s, session_id, student, grace_seconds=120, now=t0
        )
        assert not resumed
        second, resumed = await attendance.open_interval(
            s, session_id, student, grace_seconds=120, now=t0
        )
        assert resumed and second.id == first.id  # a second tab continues the same interval
        await attendance.close_interval(
            s, session_id, student, LeaveReason.NETWORK_LOST, now=t0 + timedelta(minutes=5)
        )
    async with db() as s, s.begin():
        again, resumed = await attendance.open_interval(
            s, session_id, student, grace_seconds=120, now=t0 + timedelta(minutes=6)
        )
        assert resumed and again.id == first.id and again.left_at is None
        await attendance.close_interval(
            s, session_id, student, LeaveReason.LEFT, now=t0 + timedelta(minutes=7)
        )
    async with db() as s, s.begin():
        fresh, resumed = await attendance.open_interval(
            s, session_id, student, grace_seconds=120, now=t0 + timedelta(minutes=8)
        )
        assert not resumed and fresh.id != first.id
        count = await s.scalar(
            select(func.count())
            .select_from(AttendanceInterval)
            .where(AttendanceInterval.session_id == session_id)
        )
        assert count == 2


async def test_end_computes_attendance_and_corrections_are_audited(db: DB, world: World) -> None:
    session_id = await schedule_and_start(db, world, minutes_ago=40)
    on_time, late, absent = world.students
    start = utcnow() - timedelta(minutes=40)
    async with db() as s, s.begin():
        await attendance.open_interval(s, session_id, on_time.id, grace_seconds=120, now=start)
        await attendance.open_interval(
            s, session_id, late.id, grace_seconds=120, now=start + timedelta(minutes=15)
        )
    async with db() as s, s.begin():
        await live_sessions.end_session(s, world.teacher, session_id, RULES)
    async with db() as s, s.begin():
        records = {r.user_id: r for r in await attendance.list_attendance(s, session_id)}
        assert {uid: r.status for uid, r in records.items()} == {
            on_time.id: AttendanceStatus.PRESENT,
            late.id: AttendanceStatus.LATE,
            absent.id: AttendanceStatus.ABSENT,
        }
        assert all(r.status is r.computed_status for r in records.values())
        still_open = await s.scalar(
            select(func.count())
            .select_from(AttendanceInterval)
            .where(AttendanceInterval.left_at.is_(None))
        )
        assert still_open == 0
        record = records[absent.id]
        with pytest.raises(InvalidInput):
            await attendance.correct_status(
                s, world.teacher, record.id, AttendanceStatus.EXCUSED, " "
            )
        with pytest.raises(InvalidInput):
            await attendance.correct_status(
                s, world.teacher, record.id, AttendanceStatus.ABSENT, "same"
            )
        with pytest.raises(Forbidden):
            await attendance.correct_status(s, late, record.id, AttendanceStatus.PRESENT, "나")
        await attendance.correct_status(
            s, world.teacher, record.id, AttendanceStatus.EXCUSED, "병원 진료"
        )
        await attendance.correct_status(
            s, world.school_admin, record.id, AttendanceStatus.PRESENT, "재확인"
        )
    async with db() as s, s.begin():
        trail = list(
            await s.scalars(select(AttendanceCorrection).order_by(AttendanceCorrection.id))
        )
        assert [(c.old_status, c.new_status, c.reason, c.changed_by) for c in trail] == [
            (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, "병원 진료", world.teacher.id),
            (AttendanceStatus.EXCUSED, AttendanceStatus.PRESENT, "재확인", world.school_admin.id),
        ]
        # Recomputing never overwrites a teacher's correction.
        session = await live_sessions.get_session(s, session_id)
        await attendance.finalize_attendance(s, session, RULES)
        records = {r.user_id: r for r in await attendance.list_attendance(s, session_id)}
        assert records[absent.id].status is AttendanceStatus.PRESENT
        assert records[absent.id].computed_status is AttendanceStatus.ABSENT


async def test_demo_seed_is_idempotent(db: DB) -> None:
    async with db() as s, s.begin():
        first = await demo.seed_demo(s)
    async with db() as s, s.begin():
        second = await demo.seed_demo(s)
        assert first == second
        # The demo school's people and the hospital classroom's demo programme.
        people = len(demo.DEMO_USERS) + len(hospital_demo.PEOPLE)
        assert await s.scalar(select(func.count()).select_from(User)) == people
        in_course = select(func.count()).where(Enrolment.course_id == first.course_id)
        assert await s.scalar(in_course) == 4
        teacher = await accounts.authenticate(s, "teacher", demo.DEMO_PASSWORD)
        assert await permissions.course_role(s, first.course_id, teacher.id) is CourseRole.TEACHER
        session = await live_sessions.get_session(s, first.session_id)
        assert session.scheduled_start <= utcnow() <= session.scheduled_end


async def test_demo_seed_contents(db: DB) -> None:
    async with db() as s, s.begin():
        logins = await demo.seed_demo(s)
        school = await schools.list_schools(
            s, await accounts.authenticate(s, "admin", "newssem2026")
        )
        assert ("DEMO", "서울새쌤초등학교", "elementary") in [
            (x.code, x.name, x.kind.value) for x in school
        ]
        assert logins.credentials[:6] == [
            ("admin", "newssem2026", "admin"),
            ("schooladmin", "newssem2026", "school_admin"),
            ("teacher", "newssem2026", "teacher"),
            ("student1", "newssem2026", "student"),
            ("student2", "newssem2026", "student"),
            ("student3", "newssem2026", "student"),
        ]
        for login, password, role in logins.credentials:
            user = await accounts.authenticate(s, login, password)
            assert user.role.value == role
        course = await courses.get_course(s, logins.course_id)
        assert (course.title, course.subject, course.grade_band) == ("5학년 과학", "과학", "5")
        roster = {(u.login, e.role) for e, u in await courses.list_enrolments(s, course.id)}
        assert roster == {
            ("teacher", CourseRole.TEACHER),
            *((f"student{i}", CourseRole.STUDENT) for i in (1, 2, 3)),
        }
        teacher = await accounts.authenticate(s, "teacher", demo.DEMO_PASSWORD)
        assert teacher.display_name == "김선생"
        assert any(line.strip().startswith("teacher") for line in logins.lines())


async def test_demo_class_is_always_today(db: DB) -> None:
    async with db() as s, s.begin():
        first = await demo.seed_demo(s)
        session = await live_sessions.get_session(s, first.session_id)
        session.scheduled_start -= timedelta(days=3)
        session.scheduled_end -= timedelta(days=3)
    async with db() as s, s.begin():
        moved = await demo.seed_demo(s)  # a later day: the unstarted class moves to today
        assert moved == first
        session = await live_sessions.get_session(s, moved.session_id)
        assert session.scheduled_start <= utcnow() <= session.scheduled_end
        teacher = await accounts.authenticate(s, "teacher", demo.DEMO_PASSWORD)
        await live_sessions.start_session(s, teacher, session.id)
        await live_sessions.end_session(s, teacher, session.id, RULES)
    async with db() as s, s.begin():
        fresh = await demo.seed_demo(s)  # the ended class stays as history; a new one is set
        assert fresh.session_id != first.session_id
        assert len(await live_sessions.list_sessions(s, fresh.course_id)) == 2
        again = await demo.seed_demo(s)
        assert again == fresh
