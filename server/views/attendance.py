"""Attendance records of a session, and teachers' corrections with their audit trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import NotFound
from lms.models import AttendanceCorrection, AttendanceRecord, CourseRole, User
from lms.services import attendance, live_sessions, permissions
from server import keys
from server.auth import require_user
from server.schemas import AttendanceRecordOut, AttendanceRulesOut, CorrectionCreate, dump
from server.views.common import path_id, read_body, unit_of_work


async def records_payload(
    db: AsyncSession, records: Sequence[AttendanceRecord]
) -> list[dict[str, Any]]:
    """Records with their user and full correction history, in three queries for any count."""
    if not records:
        return []
    record_ids = [record.id for record in records]
    corrections = (
        await db.scalars(
            select(AttendanceCorrection)
            .where(AttendanceCorrection.record_id.in_(record_ids))
            .order_by(AttendanceCorrection.changed_at, AttendanceCorrection.id)
        )
    ).all()
    user_ids = {record.user_id for record in records} | {c.changed_by for c in corrections}
    users = {
        user.id: user for user in await db.scalars(select(User).where(User.id.in_(user_ids)))
    }
    by_record: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for correction in corrections:
        by_record[correction.record_id].append(
            {
                "id": correction.id,
                "changed_by": users[correction.changed_by],
                "changed_at": correction.changed_at,
                "old_status": correction.old_status,
                "new_status": correction.new_status,
                "reason": correction.reason,
            }
        )
    return [
        dump(
            AttendanceRecordOut,
            record,
            user=users[record.user_id],
            corrections=by_record[record.id],
        )
        for record in records
    ]


def as_record(item: Any) -> AttendanceRecord:
    """``list_attendance`` rows may come alone or paired with their user."""
    if isinstance(item, AttendanceRecord):
        return item
    return next(part for part in item if isinstance(part, AttendanceRecord))


async def list_attendance(request: web.Request) -> web.Response:
    """Teachers see the whole class; a student sees only their own row."""
    session_id = path_id(request)
    rules = request.app[keys.SETTINGS].attendance
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        session = await live_sessions.get_session(db, session_id)
        role = await permissions.require_course_member(db, identity.user, session.course_id)
        records = [as_record(item) for item in await attendance.list_attendance(db, session_id)]
        if role is CourseRole.STUDENT:
            records = [record for record in records if record.user_id == identity.user.id]
        items = await records_payload(db, records)
    return web.json_response({"items": items, "rules": dump(AttendanceRulesOut, rules)})


async def correct(request: web.Request) -> web.Response:
    record_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        record = await db.get(AttendanceRecord, record_id)
        if record is None:
            raise NotFound("no such attendance record", record_id=record_id)
        session = await live_sessions.get_session(db, record.session_id)
        await permissions.require_course_teacher(db, identity.user, session.course_id)
        body = await read_body(request, CorrectionCreate)
        record = await attendance.correct_status(
            db, identity.user, record_id, body.status, body.reason
        )
        await db.flush()
        [result] = await records_payload(db, [record])
    return web.json_response(result, status=201)
