"""Live sessions: scheduled → live → ended, and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.attendance_rules import AttendanceRules
from lms.errors import Conflict, InvalidInput, NotFound
from lms.models import LeaveReason, LiveSession, LiveSessionStatus, User
from lms.services import attendance, aware, clean_text, courses, moment, permissions

# A school day, not a week: a typo in the end date should not block a room for days.
MAX_SESSION_LENGTH = timedelta(hours=12)


async def schedule_session(
    db: AsyncSession,
    actor: User,
    course_id: int,
    *,
    title: str,
    scheduled_start: datetime,
    scheduled_end: datetime,
) -> LiveSession:
    """Put a class meeting on the course's timetable; only its teachers may."""
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    title = clean_text(title, "session title", max_chars=200)
    scheduled_start = aware(scheduled_start, "scheduled_start")
    scheduled_end = aware(scheduled_end, "scheduled_end")
    if scheduled_end <= scheduled_start:
        raise InvalidInput("a session must end after it starts", field="scheduled_end")
    if scheduled_end - scheduled_start > MAX_SESSION_LENGTH:
        raise InvalidInput(
            f"a session may last at most {MAX_SESSION_LENGTH.seconds // 3600} hours",
            field="scheduled_end",
        )
    session = LiveSession(
        course_id=course_id,
        title=title,
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end,
    )
    db.add(session)
    await db.flush()
    return session


async def list_sessions(db: AsyncSession, course_id: int) -> list[LiveSession]:
    """The course's sessions in timetable order; callers check membership."""
    return list(
        await db.scalars(
            select(LiveSession)
            .where(LiveSession.course_id == course_id)
            .order_by(LiveSession.scheduled_start, LiveSession.id)
        )
    )


async def get_session(db: AsyncSession, session_id: int) -> LiveSession:
    """The session, or NotFound; callers check the viewer's rights separately."""
    session = await db.get(LiveSession, session_id)
    if session is None:
        raise NotFound("no such live session", session_id=session_id)
    return session


async def _locked_session(db: AsyncSession, session_id: int) -> LiveSession:
    """The session row, locked on PostgreSQL so two teachers cannot race a transition."""
    session = await db.scalar(
        select(LiveSession)
        .where(LiveSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise NotFound("no such live session", session_id=session_id)
    return session


async def start_session(
    db: AsyncSession, actor: User, session_id: int, now: datetime | None = None
) -> LiveSession:
    """Open the class; starting one that is already live changes nothing (a double click)."""
    now = moment(now)
    session = await _locked_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    if session.status is LiveSessionStatus.ENDED:
        raise Conflict("this session has ended", session_id=session_id)
    if session.status is LiveSessionStatus.SCHEDULED:
        session.status = LiveSessionStatus.LIVE
        session.started_at = now
        session.started_by = actor.id
        await db.flush()
    return session


async def end_session(
    db: AsyncSession,
    actor: User,
    session_id: int,
    rules: AttendanceRules,
    now: datetime | None = None,
) -> LiveSession:
    """Close the class: everyone's interval ends now and attendance is computed.

    Only a live session ends: a scheduled one was never held, and ending twice is a Conflict so
    a second teacher's click cannot recompute attendance behind the first one's corrections.
    """
    now = moment(now)
    session = await _locked_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    if session.status is LiveSessionStatus.ENDED:
        raise Conflict("this session has already ended", session_id=session_id)
    if session.status is LiveSessionStatus.SCHEDULED:
        raise Conflict("this session has not started", session_id=session_id)
    session.status = LiveSessionStatus.ENDED
    session.ended_at = max(now, session.started_at or now)
    await attendance.close_all_intervals(db, session_id, LeaveReason.SESSION_ENDED, now)
    await attendance.finalize_attendance(db, session, rules)
    return session
