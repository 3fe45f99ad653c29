"""Courses and enrolments."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import Course, CourseRole, CourseSchool, Enrolment, Role, School, User
from lms.services import clean_text, parse_enum, permissions
from lms.services.user_admin import like_pattern


async def create_course(
    db: AsyncSession,
    actor: User,
    *,
    school_id: int,
    title: str,
    subject: str = "",
    grade_band: str = "",
) -> Course:
    """Admins open courses anywhere, school admins and teachers in their own school.

    A teacher who opens a course is enrolled as its teacher.
    """
    if actor.role is Role.STUDENT:
        raise Forbidden("students cannot create courses")
    if actor.role is not Role.ADMIN and actor.school_id != school_id:
        raise Forbidden("you can only create courses in your own school", school_id=school_id)
    if await db.get(School, school_id) is None:
        raise NotFound("no such school", school_id=school_id)
    course = Course(
        school_id=school_id,
        title=clean_text(title, "course title", max_chars=200),
        subject=clean_text(subject, "subject", max_chars=100, min_chars=0),
        grade_band=clean_text(grade_band, "grade band", max_chars=32, min_chars=0),
        created_by=actor.id,
    )
    db.add(course)
    await db.flush()
    if actor.role is Role.TEACHER:
        db.add(Enrolment(course_id=course.id, user_id=actor.id, role=CourseRole.TEACHER))
        await db.flush()
    return course


async def list_courses(
    db: AsyncSession,
    viewer: User,
    *,
    q: str | None = None,
    school_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Course, CourseRole | None]]:
    """The courses a user sees on their dashboard, with their role in each, by title.

    ``q`` matches part of the title; ``limit``/``offset`` page through a district's
    thousands of courses (``count_courses`` gives the total for the same filters).
    """
    query = _visible_courses(viewer, q=q, school_id=school_id)
    query = query.order_by(Course.title, Course.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [(course, role) for course, role in (await db.execute(query)).tuples()]


async def count_courses(
    db: AsyncSession, viewer: User, *, q: str | None = None, school_id: int | None = None
) -> int:
    visible = _visible_courses(viewer, q=q, school_id=school_id).subquery()
    return await db.scalar(select(func.count()).select_from(visible)) or 0


def _visible_courses(viewer: User, *, q: str | None, school_id: int | None) -> Select:
    my_role = (
        select(Enrolment.course_id, Enrolment.role).where(Enrolment.user_id == viewer.id).subquery()
    )
    query = select(Course, my_role.c.role).outerjoin(my_role, my_role.c.course_id == Course.id)
    if viewer.role is Role.SCHOOL_ADMIN:
        query = query.where(Course.school_id == viewer.school_id)
    elif viewer.role is not Role.ADMIN:
        query = query.where(my_role.c.role.is_not(None))
    if school_id is not None:
        query = query.where(Course.school_id == school_id)
    if q:
        query = query.where(func.lower(Course.title).like(like_pattern(q.strip()), escape="\\"))
    return query


async def get_course(db: AsyncSession, course_id: int) -> Course:
    """The course, or NotFound; callers check the viewer's rights separately."""
    course = await db.get(Course, course_id)
    if course is None:
        raise NotFound("no such course", course_id=course_id)
    return course


async def enrol(
    db: AsyncSession, actor: User, course_id: int, user_id: int, role: CourseRole
) -> Enrolment:
    """Add someone to a course. Only its teachers (or admins over it) may; enrolment is within
    the course's school, and a student account can only ever hold the student role."""
    course = await get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    role = parse_enum(CourseRole, role, "role")
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("no such user", user_id=user_id)
    if not user.is_active:
        raise Conflict("this account is deactivated", user_id=user_id)
    if user.role is not Role.ADMIN and user.school_id not in await course_school_ids(db, course):
        raise InvalidInput("this user belongs to another school", user_id=user_id)
    if user.role is Role.STUDENT and role is not CourseRole.STUDENT:
        raise InvalidInput("a student can only be enrolled as a student", user_id=user_id)
    if await permissions.course_role(db, course_id, user_id) is not None:
        raise Conflict("already enrolled in this course", user_id=user_id)
    enrolment = Enrolment(course_id=course_id, user_id=user_id, role=role)
    db.add(enrolment)
    await db.flush()
    return enrolment


async def course_school_ids(db: AsyncSession, course: Course) -> set[int]:
    """The schools whose people may be enrolled: the course's own and, for a cross-school
    course (a joint curriculum, ``docs/courseware.md``), its partner schools."""
    partners = await db.scalars(
        select(CourseSchool.school_id).where(CourseSchool.course_id == course.id)
    )
    return {course.school_id, *partners}


async def list_enrolments(db: AsyncSession, course_id: int) -> list[tuple[Enrolment, User]]:
    """The class list: teachers first, then students by name (one query, users included)."""
    rows = await db.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course_id)
        .order_by(Enrolment.role, User.display_name, User.id)
    )
    return list(rows.tuples())


def student_ids(course_id: int) -> Select[tuple[int]]:
    """The query of the course's student ids, to run or to use as a subquery."""
    return select(Enrolment.user_id).where(
        Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT
    )


async def enrolled_students(db: AsyncSession, course_id: int) -> list[int]:
    """Ids of the course's students: the people attendance is taken for."""
    return list(await db.scalars(student_ids(course_id)))
