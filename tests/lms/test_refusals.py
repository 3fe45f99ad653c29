"""Every bad input and every refused actor, service by service, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.attendance_rules import AttendanceRules
from lms.errors import Conflict, DomainError, Forbidden, InvalidInput, NotAuthenticated, NotFound
from lms.models import (
    AttendanceInterval,
    AttendanceRecord,
    AttendanceStatus,
    CourseRole,
    LeaveReason,
    LiveSessionStatus,
    Role,
    User,
)
from lms.services import accounts, attendance, courses, live_sessions, permissions, schools
from tests.lms.conftest import PASSWORD, World

DB = async_sessionmaker[AsyncSession]
RULES = AttendanceRules(late_after_minutes=10, absent_below_percent=50, reconnect_grace_seconds=120)
NOW = datetime(2030, 3, 2, 0, 0, tzinfo=UTC)


# -- accounts -------------------------------------------------------------------------------


def user_args(world: World, **changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "login": "newbie",
        "display_name": "새내기",
        "password": PASSWORD,
        "role": Role.STUDENT,
        "school_id": world.school.id,
    }
    return {**args, **changes}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param({"login": ""}, InvalidInput, id="empty login"),
        pytest.param({"login": "   "}, InvalidInput, id="blank login"),
        pytest.param({"login": "x" * 65}, InvalidInput, id="login too long"),
        pytest.param({"login": "two words"}, InvalidInput, id="login with a space"),
        pytest.param({"display_name": " "}, InvalidInput, id="blank display name"),
        pytest.param({"display_name": "가" * 101}, InvalidInput, id="display name too long"),
        pytest.param({"password": "1234567"}, InvalidInput, id="password too short"),
        pytest.param({"password": "x" * 1025}, InvalidInput, id="password too long"),
        pytest.param({"role": "principal"}, InvalidInput, id="unknown role"),
        pytest.param({"locale": "k"}, InvalidInput, id="locale too short"),
        pytest.param({"locale": "ko-KR-seoul"}, InvalidInput, id="locale too long"),
        pytest.param({"school_id": None}, InvalidInput, id="student without a school"),
        pytest.param({"school_id": 999_999}, NotFound, id="unknown school"),
        pytest.param({"login": "teacher"}, Conflict, id="login taken"),
        pytest.param({"login": " teacher "}, Conflict, id="login taken, padded"),
    ],
)
async def test_create_user_refuses(
    db: DB, world: World, changes: dict[str, Any], error: type[DomainError]
) -> None:
    async with db() as s:
        with pytest.raises(error):
            await accounts.create_user(s, **user_args(world, **changes))


async def test_create_user_accepts_plain_strings_and_trims(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        user = await accounts.create_user(
            s, **user_args(world, login=" newbie ", display_name=" 새내기 ", role="teacher")
        )
        assert (user.login, user.display_name, user.role) == ("newbie", "새내기", Role.TEACHER)
        assert user.password_hash.startswith("$argon2id$")
        assert accounts.verify_password(user.password_hash, PASSWORD)
        assert not accounts.verify_password(user.password_hash, PASSWORD + "!")
        assert not accounts.verify_password("not a hash", PASSWORD)
        admin = await accounts.create_user(
            s, **user_args(world, login="root", role=Role.ADMIN, school_id=None)
        )
        assert admin.school_id is None


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("", PASSWORD),
        ("x" * 65, PASSWORD),
        ("teacher", ""),
        ("teacher", "x" * 2000),
        ("TEACHER", PASSWORD),
    ],
)
async def test_authenticate_refuses(db: DB, world: World, login: str, password: str) -> None:
    async with db() as s:
        with pytest.raises(NotAuthenticated, match="wrong login or password"):
            await accounts.authenticate(s, login, password)


async def test_login_upgrades_an_old_hash(
    db: DB, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db() as s, s.begin():
        before = (await s.get(User, world.teacher.id)).password_hash  # type: ignore[union-attr]
    stronger = PasswordHasher(time_cost=2, memory_cost=512, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", stronger)
    async with db() as s, s.begin():
        await accounts.authenticate(s, "teacher", PASSWORD)
    async with db() as s:
        after = await s.scalar(select(User.password_hash).where(User.id == world.teacher.id))
        assert after != before and after is not None and "t=2" in after
        assert (await accounts.authenticate(s, "teacher", PASSWORD)).id == world.teacher.id


@pytest.mark.parametrize("token", ["", "x" * 300, "no-such-token"])
async def test_unknown_tokens_are_refused(db: DB, world: World, token: str) -> None:
    async with db() as s:
        with pytest.raises(NotAuthenticated):
            await accounts.user_for_token(s, token)
        await accounts.revoke_token(s, token)  # logging out twice, or with junk, is harmless


async def test_tokens_are_stored_as_digests(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        raw, stored = await accounts.issue_token(s, world.teacher, timedelta(hours=1))
        assert stored.token_hash == accounts.token_digest(raw) and len(stored.token_hash) == 64
        other, _ = await accounts.issue_token(s, world.teacher, timedelta(hours=1))
        assert other != raw
        await accounts.revoke_token(s, raw)
        await accounts.revoke_token(s, raw)
        user, _ = await accounts.user_for_token(s, other)  # revoking one keeps the others
        assert user.id == world.teacher.id


# -- schools --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("", "학교", "high"),
        ("x" * 33, "학교", "high"),
        ("한글", "학교", "high"),
        ("A B", "학교", "high"),
        ("OK", " ", "high"),
        ("OK", "가" * 201, "high"),
        ("OK", "학교", "university"),
    ],
)
async def test_create_school_refuses(db: DB, world: World, code: str, name: str, kind: str) -> None:
    async with db() as s:
        with pytest.raises(InvalidInput):
            await schools.create_school(s, code=code, name=name, kind=kind)  # type: ignore[arg-type]


async def test_create_and_list_schools(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        school = await schools.create_school(s, code=" S-3_x ", name=" 마바고 ", kind="high")
        assert (school.code, school.name) == ("S-3_x", "마바고")
        assert len(await schools.list_schools(s, world.admin)) == 3
        assert [x.id for x in await schools.list_schools(s, world.school_admin)] == [
            world.school.id
        ]
        assert [x.id for x in await schools.list_schools(s, world.students[0])] == [world.school.id]


# -- courses and permissions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "가" * 201},
        {"subject": "가" * 101},
        {"grade_band": "x" * 33},
    ],
)
async def test_create_course_refuses_bad_fields(
    db: DB, world: World, changes: dict[str, str]
) -> None:
    args = {"title": "수학", "subject": "", "grade_band": ""} | changes
    async with db() as s:
        with pytest.raises(InvalidInput):
            await courses.create_course(s, world.teacher, school_id=world.school.id, **args)


async def test_who_creates_courses_where(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        by_admin = await courses.create_course(
            s, world.admin, school_id=world.other_school.id, title="영어"
        )
        by_school_admin = await courses.create_course(
            s, world.school_admin, school_id=world.school.id, title="음악"
        )
        # Only a teacher who opens a course is enrolled in it.
        assert await courses.list_enrolments(s, by_admin.id) == []
        assert await courses.list_enrolments(s, by_school_admin.id) == []
        with pytest.raises(Forbidden):
            await courses.create_course(
                s, world.school_admin, school_id=world.other_school.id, title="x"
            )
        with pytest.raises(NotFound):
            await courses.create_course(s, world.admin, school_id=999_999, title="x")
        with pytest.raises(NotFound):
            await courses.get_course(s, 999_999)
        titles = {c.title for c, _ in await courses.list_courses(s, world.admin)}
        assert titles == {"5학년 과학", "영어", "음악"}
        titles = {c.title for c, _ in await courses.list_courses(s, world.school_admin)}
        assert titles == {"5학년 과학", "음악"}


async def test_enrol_refuses(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        outsider = await accounts.create_user(
            s, **user_args(world, login="outsider", school_id=world.other_school.id)
        )
        leaver = await accounts.create_user(s, **user_args(world, login="leaver"))
        leaver.is_active = False
        await s.flush()
        cid = world.course.id
        cases: list[tuple[User, int, int, str, type[DomainError]]] = [
            (world.teacher, 999_999, leaver.id, "student", NotFound),
            (world.teacher, cid, 999_999, "student", NotFound),
            (world.teacher, cid, leaver.id, "student", Conflict),
            (world.teacher, cid, outsider.id, "student", InvalidInput),
            (world.teacher, cid, world.school_admin.id, "principal", InvalidInput),
            (world.other_school_admin, cid, outsider.id, "student", Forbidden),
            (world.other_teacher, cid, outsider.id, "student", Forbidden),
            (world.students[0], cid, world.school_admin.id, "co_teacher", Forbidden),
        ]
        for actor, course_id, user_id, role, error in cases:
            with pytest.raises(error):
                await courses.enrol(s, actor, course_id, user_id, role)  # type: ignore[arg-type]


async def test_co_teacher_teaches_and_admins_oversee(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        co = await accounts.create_user(
            s, **user_args(world, login="co", role=Role.TEACHER, display_name="보조")
        )
        with pytest.raises(Forbidden):
            await permissions.require_course_teacher(s, co, world.course.id)
        enrolment = await courses.enrol(s, world.school_admin, world.course.id, co.id, "co_teacher")
        assert enrolment.role is CourseRole.CO_TEACHER
        await permissions.require_course_teacher(s, co, world.course.id)
        assert await permissions.may_teach(s, co, world.course.id)
        assert await permissions.course_role(s, world.course.id, co.id) is CourseRole.CO_TEACHER
        assert await permissions.course_role(s, world.course.id, world.admin.id) is None
        # The admin oversees without being enrolled; students and outsiders do not teach.
        assert await permissions.require_course_member(s, world.admin, world.course.id) is None
        assert not await permissions.may_teach(s, world.students[0], world.course.id)
        assert not await permissions.may_teach(s, world.other_school_admin, world.course.id)
        with pytest.raises(NotFound):
            await permissions.require_course_teacher(s, world.teacher, 999_999)


async def test_a_deactivated_teacher_loses_the_course(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        teacher = await s.get(User, world.teacher.id)
        assert teacher is not None
        teacher.is_active = False
        with pytest.raises(Forbidden):
            await permissions.require_course_member(s, teacher, world.course.id)
        with pytest.raises(Forbidden):
            await permissions.require_course_teacher(s, teacher, world.course.id)


# -- live sessions --------------------------------------------------------------------------


async def schedule(s: AsyncSession, world: World, actor: User | None = None, **changes: Any):
    args: dict[str, Any] = {
        "title": "수업",
        "scheduled_start": NOW,
        "scheduled_end": NOW + timedelta(minutes=40),
    } | changes
    return await live_sessions.schedule_session(s, actor or world.teacher, world.course.id, **args)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"title": " "}, id="blank title"),
        pytest.param({"title": "가" * 201}, id="title too long"),
        pytest.param({"scheduled_start": NOW.replace(tzinfo=None)}, id="naive start"),
        pytest.param(
            {"scheduled_end": (NOW + timedelta(minutes=40)).replace(tzinfo=None)}, id="naive end"
        ),
        pytest.param({"scheduled_end": NOW - timedelta(minutes=1)}, id="ends before it starts"),
        pytest.param({"scheduled_end": NOW + timedelta(hours=12, seconds=1)}, id="too long"),
    ],
)
async def test_schedule_refuses(db: DB, world: World, changes: dict[str, Any]) -> None:
    async with db() as s:
        with pytest.raises(InvalidInput):
            await schedule(s, world, **changes)


async def test_schedule_by_role(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        for actor in (world.teacher, world.school_admin, world.admin):
            await schedule(s, world, actor, scheduled_start=NOW.astimezone(UTC))
        for actor in (world.students[0], world.other_teacher, world.other_school_admin):
            with pytest.raises(Forbidden):
                await schedule(s, world, actor)
        with pytest.raises(NotFound):
            await live_sessions.schedule_session(
                s,
                world.admin,
                999_999,
                title="x",
                scheduled_start=NOW,
                scheduled_end=NOW + timedelta(hours=1),
            )
        listed = await live_sessions.list_sessions(s, world.course.id)
        assert len(listed) == 3 and all(x.status is LiveSessionStatus.SCHEDULED for x in listed)


async def test_transitions_only_go_forward(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        session = await schedule(s, world)
        sid = session.id
        with pytest.raises(NotFound):
            await live_sessions.get_session(s, 999_999)
        with pytest.raises(NotFound):
            await live_sessions.start_session(s, world.teacher, 999_999)
        with pytest.raises(NotFound):
            await live_sessions.end_session(s, world.teacher, 999_999, RULES)
        with pytest.raises(Conflict, match="not started"):
            await live_sessions.end_session(s, world.teacher, sid, RULES)
        for outsider in (world.students[0], world.other_teacher, world.other_school_admin):
            with pytest.raises(Forbidden):
                await live_sessions.start_session(s, outsider, sid)
        with pytest.raises(InvalidInput):
            await live_sessions.start_session(s, world.teacher, sid, now=NOW.replace(tzinfo=None))
        started = await live_sessions.start_session(s, world.teacher, sid, now=NOW)
        assert (started.status, started.started_at, started.started_by) == (
            LiveSessionStatus.LIVE,
            NOW,
            world.teacher.id,
        )
        again = await live_sessions.start_session(
            s, world.school_admin, sid, now=NOW + timedelta(1)
        )
        assert (again.started_at, again.started_by) == (NOW, world.teacher.id)  # a no-op
        for outsider in (world.students[0], world.other_teacher):
            with pytest.raises(Forbidden):
                await live_sessions.end_session(s, outsider, sid, RULES)
        # An end stamped before the start (clock skew between nodes) never runs backwards.
        ended = await live_sessions.end_session(
            s, world.school_admin, sid, RULES, now=NOW - timedelta(minutes=1)
        )
        assert (ended.status, ended.ended_at) == (LiveSessionStatus.ENDED, NOW)
        with pytest.raises(Conflict, match="already ended"):
            await live_sessions.end_session(s, world.teacher, sid, RULES)
        with pytest.raises(Conflict, match="has ended"):
            await live_sessions.start_session(s, world.teacher, sid)


# -- attendance -----------------------------------------------------------------------------


async def live_session(s: AsyncSession, world: World) -> int:
    session = await schedule(s, world)
    await live_sessions.start_session(s, world.teacher, session.id, now=NOW)
    return session.id


async def test_intervals_only_in_a_live_session(db: DB, world: World) -> None:
    student = world.students[0].id
    async with db() as s, s.begin():
        scheduled = await schedule(s, world)
        with pytest.raises(Conflict, match="scheduled"):
            await attendance.open_interval(s, scheduled.id, student, grace_seconds=120, now=NOW)
        with pytest.raises(NotFound):
            await attendance.open_interval(s, 999_999, student, grace_seconds=120, now=NOW)
        sid = await live_session(s, world)
        with pytest.raises(InvalidInput):
            await attendance.open_interval(s, sid, student, grace_seconds=-1, now=NOW)
        with pytest.raises(InvalidInput):
            await attendance.open_interval(
                s, sid, student, grace_seconds=120, now=NOW.replace(tzinfo=None)
            )
        with pytest.raises(InvalidInput):
            await attendance.close_interval(s, sid, student, "went home")  # type: ignore[arg-type]
        assert not await attendance.close_interval(s, sid, student, LeaveReason.LEFT, now=NOW)
        await attendance.open_interval(s, sid, student, grace_seconds=120, now=NOW)
        assert await attendance.close_interval(s, sid, student, "left", now=NOW)  # type: ignore[arg-type]
        await live_sessions.end_session(s, world.teacher, sid, RULES, now=NOW + timedelta(1))
        with pytest.raises(Conflict, match="ended"):
            await attendance.open_interval(s, sid, student, grace_seconds=120)


@pytest.mark.parametrize(
    ("reason", "after", "resumed"),
    [
        (LeaveReason.NETWORK_LOST, timedelta(seconds=119), True),
        (LeaveReason.NETWORK_LOST, timedelta(seconds=120), True),
        (LeaveReason.NETWORK_LOST, timedelta(seconds=121), False),
        (LeaveReason.NODE_SHUTDOWN, timedelta(seconds=5), True),
        (LeaveReason.LEFT, timedelta(seconds=5), False),
        (LeaveReason.REMOVED, timedelta(seconds=5), False),
    ],
)
async def test_which_drops_resume(
    db: DB, world: World, reason: LeaveReason, after: timedelta, resumed: bool
) -> None:
    student = world.students[0].id
    async with db() as s, s.begin():
        sid = await live_session(s, world)
        first, _ = await attendance.open_interval(s, sid, student, grace_seconds=120, now=NOW)
        left = NOW + timedelta(minutes=3)
        await attendance.close_interval(s, sid, student, reason, now=left)
    async with db() as s, s.begin():
        interval, was_resumed = await attendance.open_interval(
            s, sid, student, grace_seconds=120, now=left + after
        )
        assert was_resumed is resumed
        assert (interval.id == first.id) is resumed
        assert interval.left_at is None and interval.leave_reason is None
        assert interval.joined_at == (NOW if resumed else left + after)


async def test_end_closes_every_interval_and_rates_only_students(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        sid = await live_session(s, world)
        for user in (world.teacher, world.students[0]):
            await attendance.open_interval(s, sid, user.id, grace_seconds=120, now=NOW)
        records = await live_sessions.end_session(
            s, world.teacher, sid, RULES, now=NOW + timedelta(minutes=40)
        )
        assert records.status is LiveSessionStatus.ENDED
    async with db() as s:
        intervals = list(
            await s.scalars(select(AttendanceInterval).where(AttendanceInterval.session_id == sid))
        )
        assert {(i.left_at, i.leave_reason) for i in intervals} == {
            (NOW + timedelta(minutes=40), LeaveReason.SESSION_ENDED)
        }
        rated = {r.user_id: r for r in await attendance.list_attendance(s, sid)}
        assert set(rated) == {student.id for student in world.students}
        first = rated[world.students[0].id]
        assert (first.status, first.first_join_at, first.seconds_present) == (
            AttendanceStatus.PRESENT,
            NOW,
            2400,
        )
        assert rated[world.students[1].id].first_join_at is None


async def test_finalize_needs_a_session_that_ran(db: DB, world: World) -> None:
    async with db() as s:
        session = await schedule(s, world)
        with pytest.raises(InvalidInput):
            await attendance.finalize_attendance(s, session, RULES)


async def test_correction_refusals(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        sid = await live_session(s, world)
        await live_sessions.end_session(s, world.teacher, sid, RULES, now=NOW + timedelta(1))
        record_id = await s.scalar(
            select(AttendanceRecord.id).where(AttendanceRecord.user_id == world.students[0].id)
        )
        assert record_id is not None
        cases: list[tuple[User, int, str, str, type[DomainError]]] = [
            (world.teacher, 999_999, "present", "x", NotFound),
            (world.teacher, record_id, "present", "", InvalidInput),
            (world.teacher, record_id, "present", "가" * 501, InvalidInput),
            (world.teacher, record_id, "sick", "x", InvalidInput),
            (world.teacher, record_id, "absent", "same as now", InvalidInput),
            (world.students[0], record_id, "present", "나 왔어요", Forbidden),
            (world.other_teacher, record_id, "present", "x", Forbidden),
            (world.other_school_admin, record_id, "present", "x", Forbidden),
        ]
        for actor, rid, status, reason, error in cases:
            with pytest.raises(error):
                await attendance.correct_status(s, actor, rid, status, reason)  # type: ignore[arg-type]
        record = await attendance.correct_status(
            s,
            world.admin,
            record_id,
            "excused",
            "  " + "가" * 500 + "  ",  # type: ignore[arg-type]
        )
        assert record.status is AttendanceStatus.EXCUSED
        assert record.computed_status is AttendanceStatus.ABSENT
