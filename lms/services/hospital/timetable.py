"""The weekly timetable and the live sessions it makes on the calendar's class days.

Generation is idempotent: each (slot, day) makes at most one ``LiveSession``, remembered in
``TimetableSession``. Regenerating after a calendar edit adds what is missing and removes the
sessions of days that are no longer class days (or of removed slots) — but only sessions that
never ran and hold no attendance; anything a child attended is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, InvalidInput, NotFound
from lms.models import (
    AttendanceInterval,
    AttendanceRecord,
    HospitalClass,
    LiveSession,
    LiveSessionStatus,
    ProgrammeRole,
    ProgrammeStaff,
    TimetableSession,
    TimetableSlot,
    User,
)
from lms.services import clean_text, moment
from lms.services.hospital import access, programme, seoul_moment


@dataclass(frozen=True)
class Generation:
    """What one regeneration did: sessions created, removed, and kept despite their day."""

    created: int
    removed: int
    kept: int


async def add_slot(
    db: AsyncSession,
    actor: User,
    class_id: int,
    *,
    weekday: int,
    period: int,
    starts_at: time,
    ends_at: time,
    subject: str,
    instructor_id: int | None = None,
) -> TimetableSlot:
    """A weekly period; ``generate`` turns it into sessions."""
    klass = await programme.get_class(db, class_id)
    await access.require_admin(db, actor, klass.programme_id)
    if not 0 <= weekday <= 6:
        raise InvalidInput("weekday is 0 (Monday) to 6 (Sunday)", field="weekday")
    if not 1 <= period <= 12:
        raise InvalidInput("period is 1 to 12", field="period")
    if ends_at <= starts_at:
        raise InvalidInput("a period must end after it starts", field="ends_at")
    subject = clean_text(subject, "subject", max_chars=100)
    if instructor_id is not None:
        is_instructor = await db.scalar(
            select(ProgrammeStaff.id).where(
                ProgrammeStaff.programme_id == klass.programme_id,
                ProgrammeStaff.user_id == instructor_id,
                ProgrammeStaff.role == ProgrammeRole.INSTRUCTOR,
            )
        )
        if is_instructor is None:
            raise InvalidInput("not an instructor of the programme", field="instructor_id")
    clash = await db.scalar(
        select(TimetableSlot.id).where(
            TimetableSlot.class_id == class_id,
            TimetableSlot.weekday == weekday,
            TimetableSlot.removed_at.is_(None),
            TimetableSlot.starts_at < ends_at,
            TimetableSlot.ends_at > starts_at,
        )
    )
    if clash is not None:
        raise Conflict("the class already has a period at that time", slot_id=clash)
    slot = TimetableSlot(
        class_id=class_id,
        weekday=weekday,
        period=period,
        starts_at=starts_at,
        ends_at=ends_at,
        subject=subject,
        instructor_id=instructor_id,
    )
    db.add(slot)
    await db.flush()
    return slot


async def list_slots(db: AsyncSession, class_ids: list[int]) -> list[TimetableSlot]:
    if not class_ids:
        return []
    return list(
        await db.scalars(
            select(TimetableSlot)
            .where(TimetableSlot.class_id.in_(class_ids), TimetableSlot.removed_at.is_(None))
            .order_by(TimetableSlot.weekday, TimetableSlot.starts_at, TimetableSlot.id)
        )
    )


async def remove_slot(
    db: AsyncSession, actor: User, slot_id: int, now: datetime | None = None
) -> TimetableSlot:
    """Retire a period; its future sessions go at the next generation, held ones stay."""
    slot = await db.get(TimetableSlot, slot_id)
    if slot is None or slot.removed_at is not None:
        raise NotFound("no such timetable slot", slot_id=slot_id)
    klass = await programme.get_class(db, slot.class_id)
    await access.require_admin(db, actor, klass.programme_id)
    slot.removed_at = moment(now)
    await db.flush()
    return slot


async def _has_attendance(db: AsyncSession, session_id: int) -> bool:
    interval = exists().where(AttendanceInterval.session_id == session_id)
    record = exists().where(AttendanceRecord.session_id == session_id)
    return bool(await db.scalar(select(interval | record)))


async def generate(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    start: date | None = None,
    end: date | None = None,
) -> Generation:
    """Make the timetable's sessions for the class days in ``start``..``end`` (default: all)."""
    scope = await access.require_admin(db, actor, programme_id)
    start = max(start or scope.programme.starts_on, scope.programme.starts_on)
    end = min(end or scope.programme.ends_on, scope.programme.ends_on)
    if end < start:
        return Generation(0, 0, 0)
    days = set(await programme.class_days(db, programme_id, start, end))
    classes = {k.id: k for k in await programme.list_classes(db, programme_id)}
    all_slots = list(
        await db.scalars(select(TimetableSlot).where(TimetableSlot.class_id.in_(list(classes))))
    )
    links = {
        (link.slot_id, link.day): link
        for link in await db.scalars(
            select(TimetableSession).where(
                TimetableSession.slot_id.in_([slot.id for slot in all_slots]),
                TimetableSession.day >= start,
                TimetableSession.day <= end,
            )
        )
    }
    # A whole year is tens of thousands of sessions: insert them in two batched flushes.
    made: list[tuple[TimetableSlot, date, LiveSession]] = []
    for slot in all_slots:
        if slot.removed_at is not None:
            continue
        klass = classes[slot.class_id]
        for day in sorted(d for d in days if d.weekday() == slot.weekday):
            if (slot.id, day) in links:
                continue
            session = LiveSession(
                course_id=klass.course_id,
                title=f"{klass.name} {slot.period}교시 {slot.subject}"[:200],
                scheduled_start=seoul_moment(day, slot.starts_at),
                scheduled_end=seoul_moment(day, slot.ends_at),
            )
            made.append((slot, day, session))
    db.add_all([session for _, _, session in made])
    await db.flush()
    db.add_all(
        [TimetableSession(slot_id=slot.id, day=day, session_id=s.id) for slot, day, s in made]
    )
    try:
        await db.flush()
    except IntegrityError:  # another generation of the same days committed first
        raise Conflict("the sessions are being generated; try again") from None
    created = len(made)
    slots = {slot.id: slot for slot in all_slots}
    removed = kept = 0
    for (slot_id, day), link in links.items():
        if day in days and slots[slot_id].removed_at is None:
            continue
        session = await db.get(LiveSession, link.session_id)
        assert session is not None  # enforced by the foreign key
        if session.status is not LiveSessionStatus.SCHEDULED or await _has_attendance(
            db, session.id
        ):
            kept += 1
            continue
        try:
            async with db.begin_nested():
                await db.delete(link)
                await db.flush()
                await db.delete(session)
                await db.flush()
        except IntegrityError:
            # Something else (a prepared quiz, a chat line) hangs on it: keep the session.
            kept += 1
            continue
        removed += 1
    await db.flush()
    return Generation(created, removed, kept)


async def class_of_session(db: AsyncSession, session_id: int) -> HospitalClass | None:
    """The hospital class whose course runs this session, if any."""
    return await db.scalar(
        select(HospitalClass)
        .join(LiveSession, LiveSession.course_id == HospitalClass.course_id)
        .where(LiveSession.id == session_id)
    )
