"""The per-day status a home school records, derived from that day's live-session attendance.

``day_status`` is a pure function over one student's sessions of one day, with thresholds from
``DayRules`` (settings). Its rules, in order:

1. no held session that day: no status (the day is shown but not counted);
2. every session excused: ``excused`` (출석인정);
3. share of non-excused sessions attended (present or late) at or below the rule's percent
   (default: none attended): ``absent`` (결석);
4. otherwise each that applies, the first in ``rules.precedence`` winning:
   ``early_leave`` (조퇴) — the last session was missed or left early,
   ``late`` (지각) — the first session was missed or attended late,
   ``partial`` (결과) — a session in between was missed;
5. otherwise ``present`` (출석): the student attended all of the day's sessions.

"Left early" comes from the join/leave intervals: presence ended more than
``early_leave_minutes`` before the session ended. An instructor's correction is the whole truth
for its session: a corrected record is never read as left early.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.hospital_rules import DayRules
from lms.models import (
    Admission,
    AttendanceCorrection,
    AttendanceInterval,
    AttendanceRecord,
    AttendanceStatus,
    DayStatus,
    HospitalClass,
    LiveSession,
    LiveSessionStatus,
    User,
)
from lms.services.hospital import admissions as admissions_service
from lms.services.hospital import programme, seoul_day, seoul_moment

ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})


@dataclass(frozen=True)
class SessionMark:
    """What the day rules read of one session: its status and whether the student left early."""

    status: AttendanceStatus
    left_early: bool = False


def day_status(marks: Sequence[SessionMark], rules: DayRules) -> DayStatus | None:
    """One day's status from its sessions in timetable order (pure; see the module doc)."""
    if not marks:
        return None
    counted = [mark for mark in marks if mark.status is not AttendanceStatus.EXCUSED]
    if not counted:
        return DayStatus.EXCUSED
    attended = [mark for mark in counted if mark.status in ATTENDED]
    share = 100.0 * len(attended) / len(counted)
    if not attended or share <= rules.absent_at_or_below_percent:
        return DayStatus.ABSENT
    first, last = counted[0], counted[-1]
    applies = set()
    if last.status is AttendanceStatus.ABSENT or last.left_early:
        applies.add(DayStatus.EARLY_LEAVE)
    if first.status is not AttendanceStatus.PRESENT:
        applies.add(DayStatus.LATE)
    if any(mark.status is AttendanceStatus.ABSENT for mark in counted[1:-1]):
        applies.add(DayStatus.PARTIAL)
    for status in rules.precedence:
        if status in applies:
            return status
    return DayStatus.PRESENT


@dataclass
class DayCell:
    """A student's day: ``status`` None means admitted but no session was held."""

    status: DayStatus | None
    corrected: bool = False


@dataclass
class StudentMonth:
    """One student's row in a month: the day cells (None when not admitted) and totals."""

    student: User
    admission: Admission  # the latest stay in the month, for grade, class and home school
    days: dict[date, DayCell | None] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(cell.status for cell in self.days.values() if cell and cell.status)
        totals = {status.value: counts.get(status, 0) for status in DayStatus}
        totals["counted_days"] = sum(counts.values())
        return totals


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _left_early(intervals: list[AttendanceInterval], session: LiveSession, rules: DayRules) -> bool:
    if not intervals or session.ended_at is None:
        return False
    if any(interval.left_at is None for interval in intervals):
        return False
    last_end = max(interval.left_at for interval in intervals if interval.left_at is not None)
    return session.ended_at - last_end > timedelta(minutes=rules.early_leave_minutes)


async def month_grid(
    db: AsyncSession,
    programme_id: int,
    stays: Sequence[Admission],
    month: date,
    rules: DayRules,
) -> tuple[list[date], list[StudentMonth]]:
    """The month's class days and, for each student of ``stays``, their daily statuses.

    Days outside a student's stays and non-class days are left out; ``stays`` is what the
    caller may see, so the grid never holds anyone else.
    """
    first, last = month_bounds(month)
    days = await programme.class_days(db, programme_id, first, last)
    by_student: dict[int, list[Admission]] = defaultdict(list)
    for stay in stays:
        if stay.admitted_on <= last and (stay.discharged_on is None or stay.discharged_on >= first):
            by_student[stay.student_id].append(stay)
    if not by_student:
        return days, []
    users = {
        user.id: user
        for user in await db.scalars(select(User).where(User.id.in_(list(by_student))))
    }
    sessions = {
        session.id: session
        for session in await db.scalars(
            select(LiveSession)
            .join(HospitalClass, HospitalClass.course_id == LiveSession.course_id)
            .where(
                HospitalClass.programme_id == programme_id,
                LiveSession.status == LiveSessionStatus.ENDED,
                LiveSession.scheduled_start >= seoul_moment(first, time(0)),
                LiveSession.scheduled_start < seoul_moment(last + timedelta(days=1), time(0)),
            )
        )
    }
    records = list(
        await db.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.session_id.in_(list(sessions)),
                AttendanceRecord.user_id.in_(list(by_student)),
            )
        )
    )
    corrected = set(
        await db.scalars(
            select(AttendanceCorrection.record_id).where(
                AttendanceCorrection.record_id.in_([record.id for record in records])
            )
        )
    )
    intervals: dict[tuple[int, int], list[AttendanceInterval]] = defaultdict(list)
    for interval in await db.scalars(
        select(AttendanceInterval).where(
            AttendanceInterval.session_id.in_(list(sessions)),
            AttendanceInterval.user_id.in_(list(by_student)),
        )
    ):
        intervals[(interval.session_id, interval.user_id)].append(interval)
    marks: dict[tuple[int, date], list[tuple[LiveSession, SessionMark, bool]]] = defaultdict(list)
    for record in records:
        session = sessions[record.session_id]
        fixed = record.id in corrected
        early = (
            not fixed
            and record.status in ATTENDED
            and _left_early(intervals[(session.id, record.user_id)], session, rules)
        )
        marks[(record.user_id, seoul_day(session.scheduled_start))].append(
            (session, SessionMark(record.status, early), fixed)
        )
    rows = []
    for student_id, own in by_student.items():
        own.sort(key=lambda stay: stay.admitted_on)
        row = StudentMonth(student=users[student_id], admission=own[-1])
        for day in days:
            if admissions_service.admitted_on_day(own, day) is None:
                row.days[day] = None
                continue
            held = sorted(marks.get((student_id, day), []), key=lambda m: m[0].scheduled_start)
            row.days[day] = DayCell(
                day_status([mark for _, mark, _ in held], rules),
                corrected=any(fixed for _, _, fixed in held),
            )
        rows.append(row)
    rows.sort(key=lambda r: (r.admission.grade, r.student.display_name, r.student.id))
    return days, rows


@dataclass(frozen=True)
class SessionDetail:
    """One held session of a student's day, as the day rules saw it."""

    session: LiveSession
    record: AttendanceRecord
    left_early: bool
    corrections: list[tuple[AttendanceCorrection, User]]


async def day_detail(
    db: AsyncSession, programme_id: int, student_id: int, day: date, rules: DayRules
) -> tuple[DayStatus | None, list[SessionDetail]]:
    """Why a day has its status: the student's held sessions of that day with their records,
    the left-early reading and the corrections (callers check that the viewer may see them)."""
    rows = (
        await db.execute(
            select(LiveSession, AttendanceRecord)
            .join(HospitalClass, HospitalClass.course_id == LiveSession.course_id)
            .join(AttendanceRecord, AttendanceRecord.session_id == LiveSession.id)
            .where(
                HospitalClass.programme_id == programme_id,
                AttendanceRecord.user_id == student_id,
                LiveSession.status == LiveSessionStatus.ENDED,
                LiveSession.scheduled_start >= seoul_moment(day, time(0)),
                LiveSession.scheduled_start < seoul_moment(day + timedelta(days=1), time(0)),
            )
            .order_by(LiveSession.scheduled_start, LiveSession.id)
        )
    ).tuples()
    pairs = list(rows)
    record_ids = [record.id for _, record in pairs]
    corrections: dict[int, list[tuple[AttendanceCorrection, User]]] = defaultdict(list)
    for correction, author in (
        await db.execute(
            select(AttendanceCorrection, User)
            .join(User, User.id == AttendanceCorrection.changed_by)
            .where(AttendanceCorrection.record_id.in_(record_ids))
            .order_by(AttendanceCorrection.changed_at, AttendanceCorrection.id)
        )
    ).tuples():
        corrections[correction.record_id].append((correction, author))
    intervals: dict[int, list[AttendanceInterval]] = defaultdict(list)
    for interval in await db.scalars(
        select(AttendanceInterval).where(
            AttendanceInterval.session_id.in_([session.id for session, _ in pairs]),
            AttendanceInterval.user_id == student_id,
        )
    ):
        intervals[interval.session_id].append(interval)
    details = []
    for session, record in pairs:
        early = (
            record.id not in corrections
            and record.status in ATTENDED
            and _left_early(intervals[session.id], session, rules)
        )
        details.append(SessionDetail(session, record, early, corrections[record.id]))
    marks = [SessionMark(d.record.status, d.left_early) for d in details]
    return day_status(marks, rules), details
