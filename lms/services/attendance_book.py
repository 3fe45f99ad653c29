"""The attendance book of a course (Moodle's mod/attendance report): sessions × students.

Statuses come from the automatic attendance (``lms.services.attendance``) and the teachers'
corrections, which stay the one way to change a status (audited there, with a reason).

- A *taken session* is a live session that has ended: its attendance was computed.
- Months are Seoul calendar months of the session's scheduled start (Korea keeps no daylight
  saving time, so a fixed +09:00 offset is exact).
- Points follow Moodle's default status set: present 2, late 1, excused 1, absent 0. The
  attendance rate is points over the maximum (2 per taken session with a status), in percent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import (
    AttendanceCorrection,
    AttendanceRecord,
    AttendanceStatus,
    Course,
    CourseRole,
    Enrolment,
    LiveSession,
    LiveSessionStatus,
    User,
)
from lms.services import permissions

SEOUL = timezone(timedelta(hours=9), "KST")
POINTS = {
    AttendanceStatus.PRESENT: 2,
    AttendanceStatus.LATE: 1,
    AttendanceStatus.EXCUSED: 1,
    AttendanceStatus.ABSENT: 0,
}
MAX_STATUS_POINTS = 2
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# --- rights ---------------------------------------------------------------------------------


async def require_reader(db: AsyncSession, user: User, course_id: int) -> None:
    """The whole book: the course's teachers, school admins of its school, platform admins."""
    role = await permissions.require_course_member(db, user, course_id)
    if role is CourseRole.STUDENT:
        raise Forbidden("a student sees only their own attendance", course_id=course_id)


async def require_student_reader(
    db: AsyncSession, user: User, course_id: int, student_id: int
) -> None:
    role = await permissions.require_course_member(db, user, course_id)
    if role is CourseRole.STUDENT and user.id != student_id:
        raise Forbidden("a student sees only their own attendance", course_id=course_id)


# --- shapes ---------------------------------------------------------------------------------


@dataclass
class Totals:
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0

    def add(self, status: AttendanceStatus) -> None:
        setattr(self, status.value, getattr(self, status.value) + 1)

    @property
    def taken(self) -> int:
        return self.present + self.late + self.excused + self.absent

    @property
    def points(self) -> int:
        return sum(getattr(self, s.value) * p for s, p in POINTS.items())

    @property
    def max_points(self) -> int:
        return MAX_STATUS_POINTS * self.taken

    @property
    def rate(self) -> float | None:
        """Attendance rate in percent; ``None`` before any session was taken."""
        if not self.taken:
            return None
        return round(100.0 * self.points / self.max_points, 1)


@dataclass
class BookSession:
    id: int
    title: str
    scheduled_start: datetime
    started_at: datetime | None

    @property
    def day(self) -> date:
        return self.scheduled_start.astimezone(SEOUL).date()

    @property
    def month(self) -> str:
        return month_of(self.scheduled_start)


@dataclass
class BookCell:
    record_id: int
    status: AttendanceStatus
    computed_status: AttendanceStatus
    corrected: bool


@dataclass
class BookRow:
    user_id: int
    display_name: str
    login: str
    enrolled: bool
    cells: dict[int, BookCell] = field(default_factory=dict)  # session_id -> cell
    totals: Totals = field(default_factory=Totals)


@dataclass
class MonthSummary:
    month: str
    sessions: int
    totals: Totals


@dataclass
class AttendanceBook:
    course: Course
    month: str | None
    months: list[str]  # every month with a taken session, for the filter
    sessions: list[BookSession]
    rows: list[BookRow]
    summaries: list[MonthSummary]


def month_of(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m")


def month_range(month: str) -> tuple[datetime, datetime]:
    """``"2026-03"`` -> its first instant and the next month's, in UTC."""
    match = MONTH.match(month) if isinstance(month, str) else None
    if match is None:
        raise InvalidInput("month must look like 2026-03", field="month")
    year, number = int(match.group(1)), int(match.group(2))
    start = datetime(year, number, 1, tzinfo=SEOUL)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=SEOUL)
    return start.astimezone(UTC), end.astimezone(UTC)


# --- reading --------------------------------------------------------------------------------


async def _taken_sessions(db: AsyncSession, course_id: int) -> list[BookSession]:
    rows = await db.execute(
        select(
            LiveSession.id, LiveSession.title, LiveSession.scheduled_start, LiveSession.started_at
        )
        .where(LiveSession.course_id == course_id, LiveSession.status == LiveSessionStatus.ENDED)
        .order_by(LiveSession.scheduled_start, LiveSession.id)
    )
    return [BookSession(*row) for row in rows.tuples()]


def _summaries(sessions: Iterable[BookSession], rows: Iterable[BookRow]) -> list[MonthSummary]:
    by_month: dict[str, MonthSummary] = {}
    month_of_session = {}
    for session in sessions:
        summary = by_month.setdefault(session.month, MonthSummary(session.month, 0, Totals()))
        summary.sessions += 1
        month_of_session[session.id] = session.month
    for row in rows:
        for session_id, cell in row.cells.items():
            by_month[month_of_session[session_id]].totals.add(cell.status)
    return [by_month[month] for month in sorted(by_month)]


async def course_book(
    db: AsyncSession, course_id: int, *, month: str | None = None, user_id: int | None = None
) -> AttendanceBook:
    """The book of a course, of one month if given, of one student if given (no rights check).

    Rows are the course's students, and anyone with a record who has left since (marked not
    enrolled), so past attendance is never hidden by an unenrolment.
    """
    course = await db.get(Course, course_id)
    if course is None:
        raise NotFound("no such course", course_id=course_id)
    every = await _taken_sessions(db, course_id)
    months = sorted({session.month for session in every})
    sessions = every
    if month is not None:
        month_range(month)  # validates
        sessions = [session for session in every if session.month == month]
    session_ids = [session.id for session in sessions]
    people = select(User.id, User.display_name, User.login).join(
        Enrolment, Enrolment.user_id == User.id
    )
    people = people.where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT)
    if user_id is not None:
        people = people.where(User.id == user_id)
    rows = {
        uid: BookRow(uid, name, login, True)
        for uid, name, login in (await db.execute(people)).tuples()
    }
    records: list[AttendanceRecord] = []
    if session_ids:
        query = select(AttendanceRecord).where(AttendanceRecord.session_id.in_(session_ids))
        if user_id is not None:
            query = query.where(AttendanceRecord.user_id == user_id)
        records = list(await db.scalars(query))
    corrected: set[int] = set()
    if records:
        corrected = set(
            await db.scalars(
                select(AttendanceCorrection.record_id)
                .where(AttendanceCorrection.record_id.in_([r.id for r in records]))
                .distinct()
            )
        )
    departed = {r.user_id for r in records} - rows.keys()
    if departed:
        for uid, name, login in (
            await db.execute(
                select(User.id, User.display_name, User.login).where(User.id.in_(departed))
            )
        ).tuples():
            rows[uid] = BookRow(uid, name, login, False)
    for record in records:
        row = rows[record.user_id]
        row.cells[record.session_id] = BookCell(
            record.id, record.status, record.computed_status, record.id in corrected
        )
        row.totals.add(record.status)
    ordered = sorted(rows.values(), key=lambda r: (not r.enrolled, r.display_name, r.user_id))
    return AttendanceBook(course, month, months, sessions, ordered, _summaries(sessions, ordered))


async def student_book(
    db: AsyncSession, course_id: int, user_id: int, *, month: str | None = None
) -> tuple[AttendanceBook, BookRow]:
    """One student's row of the book, with the months' summaries of their own statuses."""
    book = await course_book(db, course_id, month=month, user_id=user_id)
    row = next((r for r in book.rows if r.user_id == user_id), None)
    if row is None:
        raise NotFound("no such student in this course", user_id=user_id)
    return book, row
