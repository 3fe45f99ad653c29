"""The monthly attendance notice: one document per home school, versioned and signed off.

A batch generates, for a month, a new version for every home school that had a student in the
programme that month. Each version stores the snapshot it was rendered from plus its PDF and
XLSX with their SHA-256, and nothing is ever overwritten: re-generating makes version n+1 and
keeps n. The programme admin signs a version off, which renders the final files with the
sign-off line. A day whose status differs from the last signed-off version of the same month is
flagged on the new one, with the reasons of the corrections made since that sign-off.

Home-school teachers download only signed-off notices of their own school.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.hospital_rules import DayRules, NoticeSettings
from lms.models import (
    Admission,
    AttendanceCorrection,
    AttendanceNotice,
    AttendanceRecord,
    HospitalClass,
    HospitalProgramme,
    LiveSession,
    School,
    User,
)
from lms.services import clean_text, moment
from lms.services.hospital import SEOUL, access, daily, render, seoul_day, seoul_moment
from lms.services.hospital.programme import grade_label

FILE_KINDS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _stamp(instant: datetime) -> str:
    return instant.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M KST")


def _month(month: date, programme: HospitalProgramme) -> date:
    first, last = daily.month_bounds(month)
    if last < programme.starts_on or first > programme.ends_on:
        raise InvalidInput("the month is outside the programme", field="month")
    return first


async def _latest_signed(
    db: AsyncSession, programme_id: int, school_id: int, month: date
) -> AttendanceNotice | None:
    return await db.scalar(
        select(AttendanceNotice)
        .where(
            AttendanceNotice.programme_id == programme_id,
            AttendanceNotice.home_school_id == school_id,
            AttendanceNotice.month == month,
            AttendanceNotice.signed_off_at.is_not(None),
        )
        .order_by(AttendanceNotice.version.desc())
        .limit(1)
    )


async def _reasons_since(
    db: AsyncSession,
    programme_id: int,
    student_ids: list[int],
    month: date,
    since: datetime,
) -> dict[tuple[int, date], list[tuple[AttendanceCorrection, User]]]:
    """Corrections made after ``since`` to the month's sessions, by (student, day)."""
    first, last = daily.month_bounds(month)
    rows = await db.execute(
        select(AttendanceCorrection, AttendanceRecord.user_id, LiveSession.scheduled_start, User)
        .join(AttendanceRecord, AttendanceRecord.id == AttendanceCorrection.record_id)
        .join(LiveSession, LiveSession.id == AttendanceRecord.session_id)
        .join(HospitalClass, HospitalClass.course_id == LiveSession.course_id)
        .join(User, User.id == AttendanceCorrection.changed_by)
        .where(
            HospitalClass.programme_id == programme_id,
            AttendanceRecord.user_id.in_(student_ids),
            AttendanceCorrection.changed_at > since,
            LiveSession.scheduled_start >= seoul_moment(first, time(0)),
            LiveSession.scheduled_start < seoul_moment(last + timedelta(days=1), time(0)),
        )
        .order_by(AttendanceCorrection.changed_at, AttendanceCorrection.id)
    )
    found: dict[tuple[int, date], list[tuple[AttendanceCorrection, User]]] = defaultdict(list)
    for correction, student_id, start, author in rows.tuples():
        found[(student_id, seoul_day(start))].append((correction, author))
    return found


def _cells(row: daily.StudentMonth) -> dict[str, str | None]:
    """A student's days as stored: a status, ``"none"`` (no class held), None (not admitted)."""
    return {
        day.isoformat(): (None if cell is None else str(cell.status or "none"))
        for day, cell in row.days.items()
    }


async def _changes_since_signed(
    db: AsyncSession,
    programme: HospitalProgramme,
    school_id: int,
    month: date,
    days: list[date],
    rows: list[daily.StudentMonth],
) -> tuple[int | None, dict[int, list[str]], list[dict[str, Any]]]:
    """Days whose status differs from the month's last signed-off notice, with the reasons of
    the corrections made since: ``(that version, flagged days per student, change list)``."""
    previous = await _latest_signed(db, programme.id, school_id, month)
    if previous is None or previous.signed_off_at is None:
        return None, {}, []
    before = {str(s["id"]): s["days"] for s in previous.content["students"]}
    reasons = await _reasons_since(
        db, programme.id, [row.student.id for row in rows], month, previous.signed_off_at
    )
    flags: dict[int, list[str]] = defaultdict(list)
    changes = []
    for row in rows:
        cells = _cells(row)
        old_days = before.get(str(row.student.id), {})
        for day in days:
            iso = day.isoformat()
            if cells.get(iso) == old_days.get(iso):
                continue
            flags[row.student.id].append(iso)
            made = reasons.get((row.student.id, day), [])
            changes.append(
                {
                    "day": iso,
                    "student": row.student.display_name,
                    "old_day": old_days.get(iso),
                    "new_day": cells.get(iso),
                    "reason": "; ".join(dict.fromkeys(c.reason for c, _ in made))
                    or "자동 출결 반영",
                    "changed_at": _stamp(made[-1][0].changed_at) if made else "",
                    "changed_by": ", ".join(sorted({u.display_name for _, u in made})),
                }
            )
    return previous.version, flags, changes


async def _earlier_changes(
    db: AsyncSession,
    programme: HospitalProgramme,
    school_id: int,
    month: date,
    rules: DayRules,
) -> list[dict[str, Any]]:
    """Changes to earlier months of this school made after their notices were signed off and
    not yet re-issued, so a late correction is not lost when nobody regenerates that month."""
    months = sorted(
        set(
            await db.scalars(
                select(AttendanceNotice.month).where(
                    AttendanceNotice.programme_id == programme.id,
                    AttendanceNotice.home_school_id == school_id,
                    AttendanceNotice.month < month,
                    AttendanceNotice.signed_off_at.is_not(None),
                )
            )
        )
    )
    found = []
    for earlier in months:
        first, last = daily.month_bounds(earlier)
        stays = list(
            await db.scalars(
                select(Admission).where(
                    Admission.programme_id == programme.id,
                    Admission.home_school_id == school_id,
                    Admission.admitted_on <= last,
                    or_(Admission.discharged_on.is_(None), Admission.discharged_on >= first),
                )
            )
        )
        days, rows = await daily.month_grid(db, programme.id, stays, earlier, rules)
        _, _, changes = await _changes_since_signed(db, programme, school_id, earlier, days, rows)
        found.extend(changes)
    return found


async def build_content(
    db: AsyncSession,
    programme: HospitalProgramme,
    school: School,
    month: date,
    stays: list[Admission],
    rules: DayRules,
    *,
    version: int,
    generated_by: User,
    now: datetime,
) -> dict[str, Any]:
    """The snapshot a notice version is rendered from (JSON: it is stored with the files).

    ``corrections`` lists this month's days changed since its last signed-off version (also
    flagged in the grid), then earlier months' days changed since theirs.
    """
    days, rows = await daily.month_grid(db, programme.id, stays, month, rules)
    host = await db.get(School, programme.school_id)
    classes = {
        k.id: k.name
        for k in await db.scalars(
            select(HospitalClass).where(HospitalClass.programme_id == programme.id)
        )
    }
    previous_version, flags, corrections = await _changes_since_signed(
        db, programme, school.id, month, days, rows
    )
    corrections += await _earlier_changes(db, programme, school.id, month, rules)
    students = []
    for row in rows:
        stay = row.admission
        students.append(
            {
                "id": row.student.id,
                "name": row.student.display_name,
                "grade": stay.grade,
                "grade_label": grade_label(stay.grade),
                "class_name": classes.get(stay.class_id, ""),
                "admitted_on": stay.admitted_on.isoformat(),
                "discharged_on": stay.discharged_on.isoformat() if stay.discharged_on else None,
                "days": _cells(row),
                "flags": flags.get(row.student.id, []),
                "totals": row.totals,
            }
        )
    return {
        "programme": {
            "id": programme.id,
            "title": programme.title,
            "school_year": programme.school_year,
        },
        "host_school": host.name if host else "",
        "home_school": {"id": school.id, "code": school.code, "name": school.name},
        "month": month.strftime("%Y-%m"),
        "version": version,
        "previous_version": previous_version,
        "class_days": [day.isoformat() for day in days],
        "students": students,
        "corrections": corrections,
        "generated_by": generated_by.display_name,
        "generated_at": _stamp(now),
        "signed_off_by": None,
        "signed_off_at": None,
    }


async def _attach_files(notice: AttendanceNotice, settings: NoticeSettings) -> None:
    """Render in a worker thread: a PDF takes ~0.4 s of CPU, which must not stall the event
    loop that carries live classes."""
    content = notice.content
    notice.pdf = await asyncio.to_thread(render.render_pdf, content, settings)
    notice.xlsx = await asyncio.to_thread(render.render_xlsx, content)
    notice.pdf_sha256 = hashlib.sha256(notice.pdf).hexdigest()
    notice.xlsx_sha256 = hashlib.sha256(notice.xlsx).hexdigest()


async def generate_batch(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    month: date,
    client_id: str,
    rules: DayRules,
    settings: NoticeSettings,
    now: datetime | None = None,
) -> tuple[list[AttendanceNotice], bool]:
    """A new version for every home school of the month; a retried ``client_id`` returns the
    batch already made (``False``) instead of making another."""
    scope = await access.require_admin(db, actor, programme_id)
    now = moment(now)
    client_id = clean_text(client_id, "client_id", max_chars=64)
    made = list(
        await db.scalars(
            select(AttendanceNotice)
            .where(
                AttendanceNotice.programme_id == programme_id, AttendanceNotice.batch == client_id
            )
            .order_by(AttendanceNotice.id)
        )
    )
    if made:
        return made, False
    programme = scope.programme
    month = _month(month, programme)
    first, last = daily.month_bounds(month)
    stays = list(
        await db.scalars(
            select(Admission).where(
                Admission.programme_id == programme_id,
                Admission.admitted_on <= last,
                or_(Admission.discharged_on.is_(None), Admission.discharged_on >= first),
            )
        )
    )
    by_school: dict[int, list[Admission]] = defaultdict(list)
    for stay in stays:
        by_school[stay.home_school_id].append(stay)
    schools = {
        s.id: s for s in await db.scalars(select(School).where(School.id.in_(list(by_school))))
    }
    notices = []
    for school_id in sorted(by_school, key=lambda i: (schools[i].name, i)):
        latest = await db.scalar(
            select(func.max(AttendanceNotice.version)).where(
                AttendanceNotice.programme_id == programme_id,
                AttendanceNotice.home_school_id == school_id,
                AttendanceNotice.month == month,
            )
        )
        version = (latest or 0) + 1
        content = await build_content(
            db,
            programme,
            schools[school_id],
            month,
            by_school[school_id],
            rules,
            version=version,
            generated_by=actor,
            now=now,
        )
        notice = AttendanceNotice(
            programme_id=programme_id,
            home_school_id=school_id,
            month=month,
            version=version,
            batch=client_id,
            content=content,
            generated_by=actor.id,
            generated_at=now,
        )
        await _attach_files(notice, settings)
        db.add(notice)
        notices.append(notice)
    try:
        await db.flush()
    except IntegrityError:  # another batch for the month took these version numbers first
        raise Conflict("another batch of this month's notices was just made; reload") from None
    return notices, True


async def sign_off(
    db: AsyncSession,
    actor: User,
    notice_id: int,
    settings: NoticeSettings,
    now: datetime | None = None,
) -> AttendanceNotice:
    """The admin's sign-off: the final files carry it; only the newest version may be signed."""
    notice = await db.get(AttendanceNotice, notice_id)
    if notice is None:
        raise NotFound("no such notice", notice_id=notice_id)
    await access.require_admin(db, actor, notice.programme_id)
    if notice.signed_off_at is not None:
        raise Conflict("this notice is already signed off", notice_id=notice_id)
    newest = await db.scalar(
        select(func.max(AttendanceNotice.version)).where(
            AttendanceNotice.programme_id == notice.programme_id,
            AttendanceNotice.home_school_id == notice.home_school_id,
            AttendanceNotice.month == notice.month,
        )
    )
    if newest != notice.version:
        raise Conflict("a newer version of this notice exists", version=newest)
    now = moment(now)
    notice.content = {
        **notice.content,
        "signed_off_by": actor.display_name,
        "signed_off_at": _stamp(now),
    }
    notice.signed_off_by = actor.id
    notice.signed_off_at = now
    await _attach_files(notice, settings)
    await db.flush()
    return notice


async def list_notices(
    db: AsyncSession, actor: User, programme_id: int, month: date | None = None
) -> list[AttendanceNotice]:
    """Admins see every version; a home-school teacher the signed-off ones of their school."""
    scope = await access.scope(db, actor, programme_id)
    query = select(AttendanceNotice).where(AttendanceNotice.programme_id == programme_id)
    if month is not None:
        query = query.where(AttendanceNotice.month == month.replace(day=1))
    if not scope.is_admin:
        if not scope.home_school_ids:
            raise Forbidden("notices are for the programme admin and home-school teachers")
        query = query.where(
            AttendanceNotice.home_school_id.in_(list(scope.home_school_ids)),
            AttendanceNotice.signed_off_at.is_not(None),
        )
    return list(
        await db.scalars(
            query.order_by(
                AttendanceNotice.month.desc(),
                AttendanceNotice.home_school_id,
                AttendanceNotice.version.desc(),
            )
        )
    )


async def get_notice(db: AsyncSession, actor: User, notice_id: int) -> AttendanceNotice:
    """One notice, if the caller may see it (someone else's looks missing: 404)."""
    notice = await db.get(AttendanceNotice, notice_id)
    if notice is None:
        raise NotFound("no such notice", notice_id=notice_id)
    scope = await access.scope(db, actor, notice.programme_id)
    if scope.is_admin:
        return notice
    if notice.home_school_id in scope.home_school_ids and notice.signed_off_at is not None:
        return notice
    raise NotFound("no such notice", notice_id=notice_id)


def file_of(notice: AttendanceNotice, kind: str) -> tuple[str, bytes, str]:
    """``(filename, bytes, media type)`` of the notice's PDF or XLSX."""
    if kind not in FILE_KINDS:
        raise NotFound("no such file", kind=kind)
    data = notice.pdf if kind == "pdf" else notice.xlsx
    name = f"notice-{notice.month.strftime('%Y-%m')}-school{notice.home_school_id}"
    return f"{name}-v{notice.version}.{kind}", data, FILE_KINDS[kind]
