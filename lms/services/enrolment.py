"""Enrolment methods beyond one-by-one (Moodle's "enrolment methods"): a class list from a
CSV file, self-enrolment with a key, finding people to enrol by name, and unenrolling.

Unenrolling removes the enrolment and the person's course groups; their attendance, progress
and grades stay, so re-enrolling them later finds their history.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import Course, CourseRole, Enrolment, Role, SelfEnrolment, User
from lms.services import clean_text, courses, permissions
from lms.services.course_groups import drop_member_everywhere
from lms.services.csv_table import RowError, extra_cells_error, read_csv
from lms.services.user_admin import like_pattern

MAX_CANDIDATES = 20
KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


async def find_candidates(
    db: AsyncSession, actor: User, course_id: int, q: str, *, limit: int = MAX_CANDIDATES
) -> list[User]:
    """Active people of the course's schools, not yet enrolled, whose name or login matches."""
    course = await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    q = q.strip()
    if not q:
        return []
    pattern = like_pattern(q)
    enrolled = select(Enrolment.user_id).where(Enrolment.course_id == course_id)
    return list(
        await db.scalars(
            select(User)
            .where(
                User.school_id.in_(await courses.course_school_ids(db, course)),
                User.is_active.is_(True),
                User.role.in_([Role.TEACHER, Role.STUDENT]),
                User.id.not_in(enrolled),
                or_(
                    func.lower(User.login).like(pattern, escape="\\"),
                    func.lower(User.display_name).like(pattern, escape="\\"),
                ),
            )
            .order_by(User.display_name, User.id)
            .limit(min(max(limit, 1), MAX_CANDIDATES))
        )
    )


# -- CSV class lists ----------------------------------------------------------------------


@dataclass
class EnrolPlan:
    to_enrol: list[tuple[int, User, CourseRole]]  # (line, user, role)
    already: list[tuple[int, User, CourseRole]]
    errors: list[RowError]
    total_rows: int


async def check_enrol_csv(db: AsyncSession, actor: User, course_id: int, data: bytes) -> EnrolPlan:
    """Columns ``login`` and optionally ``role`` (student, the default; teacher; co_teacher).

    Someone already enrolled with that role is skipped, not an error, so the same class
    list can be uploaded again after it grew.
    """
    course = await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    table = read_csv(data, required={"login"}, optional={"role"})
    logins = {row["login"].lower() for _, row in table.rows if row["login"]}
    users = {
        user.login.lower(): user
        for user in await db.scalars(select(User).where(func.lower(User.login).in_(logins)))
    }
    rows = await db.execute(
        select(Enrolment.user_id, Enrolment.role).where(Enrolment.course_id == course_id)
    )
    current = {user_id: role for user_id, role in rows.tuples()}
    schools = await courses.course_school_ids(db, course)
    plan = EnrolPlan([], [], [], len(table.rows))
    first_line: dict[str, int] = {}
    for line, row in table.rows:
        login = row["login"]
        extra = extra_cells_error(line, row)
        if extra is not None:
            plan.errors.append(extra)
            continue
        if not login:
            plan.errors.append(RowError(line, "missing_value", "login is empty", "login", ""))
            continue
        if login.lower() in first_line:
            plan.errors.append(
                RowError(
                    line,
                    "duplicate_in_file",
                    f"this login is also on line {first_line[login.lower()]}",
                    "login",
                    login,
                )
            )
            continue
        first_line[login.lower()] = line
        try:
            role = CourseRole(row.get("role") or CourseRole.STUDENT)
        except ValueError:
            plan.errors.append(
                RowError(
                    line,
                    "bad_role",
                    "role must be student, teacher or co_teacher",
                    "role",
                    row.get("role"),
                )
            )
            continue
        user = users.get(login.lower())
        problem = _row_problem(user, role, schools)
        if problem is not None:
            reason, message = problem
            plan.errors.append(RowError(line, reason, message, "login", login))
            continue
        assert user is not None
        if user.id in current:
            if current[user.id] is role:
                plan.already.append((line, user, role))
            else:
                plan.errors.append(
                    RowError(
                        line,
                        "enrolled_otherwise",
                        f"already enrolled as {current[user.id].value}",
                        "role",
                        role.value,
                    )
                )
            continue
        plan.to_enrol.append((line, user, role))
    return plan


def _row_problem(user: User | None, role: CourseRole, schools: set[int]) -> tuple[str, str] | None:
    if user is None:
        return "unknown_login", "no account has this login"
    if not user.is_active:
        return "deactivated", "this account is deactivated"
    if user.role not in (Role.TEACHER, Role.STUDENT) or user.school_id not in schools:
        return "other_school", "this person is not in the course's school(s)"
    if user.role is Role.STUDENT and role is not CourseRole.STUDENT:
        return "bad_role", "a student can only be enrolled as a student"
    return None


async def apply_enrol_csv(db: AsyncSession, plan: EnrolPlan, course_id: int) -> list[Enrolment]:
    if plan.errors:
        raise Conflict("the file has errors; nobody was enrolled")
    enrolments = [
        Enrolment(course_id=course_id, user_id=user.id, role=role)
        for _, user, role in plan.to_enrol
    ]
    db.add_all(enrolments)
    await db.flush()
    return enrolments


# -- self-enrolment --------------------------------------------------------------------------


def new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))


async def get_self_enrolment(db: AsyncSession, actor: User, course_id: int) -> SelfEnrolment | None:
    """The course's self-enrolment setting and key, for its teachers."""
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    return await db.get(SelfEnrolment, course_id)


async def set_self_enrolment(
    db: AsyncSession, actor: User, course_id: int, *, enabled: bool, key: str | None = None
) -> SelfEnrolment:
    """Turn self-enrolment on or off; an empty key draws a new random one."""
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    setting = await db.get(SelfEnrolment, course_id)
    if key is not None:
        key = clean_text(key, "enrolment key", max_chars=64, min_chars=0)
        if key and len(key) < 4:
            raise InvalidInput("an enrolment key has at least 4 characters", field="key")
    if setting is None:
        setting = SelfEnrolment(
            course_id=course_id, enrol_key=key or new_key(), updated_by=actor.id
        )
        db.add(setting)
    elif key is not None:
        setting.enrol_key = key or new_key()
    setting.enabled = enabled
    setting.updated_by = actor.id
    setting.updated_at = utcnow()
    await db.flush()
    return setting


async def self_enrol(db: AsyncSession, actor: User, course_id: int, key: str) -> Enrolment:
    """A student joins with the key their teacher gave them; joining twice is harmless."""
    course = await db.get(Course, course_id)
    setting = await db.get(SelfEnrolment, course_id)
    # One answer for "no course", "not enabled" and "wrong key": keys are not guessable
    # course by course.
    if (
        course is None
        or setting is None
        or not setting.enabled
        or not isinstance(key, str)
        or not secrets.compare_digest(key.strip().encode(), setting.enrol_key.encode())
    ):
        raise Forbidden("wrong course or enrolment key")
    if not actor.is_active or actor.role is not Role.STUDENT:
        raise Forbidden("self-enrolment is for students")
    if actor.school_id not in await courses.course_school_ids(db, course):
        raise Forbidden("this course is not open to your school")
    stored = await db.scalar(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id == actor.id)
    )
    if stored is not None:
        return stored
    enrolment = Enrolment(course_id=course_id, user_id=actor.id, role=CourseRole.STUDENT)
    db.add(enrolment)
    await db.flush()
    return enrolment


async def unenrol(db: AsyncSession, actor: User, course_id: int, user_id: int) -> None:
    """Remove someone from the class list (and its groups); their records stay."""
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    enrolment = await db.scalar(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
    )
    if enrolment is None:
        raise NotFound("not enrolled in this course", user_id=user_id)
    if enrolment.role is CourseRole.TEACHER:
        teachers = await db.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.course_id == course_id, Enrolment.role == CourseRole.TEACHER
            )
        )
        if (teachers or 0) <= 1:
            raise Conflict("a course keeps at least one teacher")
    await drop_member_everywhere(db, course_id, user_id)
    await db.execute(delete(Enrolment).where(Enrolment.id == enrolment.id))
    await db.flush()
