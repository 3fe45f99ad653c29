"""Automatic attendance: intervals while in the room, a status derived from rules at the end.

A short network drop is not a leave: the interval is resumed on reconnect, and a gap caused by
``network_lost`` shorter than the grace period counts as present.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.attendance_rules import AttendanceRules
from lms.db import utcnow
from lms.errors import InvalidInput, NotFound
from lms.models import (
    AttendanceCorrection,
    AttendanceInterval,
    AttendanceRecord,
    AttendanceStatus,
    LeaveReason,
    LiveSession,
    User,
)
from lms.services import courses, permissions

MAX_REASON_CHARS = 500


class IntervalLike(Protocol):
    joined_at: datetime
    left_at: datetime | None
    leave_reason: LeaveReason | None


@dataclass(frozen=True)
class Outcome:
    status: AttendanceStatus
    first_join_at: datetime | None
    seconds_present: int


def _bridged_spans(
    intervals: Iterable[IntervalLike], until: datetime, grace: timedelta
) -> list[tuple[datetime, datetime]]:
    """Intervals as (start, end) spans, a short network gap folded into the span before it."""
    spans: list[tuple[datetime, datetime, LeaveReason | None]] = []
    for interval in sorted(intervals, key=lambda i: i.joined_at):
        end = interval.left_at or until
        if spans:
            prev_start, prev_end, prev_reason = spans[-1]
            gap = interval.joined_at - prev_end
            if interval.joined_at <= prev_end or (
                prev_reason is LeaveReason.NETWORK_LOST and gap <= grace
            ):
                spans[-1] = (prev_start, max(prev_end, end), interval.leave_reason)
                continue
        spans.append((interval.joined_at, end, interval.leave_reason))
    return [(start, end) for start, end, _ in spans]


def compute_status(
    intervals: Sequence[IntervalLike],
    session_start: datetime,
    session_end: datetime,
    rules: AttendanceRules,
) -> Outcome:
    """The status the rules give for one student's intervals in one session (pure)."""
    if not intervals:
        return Outcome(AttendanceStatus.ABSENT, None, 0)
    grace = timedelta(seconds=rules.reconnect_grace_seconds)
    seconds = 0.0
    for start, end in _bridged_spans(intervals, session_end, grace):
        clipped = min(end, session_end) - max(start, session_start)
        seconds += max(clipped.total_seconds(), 0.0)
    first_join = min(interval.joined_at for interval in intervals)
    duration = (session_end - session_start).total_seconds()
    share = 100.0 if duration <= 0 else 100.0 * seconds / duration
    if first_join >= session_end or share < rules.absent_below_percent:
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


async def open_interval(
    db: AsyncSession,
    session_id: int,
    user_id: int,
    *,
    grace_seconds: float,
    now: datetime | None = None,
) -> tuple[AttendanceInterval, bool]:
    """Start counting a participant as present; ``True`` when an interval continues.

    An open interval (another tab) continues as is; one closed by a network drop within the
    grace period is reopened, so a reconnect never counts as a new, late arrival.
    """
    now = now or utcnow()
    latest = await _latest_interval(db, session_id, user_id)
    if latest is not None and latest.left_at is None:
        return latest, True
    if (
        latest is not None
        and latest.leave_reason is LeaveReason.NETWORK_LOST
        and latest.left_at is not None
        and now - latest.left_at <= timedelta(seconds=grace_seconds)
    ):
        latest.left_at = None
        latest.leave_reason = None
        await db.flush()
        return latest, True
    interval = AttendanceInterval(session_id=session_id, user_id=user_id, joined_at=now)
    db.add(interval)
    await db.flush()
    return interval, False


async def close_interval(
    db: AsyncSession,
    session_id: int,
    user_id: int,
    reason: LeaveReason,
    now: datetime | None = None,
) -> bool:
    """Stop counting; ``False`` when the participant had no open interval."""
    now = now or utcnow()
    open_ones = await db.scalars(
        select(AttendanceInterval).where(
            AttendanceInterval.session_id == session_id,
            AttendanceInterval.user_id == user_id,
            AttendanceInterval.left_at.is_(None),
        )
    )
    closed = False
    for interval in open_ones:
        interval.left_at = max(now, interval.joined_at)
        interval.leave_reason = LeaveReason(reason)
        closed = True
    await db.flush()
    return closed


async def close_all_intervals(
    db: AsyncSession, session_id: int, reason: LeaveReason, now: datetime | None = None
) -> int:
    now = now or utcnow()
    open_ones = list(
        await db.scalars(
            select(AttendanceInterval).where(
                AttendanceInterval.session_id == session_id,
                AttendanceInterval.left_at.is_(None),
            )
        )
    )
    for interval in open_ones:
        interval.left_at = max(now, interval.joined_at)
        interval.leave_reason = LeaveReason(reason)
    await db.flush()
    return len(open_ones)


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
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"a reason of 1 to {MAX_REASON_CHARS} characters is required")
    new_status = AttendanceStatus(new_status)
    if new_status is record.status:
        raise InvalidInput("the status is already " + new_status.value)
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
