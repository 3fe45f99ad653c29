"""The scale benchmark's seeding, at a tiny size on both backends: the shape it promises,
rows that the services read like any others, and reuse instead of a second copy."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.models import (
    AttendanceRecord,
    Course,
    CourseRole,
    Enrolment,
    Grade,
    LiveSession,
    Role,
    School,
    User,
)
from lms.services import attendance_book, courses, gradebook
from loadtest.lms_seed import Shape, seed

TINY = Shape(
    schools=2, courses_per_school=3, students=70, students_per_course=30,
    sessions_per_course=2, items_per_course=2,
)  # fmt: skip


def test_the_full_shape_has_seouls_school_kinds() -> None:
    kinds = Shape().kinds()
    assert [kinds.count(k) for k in ("elementary", "middle", "high", "special")] == [101, 20, 23, 2]


async def count(s: AsyncSession, model: type, *where) -> int:
    return await s.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_tiny_shape_is_seeded_once_and_readable(
    engine: AsyncEngine, db: async_sessionmaker[AsyncSession]
) -> None:
    report = await seed(engine, TINY, password_hash="x")
    assert not report.reused
    assert report.rows["school"] == 2 and report.rows["course"] == 6
    async with db() as s:
        assert await count(s, School) == 2
        assert await count(s, User, User.role == Role.STUDENT) == 70
        assert await count(s, User, User.role == Role.TEACHER) == 4
        assert await count(s, User, User.role == Role.SCHOOL_ADMIN) == 2
        assert await count(s, Enrolment, Enrolment.role == CourseRole.STUDENT) == 6 * 30
        assert await count(s, LiveSession) == 12
        assert await count(s, AttendanceRecord) == 12 * 30
        assert await count(s, Grade) == 6 * 2 * 30

    again = await seed(engine, TINY, password_hash="x")
    assert again.reused
    async with db() as s, s.begin():
        assert await count(s, School) == 2
        course = await s.scalar(select(Course).order_by(Course.id).limit(1))
        assert course is not None
        book = await gradebook.course_gradebook(s, course.id)
        assert len(book.students) == 30 and len(book.items) == 2
        assert all(row.total_percent is not None for row in book.students)
        month = await attendance_book.course_book(s, course.id, month="2026-03")
        assert len(month.sessions) == 2 and all(r.totals.taken == 2 for r in month.rows)
        admin = await s.scalar(select(User).where(User.role == Role.SCHOOL_ADMIN).limit(1))
        assert admin is not None
        listed = await courses.list_courses(s, admin)
        assert len(listed) == 3
        # Ids continue after the seeded ones: a course created now does not collide.
        created = await courses.create_course(s, admin, school_id=course.school_id, title="새 과목")
        assert created.id > course.id
