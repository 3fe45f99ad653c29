"""A small school for service tests, with a cheap Argon2 profile so tests stay fast."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import Course, CourseRole, Role, School, SchoolKind, User
from lms.services import accounts, courses

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still Argon2id, with parameters that take milliseconds instead of tens of them."""
    monkeypatch.setattr(
        accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
    )


@dataclass
class World:
    school: School
    other_school: School
    admin: User
    school_admin: User
    other_school_admin: User
    teacher: User
    other_teacher: User
    students: list[User]
    course: Course


@pytest.fixture
async def world(db: async_sessionmaker[AsyncSession]) -> World:
    async with db() as session, session.begin():
        school = School(code="S1", name="가나초등학교", kind=SchoolKind.ELEMENTARY)
        other = School(code="S2", name="다라중학교", kind=SchoolKind.MIDDLE)
        session.add_all([school, other])
        await session.flush()

        async def user(login: str, role: Role, school_id: int | None) -> User:
            return await accounts.create_user(
                session,
                login=login,
                display_name=login,
                password=PASSWORD,
                role=role,
                school_id=school_id,
            )

        teacher = await user("teacher", Role.TEACHER, school.id)
        course = await courses.create_course(
            session, teacher, school_id=school.id, title="5학년 과학", subject="과학"
        )
        students = [await user(f"student{i}", Role.STUDENT, school.id) for i in (1, 2, 3)]
        for student in students:
            await courses.enrol(session, teacher, course.id, student.id, CourseRole.STUDENT)
        return World(
            school=school,
            other_school=other,
            admin=await user("admin", Role.ADMIN, None),
            school_admin=await user("sadmin", Role.SCHOOL_ADMIN, school.id),
            other_school_admin=await user("sadmin2", Role.SCHOOL_ADMIN, other.id),
            teacher=teacher,
            other_teacher=await user("teacher2", Role.TEACHER, other.id),
            students=students,
            course=course,
        )
