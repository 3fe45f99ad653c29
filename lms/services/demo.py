"""The demo school a newcomer logs into on first run; seeding it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.hospital_rules import NoticeSettings
from lms.models import (
    Course,
    CourseRole,
    Enrolment,
    LiveSession,
    LiveSessionStatus,
    Role,
    School,
    SchoolKind,
    User,
)
from lms.services import (
    accounts,
    assignments,
    course_quizzes,
    courseware,
    demo_document,
    gradebook,
    loans,
    question_bank,
    surveys,
)
from lms.services.hospital.demo import seed_hospital

DEMO_PASSWORD = "newssem2026"
DEMO_SCHOOL_CODE = "DEMO"
DEMO_SCHOOL_NAME = "서울새쌤초등학교"
DEMO_COURSE_TITLE = "5학년 과학"
DEMO_SESSION_TITLE = "오늘의 과학 수업: 식물의 한살이"
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "관리자", Role.ADMIN),
    ("schooladmin", "이교감", Role.SCHOOL_ADMIN),
    ("teacher", "김선생", Role.TEACHER),
    ("student1", "박하늘", Role.STUDENT),
    ("student2", "최바다", Role.STUDENT),
    ("student3", "정나래", Role.STUDENT),
)


@dataclass(frozen=True)
class DemoLogins:
    school_id: int
    course_id: int
    session_id: int
    password: str = DEMO_PASSWORD
    logins: list[tuple[str, str]] = field(default_factory=list)  # (login, role)

    @property
    def credentials(self) -> list[tuple[str, str, str]]:
        """``(login, password, role)`` for each demo account."""
        return [(login, self.password, role) for login, role in self.logins]

    def lines(self) -> list[str]:
        """What the run command prints under its URL."""
        rows = [
            f"  {login:<12} {role:<13} password: {self.password}" for login, role in self.logins
        ]
        return [*rows, f"  course id {self.course_id}, live session id {self.session_id}"]


async def _user(db: AsyncSession, login: str, name: str, role: Role, school_id: int) -> User:
    """The demo account, created once; an existing one is left as its owner changed it."""
    user = await db.scalar(select(User).where(User.login == login))
    if user is None:
        user = await accounts.create_user(
            db,
            login=login,
            display_name=name,
            password=DEMO_PASSWORD,
            role=role,
            school_id=None if role is Role.ADMIN else school_id,
        )
    return user


async def seed_demo(
    db: AsyncSession, *, files_root: Path | None = None, font: NoticeSettings | None = None
) -> DemoLogins:
    """Create what is missing of the demo school; running it again changes nothing.

    Once its time has passed, a demo class that was never started moves to now, so a newcomer
    always finds a class to open; one that ended is kept as history and a new one is scheduled.
    Given the file store's ``files_root``, the course also gets a class document to present,
    drawn in ``font`` (the platform's CJK face, ``NoticeSettings`` by default).
    """
    school = await db.scalar(select(School).where(School.code == DEMO_SCHOOL_CODE))
    if school is None:
        school = School(code=DEMO_SCHOOL_CODE, name=DEMO_SCHOOL_NAME, kind=SchoolKind.ELEMENTARY)
        db.add(school)
        await db.flush()
    users = {
        login: await _user(db, login, name, role, school.id) for login, name, role in DEMO_USERS
    }

    course = await db.scalar(
        select(Course).where(Course.school_id == school.id, Course.title == DEMO_COURSE_TITLE)
    )
    if course is None:
        course = Course(
            school_id=school.id,
            title=DEMO_COURSE_TITLE,
            subject="과학",
            grade_band="5",
            created_by=users["teacher"].id,
        )
        db.add(course)
        await db.flush()
    enrolled = set(
        await db.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id))
    )
    for login, _name, role in DEMO_USERS:
        if role in (Role.TEACHER, Role.STUDENT) and users[login].id not in enrolled:
            course_role = CourseRole.TEACHER if role is Role.TEACHER else CourseRole.STUDENT
            db.add(Enrolment(course_id=course.id, user_id=users[login].id, role=course_role))

    now = utcnow().replace(second=0, microsecond=0)
    window = (now - timedelta(minutes=5), now + timedelta(minutes=45))
    session = await db.scalar(
        select(LiveSession)
        .where(
            LiveSession.course_id == course.id,
            LiveSession.status != LiveSessionStatus.ENDED,
        )
        .order_by(LiveSession.id.desc())
        .limit(1)
    )
    if session is None:
        session = LiveSession(
            course_id=course.id,
            title=DEMO_SESSION_TITLE,
            scheduled_start=window[0],
            scheduled_end=window[1],
        )
        db.add(session)
    elif session.status is LiveSessionStatus.SCHEDULED and session.scheduled_end < now:
        session.scheduled_start, session.scheduled_end = window
    await db.flush()
    logins = DemoLogins(
        school_id=school.id,
        course_id=course.id,
        session_id=session.id,
        logins=[(login, role.value) for login, _name, role in DEMO_USERS],
    )
    await question_bank.seed_quizzes(db, logins)
    await assignments.seed_assignments(db, logins)
    await course_quizzes.seed_course_quizzes(db, logins)
    await seed_hospital(db, logins)
    await surveys.seed_surveys(db, logins)
    await loans.seed_loans(db, logins)
    await courseware.seed_courseware(db, logins)
    await gradebook.seed_gradebook(db, logins)
    if files_root is not None:
        await demo_document.seed_document(db, logins, files_root, font or NoticeSettings())
    return logins
