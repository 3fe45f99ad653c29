"""Automatic attendance: intervals while in the room, a status derived from rules at the end.

A short network drop is not a leave: the interval is resumed on reconnect, and a gap caused by
``network_lost`` shorter than the grace period counts as present.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.attendance_rules import AttendanceRules
from lms.errors import Conflict, InvalidInput, NotFound
from lms.models import (
    AttendanceCorrection,
    AttendanceInterval,
    AttendanceRecord,
    AttendanceStatus,
    LeaveReason,
    LiveSession,
    LiveSessionStatus,
    User,
)
from lms.services import clean_text, courses, moment, parse_enum, permissions

MAX_REASON_CHARS = 500
# Departures that are not the participant's choice: within the grace period they are bridged
# (counted as present) and a reconnect resumes the interval. A node draining for a restart or
# deploy is as involuntary as a dropped Wi-Fi link.
INVOLUNTARY = frozenset({LeaveReason.NETWORK_LOST, LeaveReason.NODE_SHUTDOWN})


class IntervalLike(Protocol):
    """What the rules read from an interval; stored rows and plain test values both fit."""

    @property
    def joined_at(self) -> datetime: ...

    @property
    def left_at(self) -> datetime | None: ...

    @property
    def leave_reason(self) -> LeaveReason | None: ...


class Outcome(NamedTuple):
    """``(status, first_join_at, seconds_present)``; a tuple so callers may unpack it."""

    status: AttendanceStatus
    first_join_at: datetime | None
    seconds_present: int


def _bridged_spans(
    intervals: Iterable[IntervalLike], until: datetime, grace: timedelta
) -> list[tuple[datetime, datetime]]:
    """Intervals as (start, end) spans: overlaps merged, a short involuntary gap folded in."""
    spans: list[tuple[datetime, datetime, LeaveReason | None]] = []
    for interval in sorted(intervals, key=lambda i: i.joined_at):
        end = max(interval.left_at or until, interval.joined_at)
        if spans:
            prev_start, prev_end, prev_reason = spans[-1]
            if interval.joined_at <= prev_end or (
                prev_reason in INVOLUNTARY and interval.joined_at - prev_end <= grace
            ):
                # The span's reason is that of whichever interval ends it last.
                reason = interval.leave_reason if end >= prev_end else prev_reason
                spans[-1] = (prev_start, max(prev_end, end), reason)
                continue
        spans.append((interval.joined_at, end, interval.leave_reason))
    return [(start, end) for start, end, _ in spans]


def compute_status(
    intervals: Sequence[IntervalLike],
    session_start: datetime,
    session_end: datetime,
    rules: AttendanceRules,
) -> Outcome:
    """The status the rules give one student's intervals in one session (pure, no I/O).

    Presence is the union of the intervals clipped to the session, with involuntary gaps
    shorter than the grace counted as present. Absent (no presence, or too little) beats late;
    late means the first join that reaches into the session came after the late limit.
    """
    if not intervals:
        return Outcome(AttendanceStatus.ABSENT, None, 0)
    grace = timedelta(seconds=rules.reconnect_grace_seconds)
    spans = _bridged_spans(intervals, session_end, grace)
    seconds = 0.0
    for start, end in spans:
        clipped = min(end, session_end) - max(start, session_start)
        seconds += max(clipped.total_seconds(), 0.0)
    # A visit that ended before the class began does not make a later arrival punctual.
    in_session = [start for start, end in spans if end > session_start and start < session_end]
    first_join = min(in_session) if in_session else min(i.joined_at for i in intervals)
    duration = (session_end - session_start).total_seconds()
    share = 100.0 if duration <= 0 else 100.0 * seconds / duration
    if not in_session or seconds <= 0 or share < rules.absent_below_percent:
        status = AttendanceStatus.ABSENT
    elif first_join > session_start + timedelta(minutes=rules.late_after_minutes):
        status = AttendanceStatus.LATE
    else:
        status = AttendanceStatus.PRESENT
    return Outcome(status, first_join, round(seconds))


async def _latest_interval(
    db: AsyncSession, session_id: int, user_id: int
) -> AttendanceInterval | None:
    return await db.scalar(
        select(AttendanceInterval)
        .where(AttendanceInterval.session_id == session_id, AttendanceInterval.user_id == user_id)
        .order_by(AttendanceInterval.joined_at.desc(), AttendanceInterval.id.desc())
        .limit(1)
    )


async def _require_live(db: AsyncSession, session_id: int) -> None:
    status = await db.scalar(select(LiveSession.status).where(LiveSession.id == session_id))
    if status is None:
        raise NotFound("no such live session", session_id=session_id)
    if status is not LiveSessionStatus.LIVE:
        raise Conflict(f"this session is {status.value}, not live", session_id=session_id)


async def open_interval(
    db: AsyncSession,
    session_id: int,
    user_id: int,
    *,
    grace_seconds: float,
    now: datetime | None = None,
) -> tuple[AttendanceInterval, bool]:
    """Start counting a participant as present; ``True`` when an interval continues.

    An open interval (another tab) continues as is; one closed by an involuntary drop within
    the grace period is reopened, so a reconnect never counts as a new, late arrival.
    Only a live session takes attendance.
    """
    if grace_seconds < 0:
        raise InvalidInput("grace_seconds must not be negative")
    now = moment(now)
    await _require_live(db, session_id)
    latest = await _latest_interval(db, session_id, user_id)
    if latest is not None and latest.left_at is None:
        return latest, True
    if (
        latest is not None
        and latest.leave_reason in INVOLUNTARY
        and latest.left_at is not None
        and timedelta(0) <= now - latest.left_at <= timedelta(seconds=grace_seconds)
    ):
        latest.left_at = None
        latest.leave_reason = None
        await db.flush()
        return latest, True
    interval = AttendanceInterval(session_id=session_id, user_id=user_id, joined_at=now)
    db.add(interval)
    await db.flush()
    return interval, False


async def _close_open_intervals(
    db: AsyncSession,
    session_id: int,
    reason: LeaveReason,
    now: datetime | None,
    user_id: int | None = None,
) -> int:
    """Close the session's open intervals (one person's, or everyone's); returns how many."""
    reason = parse_enum(LeaveReason, reason, "reason")
    now = moment(now)
    query = select(AttendanceInterval).where(
        AttendanceInterval.session_id == session_id, AttendanceInterval.left_at.is_(None)
    )
    if user_id is not None:
        query = query.where(AttendanceInterval.user_id == user_id)
    open_ones = list(await db.scalars(query))
    for interval in open_ones:
        interval.left_at = max(now, interval.joined_at)
        interval.leave_reason = reason
    if open_ones:
        await db.flush()
    return len(open_ones)


async def close_interval(
    db: AsyncSession,
    session_id: int,
    user_id: int,
    reason: LeaveReason,
    now: datetime | None = None,
) -> bool:
    """Stop counting; ``False`` (and nothing changes) when no interval was open."""
    return await _close_open_intervals(db, session_id, reason, now, user_id) > 0


async def close_all_intervals(
    db: AsyncSession, session_id: int, reason: LeaveReason, now: datetime | None = None
) -> int:
    """Close everyone's open interval at once (session end); returns how many were open."""
    return await _close_open_intervals(db, session_id, reason, now)


async def finalize_attendance(
    db: AsyncSession, session: LiveSession, rules: AttendanceRules
) -> list[AttendanceRecord]:
    """Give every enrolled student a record; a teacher's correction is never overwritten."""
    if session.started_at is None or session.ended_at is None:
        raise InvalidInput("attendance is computed for a session that ran", session_id=session.id)
    students = await courses.enrolled_students(db, session.course_id)
    intervals: dict[int, list[AttendanceInterval]] = {user_id: [] for user_id in students}
    for interval in await db.scalars(
        select(AttendanceInterval).where(AttendanceInterval.session_id == session.id)
    ):
        if interval.user_id in intervals:
            intervals[interval.user_id].append(interval)
    existing = {
        record.user_id: record
        for record in await db.scalars(
            select(AttendanceRecord).where(AttendanceRecord.session_id == session.id)
        )
    }
    corrected = set(
        await db.scalars(
            select(AttendanceCorrection.record_id).where(
                AttendanceCorrection.record_id.in_([r.id for r in existing.values()])
            )
        )
    )
    records = []
    for user_id, own in intervals.items():
        outcome = compute_status(own, session.started_at, session.ended_at, rules)
        record = existing.get(user_id)
        if record is None:
            record = AttendanceRecord(session_id=session.id, user_id=user_id, status=outcome.status)
            db.add(record)
        elif record.id not in corrected:
            record.status = outcome.status
        record.computed_status = outcome.status
        record.first_join_at = outcome.first_join_at
        record.seconds_present = outcome.seconds_present
        records.append(record)
    await db.flush()
    return records


async def list_attendance(db: AsyncSession, session_id: int) -> list[AttendanceRecord]:
    """The session's records by student name; callers check who may see which rows."""
    return list(
        await db.scalars(
            select(AttendanceRecord)
            .join(User, User.id == AttendanceRecord.user_id)
            .where(AttendanceRecord.session_id == session_id)
            .order_by(User.display_name, User.id)
        )
    )


async def correct_status(
    db: AsyncSession,
    actor: User,
    record_id: int,
    new_status: AttendanceStatus,
    reason: str,
) -> AttendanceRecord:
    """A teacher's correction; the old and new status and the reason are kept forever."""
    record = await db.get(AttendanceRecord, record_id)
    if record is None:
        raise NotFound("no such attendance record", record_id=record_id)
    session = await db.get(LiveSession, record.session_id)
    assert session is not None  # enforced by the foreign key
    await permissions.require_course_teacher(db, actor, session.course_id)
    reason = clean_text(reason, "reason", max_chars=MAX_REASON_CHARS)
    new_status = parse_enum(AttendanceStatus, new_status, "status")
    if new_status is record.status:
        raise InvalidInput("the status is already " + new_status.value, field="status")
    db.add(
        AttendanceCorrection(
            record_id=record.id,
            changed_by=actor.id,
            old_status=record.status,
            new_status=new_status,
            reason=reason,
        )
    )
    record.status = new_status
    await db.flush()
    return record
