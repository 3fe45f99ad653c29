"""Fixtures for REST tests: the real app on the test database, and a small school world.

``app_client`` is reusable by any test that wants to talk HTTP to a node: it builds the app with
``init_app`` on the same database the ``engine`` fixture created (SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.models import (
    Course,
    CourseRole,
    Enrolment,
    LiveSession,
    Role,
    School,
    SchoolKind,
    User,
)
from server.app import init_app
from server.settings import Settings
from tests.api.helpers import PASSWORD

Headers = dict[str, str]


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> web.Application:
    """The node under test; depends on ``engine`` so the tables exist before it starts."""
    return init_app(settings)


@pytest.fixture
async def app_client(app: web.Application) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(app)) as client:
        yield client


@dataclass
class World:
    """Ids of a small district: two schools, their admins, two courses, one session."""

    school_a: int
    school_b: int
    course: int
    other_course: int
    course_b: int
    session: int
    users: dict[str, int]


@pytest.fixture
async def world(db: async_sessionmaker[AsyncSession]) -> World:
    from lms.services import accounts  # imported late: the static tests do not need it

    hashed = accounts.hash_password(PASSWORD)
    async with db() as s, s.begin():
        school_a = School(code="A", name="가나초등학교", kind=SchoolKind.ELEMENTARY)
        school_b = School(code="B", name="다라중학교", kind=SchoolKind.MIDDLE)
        s.add_all([school_a, school_b])
        await s.flush()
        people = {
            "admin": (Role.ADMIN, None),
            "sa_a": (Role.SCHOOL_ADMIN, school_a.id),
            "sa_b": (Role.SCHOOL_ADMIN, school_b.id),
            "teacher": (Role.TEACHER, school_a.id),
            "teacher2": (Role.TEACHER, school_a.id),
            "teacher_b": (Role.TEACHER, school_b.id),
            "student1": (Role.STUDENT, school_a.id),
            "student2": (Role.STUDENT, school_a.id),
        }
        users = {
            login: User(
                login=login, display_name=login.title(), password_hash=hashed, role=role,
                school_id=school,
            )
            for login, (role, school) in people.items()
        }
        s.add_all(users.values())
        await s.flush()
        course = Course(school_id=school_a.id, title="5학년 과학", subject="science")
        other = Course(school_id=school_a.id, title="5학년 수학", subject="math")
        course_b = Course(school_id=school_b.id, title="1학년 국어", subject="korean")
        s.add_all([course, other, course_b])
        await s.flush()
        s.add_all(
            [
                Enrolment(course_id=course.id, user_id=users["teacher"].id,
                          role=CourseRole.TEACHER),
                Enrolment(course_id=course.id, user_id=users["student1"].id,
                          role=CourseRole.STUDENT),
                Enrolment(course_id=course.id, user_id=users["student2"].id,
                          role=CourseRole.STUDENT),
                Enrolment(course_id=other.id, user_id=users["teacher2"].id,
                          role=CourseRole.TEACHER),
                Enrolment(course_id=course_b.id, user_id=users["teacher_b"].id,
                          role=CourseRole.TEACHER),
            ]
        )
        now = datetime.now(UTC)
        session = LiveSession(
            course_id=course.id, title="광합성", scheduled_start=now,
            scheduled_end=now + timedelta(minutes=40),
        )
        s.add(session)
        await s.flush()
        return World(
            school_a=school_a.id, school_b=school_b.id, course=course.id,
            other_course=other.id, course_b=course_b.id, session=session.id,
            users={login: user.id for login, user in users.items()},
        )


LoginAs = Callable[[str], Awaitable[Headers]]


@pytest.fixture
def login_as(app_client: TestClient) -> LoginAs:
    """Log a user in and return bearer headers, so one client can act as many users."""
    cache: dict[str, Headers] = {}

    async def login(name: str) -> Headers:
        if name not in cache:
            response = await app_client.post(
                "/api/auth/login", json={"login": name, "password": PASSWORD}
            )
            assert response.status == 200, await response.text()
            app_client.session.cookie_jar.clear()  # act by bearer only
            cache[name] = {"Authorization": f"Bearer {(await response.json())['token']}"}
        return cache[name]

    return login

