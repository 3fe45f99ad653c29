"""Who may do what in a course. The server is the authority; clients are never trusted.

Platform admins may do everything; a school admin everything in their school's courses;
a course's teacher and co-teacher teach it; students act only in courses they are enrolled in.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, NotFound
from lms.models import Course, CourseRole, Enrolment, Role, User

TEACHING_ROLES = frozenset({CourseRole.TEACHER, CourseRole.CO_TEACHER})


async def course_role(db: AsyncSession, course_id: int, user_id: int) -> CourseRole | None:
    """The user's enrolment role in the course, or ``None`` when not enrolled."""
    return await db.scalar(
        select(Enrolment.role).where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
    )


async def _course_school(db: AsyncSession, course_id: int) -> int:
    school_id = await db.scalar(select(Course.school_id).where(Course.id == course_id))
    if school_id is None:
        raise NotFound("no such course", course_id=course_id)
    return school_id


async def administers_course(db: AsyncSession, user: User, course_id: int) -> bool:
    """Platform admins, and school admins of the course's school, oversee it without enrolment."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.SCHOOL_ADMIN:
        return await _course_school(db, course_id) == user.school_id
    return False


async def require_course_member(db: AsyncSession, user: User, course_id: int) -> CourseRole | None:
    """The user's role in the course; ``None`` for an admin who oversees it unenrolled."""
    if not user.is_active:
        raise Forbidden("this account is deactivated")
    role = await course_role(db, course_id, user.id)
    if role is not None:
        return role
    if await administers_course(db, user, course_id):
        return None
    await _course_school(db, course_id)  # a missing course is 404, not 403
    raise Forbidden("you are not enrolled in this course", course_id=course_id)


async def may_teach(db: AsyncSession, user: User, course_id: int) -> bool:
    """Whether the user may run the course (sessions, enrolments, attendance, moderation)."""
    if not user.is_active:
        return False
    if await course_role(db, course_id, user.id) in TEACHING_ROLES:
        return True
    return await administers_course(db, user, course_id)


async def require_course_teacher(db: AsyncSession, user: User, course_id: int) -> None:
    """Refuse (Forbidden) anyone who may not teach the course; a missing course is NotFound."""
    if not await may_teach(db, user, course_id):
        await _course_school(db, course_id)
        raise Forbidden("only the course's teachers may do this", course_id=course_id)


async def first_teacher(db: AsyncSession, course_id: int) -> User | None:
    """The course's first teacher: who demo content and system actions are attributed to."""
    return await db.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.TEACHER)
        .order_by(User.id)
        .limit(1)
    )
