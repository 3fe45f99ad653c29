"""Hospital classroom REST (``docs/hospital.md``): programme, calendar, staff, classes and
timetable, admissions, the attendance grid, today's sessions and the monthly notices.

Every handler resolves the caller's programme scope through ``lms.services.hospital.access``;
what a response holds is cut to that scope (a home-school teacher's lists hold their school's
students only), and notice files are sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import InvalidInput
from lms.models import (
    Admission,
    AttendanceNotice,
    HospitalClass,
    HospitalProgramme,
    LiveSession,
    ProgrammeStaff,
    School,
    User,
)
from lms.services import moment
from lms.services.hospital import (
    access,
    admissions,
    daily,
    notices,
    programme,
    seoul_day,
    seoul_moment,
    timetable,
)
from lms.services.hospital.programme import grade_label
from server import keys
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas import hospital as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


async def _people(db: AsyncSession, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in await db.scalars(select(User).where(User.id.in_(wanted)))}


async def _schools(db: AsyncSession, ids: Iterable[int | None]) -> dict[int, School]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {x.id: x for x in await db.scalars(select(School).where(School.id.in_(wanted)))}


async def _programme_out(
    db: AsyncSession, programme_obj: HospitalProgramme, scope: access.Scope
) -> dict[str, Any]:
    today = seoul_day(moment(None))
    return dump(
        s.ProgrammeOut,
        programme_obj,
        class_days=await programme.class_day_count(db, programme_obj.id),
        class_days_to_date=await programme.class_day_count(db, programme_obj.id, until=today),
        my_roles=sorted(scope.roles),
        home_school_ids=sorted(scope.home_school_ids),
    )


# -- programme and calendar -------------------------------------------------------------------


async def list_programmes(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        items = []
        for found, _roles in await access.my_programmes(db, identity.user):
            scope = await access.scope(db, identity.user, found.id)
            items.append(await _programme_out(db, found, scope))
    return json({"items": items})


async def create_programme(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.ProgrammeCreate)
        created = await programme.create_programme(
            db,
            identity.user,
            school_id=body.school_id,
            school_year=body.school_year,
            title=body.title,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            target_class_days=body.target_class_days,
        )
        scope = await access.scope(db, identity.user, created.id)
        result = await _programme_out(db, created, scope)
    return json(result, status=201)


async def get_programme(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        scope = await access.scope(db, identity.user, programme_id)
        result = await _programme_out(db, scope.programme, scope)
    return json(result)


async def _calendar_out(
    db: AsyncSession, found: HospitalProgramme, month: date | None
) -> dict[str, Any]:
    start = end = None
    if month is not None:
        start, end = daily.month_bounds(month)
    days = await programme.calendar(db, found.id, start, end)
    today = seoul_day(moment(None))
    return {
        "items": [dump(s.CalendarDayOut, day) for day in days],
        "class_days": await programme.class_day_count(db, found.id),
        "class_days_to_date": await programme.class_day_count(db, found.id, until=today),
        "target_class_days": found.target_class_days,
    }


async def get_calendar(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    query = read_query(request, s.MonthQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        scope = await access.scope(db, identity.user, programme_id)
        month = _month(query.month) if query.month else None
        result = await _calendar_out(db, scope.programme, month)
    return json(result)


async def edit_calendar(request: web.Request) -> web.Response:
    """Mark days; the timetable's sessions of those days follow at once (idempotently)."""
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.CalendarEdit)
        changes = [(d.day, d.kind, d.note) for d in body.days]
        await programme.set_days(db, identity.user, programme_id, changes)
        days = sorted(d.day for d in body.days)
        await timetable.generate(db, identity.user, programme_id, days[0], days[-1])
        scope = await access.scope(db, identity.user, programme_id)
        month = _month(body.days[0].day.strftime("%Y-%m"))
        result = await _calendar_out(db, scope.programme, month)
    return json(result)


async def schools(request: web.Request) -> web.Response:
    """Every school, for a programme admin choosing a student's home school."""
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await access.require_admin(db, identity.user, programme_id)
        rows = await db.scalars(select(School).order_by(School.name, School.id))
        items = [dump(s.SchoolRef, school) for school in rows]
    return json({"items": items})


# -- staff ------------------------------------------------------------------------------------


async def list_staff(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        scope = await access.scope(db, identity.user, programme_id)
        rows = await programme.list_staff(db, programme_id)
        if not scope.is_admin:
            # Others see the people they work with, never the other schools' teachers.
            rows = [
                (staff, user)
                for staff, user in rows
                if staff.home_school_id is None or staff.home_school_id in scope.home_school_ids
            ]
        found = await _schools(db, (staff.home_school_id for staff, _ in rows))
        items = [_staff_out(staff, user, found) for staff, user in rows]
    return json({"items": items})


def _staff_out(staff: ProgrammeStaff, user: User, found: dict[int, School]) -> dict[str, Any]:
    school = found.get(staff.home_school_id) if staff.home_school_id else None
    return dump(s.StaffOut, staff, user=user, home_school=school)


async def add_staff(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.StaffCreate)
        staff = await programme.add_staff(
            db,
            identity.user,
            programme_id,
            login=body.login,
            role=body.role,
            home_school_id=body.home_school_id,
        )
        user = await db.get(User, staff.user_id)
        assert user is not None
        result = _staff_out(staff, user, await _schools(db, [staff.home_school_id]))
    return json(result, status=201)


async def remove_staff(request: web.Request) -> web.Response:
    staff_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await programme.remove_staff(db, identity.user, staff_id)
    return json({"ok": True})


# -- classes and timetable --------------------------------------------------------------------


async def _classes_out(db: AsyncSession, classes: Sequence[HospitalClass]) -> list[dict[str, Any]]:
    ids = [k.id for k in classes]
    teachers = await programme.class_instructors(db, ids)
    slots: dict[int, list[Any]] = {i: [] for i in ids}
    for slot in await timetable.list_slots(db, ids):
        slots[slot.class_id].append(dump(s.SlotOut, slot))
    return [
        dump(
            s.ClassOut,
            k,
            grade_label=grade_label(k.grade),
            instructors=teachers[k.id],
            slots=slots[k.id],
        )
        for k in classes
    ]


async def list_classes(request: web.Request) -> web.Response:
    """Admins see every class; an instructor their own; a home teacher has no use for them."""
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        scope = await access.scope(db, identity.user, programme_id)
        classes = await programme.list_classes(db, programme_id)
        if not scope.is_admin:
            classes = [k for k in classes if k.id in scope.class_ids]
        items = await _classes_out(db, classes)
    return json({"items": items})


async def create_class(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.ClassCreate)
        klass = await programme.create_class(
            db, identity.user, programme_id, name=body.name, grade=body.grade
        )
        [result] = await _classes_out(db, [klass])
    return json(result, status=201)


async def assign_instructor(request: web.Request) -> web.Response:
    class_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.InstructorAssign)
        await programme.assign_instructor(db, identity.user, class_id, body.user_id)
        [result] = await _classes_out(db, [await programme.get_class(db, class_id)])
    return json(result)


async def unassign_instructor(request: web.Request) -> web.Response:
    class_id = path_id(request)
    user_id = path_id(request, "user_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await programme.unassign_instructor(db, identity.user, class_id, user_id)
        [result] = await _classes_out(db, [await programme.get_class(db, class_id)])
    return json(result)


async def add_slot(request: web.Request) -> web.Response:
    class_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SlotCreate)
        slot = await timetable.add_slot(
            db,
            identity.user,
            class_id,
            weekday=body.weekday,
            period=body.period,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            subject=body.subject,
            instructor_id=body.instructor_id,
        )
        result = dump(s.SlotOut, slot)
    return json(result, status=201)


async def remove_slot(request: web.Request) -> web.Response:
    slot_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await timetable.remove_slot(db, identity.user, slot_id)
    return json({"ok": True})


async def generate_sessions(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.GenerateRequest)
        result = await timetable.generate(db, identity.user, programme_id, body.start, body.end)
    return json(dump(s.GenerationOut, result))


async def today(request: web.Request) -> web.Response:
    """Today's sessions (Seoul) of the caller's classes: an instructor's way into the class."""
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        scope = await access.scope(db, identity.user, programme_id)
        day = seoul_day(moment(None))
        classes = {k.id: k for k in await programme.list_classes(db, programme_id)}
        if not scope.is_admin:
            classes = {i: k for i, k in classes.items() if i in scope.class_ids}
        by_course = {k.course_id: k for k in classes.values()}
        rows = await db.scalars(
            select(LiveSession)
            .where(
                LiveSession.course_id.in_(list(by_course)),
                LiveSession.scheduled_start >= seoul_moment(day, time(0)),
                LiveSession.scheduled_start < seoul_moment(day + timedelta(days=1), time(0)),
            )
            .order_by(LiveSession.scheduled_start, LiveSession.id)
        )
        items = [
            dump(
                s.TodaySession,
                session,
                class_id=by_course[session.course_id].id,
                class_name=by_course[session.course_id].name,
            )
            for session in rows
        ]
    return json({"day": day.isoformat(), "items": items})


# -- admissions and attendance ----------------------------------------------------------------


async def _admissions_out(db: AsyncSession, rows: Sequence[Admission]) -> list[dict[str, Any]]:
    users = await _people(db, [r.student_id for r in rows] + [r.home_teacher_id for r in rows])
    found = await _schools(db, (r.home_school_id for r in rows))
    return [
        dump(
            s.AdmissionOut,
            row,
            student=users[row.student_id],
            home_school=found[row.home_school_id],
            grade_label=grade_label(row.grade),
            home_teacher=users.get(row.home_teacher_id) if row.home_teacher_id else None,
        )
        for row in rows
    ]


async def list_admissions(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    query = read_query(request, s.AdmissionQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        _, rows = await admissions.visible_admissions(
            db,
            identity.user,
            programme_id,
            student_id=query.student_id,
            current_on=seoul_day(moment(None)) if query.current else None,
        )
        items = await _admissions_out(db, rows)
    return json({"items": items})


async def admit(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.AdmissionCreate)
        row, created = await admissions.admit(
            db,
            identity.user,
            programme_id,
            student_login=body.student_login,
            class_id=body.class_id,
            home_school_id=body.home_school_id,
            grade=body.grade,
            admitted_on=body.admitted_on,
            client_id=body.client_id,
            home_teacher_id=body.home_teacher_id,
            guardian_name=body.guardian_name,
            guardian_phone=body.guardian_phone,
            note=body.note,
        )
        [result] = await _admissions_out(db, [row])
    return json(result, status=201 if created else 200)


async def update_admission(request: web.Request) -> web.Response:
    admission_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.AdmissionUpdate)
        changes = {name: getattr(body, name) for name in body.model_fields_set}
        for name in ("guardian_name", "guardian_phone", "note"):
            if name in changes and changes[name] is None:
                raise InvalidInput(f"{name} must be text", field=name)
        row = await admissions.update_contact(db, identity.user, admission_id, changes)
        [result] = await _admissions_out(db, [row])
    return json(result)


async def discharge(request: web.Request) -> web.Response:
    admission_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.DischargeRequest)
        row = await admissions.discharge(db, identity.user, admission_id, body.discharged_on)
        [result] = await _admissions_out(db, [row])
    return json(result)


async def attendance_grid(request: web.Request) -> web.Response:
    """Daily statuses of the month for the students the caller may see."""
    programme_id = path_id(request)
    query = read_query(request, s.AttendanceQuery)
    rules = request.app[keys.SETTINGS].hospital_day
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        _, stays = await admissions.visible_admissions(db, identity.user, programme_id)
        if query.home_school_id is not None:
            stays = [a for a in stays if a.home_school_id == query.home_school_id]
        month = _month(query.month)
        days, rows = await daily.month_grid(db, programme_id, stays, month, rules)
        items = [
            {
                "student": row.student,
                "home_school_id": row.admission.home_school_id,
                "class_id": row.admission.class_id,
                "grade_label": grade_label(row.admission.grade),
                "days": {
                    d.isoformat(): None if c is None else str(c.status or "none")
                    for d, c in row.days.items()
                },
                "corrected": [d.isoformat() for d, c in row.days.items() if c and c.corrected],
                "totals": row.totals,
            }
            for row in rows
        ]
        result = s.AttendanceGrid.model_validate(
            {"month": query.month, "class_days": days, "rows": items}
        ).model_dump(mode="json")
    return json(result)


async def day_detail(request: web.Request) -> web.Response:
    """One student's day, session by session, for those who may see the student."""
    programme_id = path_id(request)
    student_id = path_id(request, "student_id")
    try:
        day = date.fromisoformat(request.match_info["day"])
    except ValueError:
        raise InvalidInput("day must be a date (YYYY-MM-DD)", field="day") from None
    rules = request.app[keys.SETTINGS].hospital_day
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await admissions.visible_admissions(db, identity.user, programme_id, student_id=student_id)
        status, details = await daily.day_detail(db, programme_id, student_id, day, rules)
        student = await db.get(User, student_id)
        sessions = [
            dict(
                {
                    name: getattr(d.record, name)
                    for name in ("status", "computed_status", "first_join_at", "seconds_present")
                },
                id=d.session.id,
                title=d.session.title,
                scheduled_start=d.session.scheduled_start,
                started_at=d.session.started_at,
                ended_at=d.session.ended_at,
                left_early=d.left_early,
                corrections=[
                    {
                        "changed_by": author,
                        "changed_at": c.changed_at,
                        "old_status": c.old_status,
                        "new_status": c.new_status,
                        "reason": c.reason,
                    }
                    for c, author in d.corrections
                ],
            )
            for d in details
        ]
        result = s.DayDetail.model_validate(
            {"day": day, "student": student, "status": status, "sessions": sessions}
        ).model_dump(mode="json")
    return json(result)


# -- notices ----------------------------------------------------------------------------------


async def _notices_out(db: AsyncSession, rows: Sequence[AttendanceNotice]) -> list[dict[str, Any]]:
    users = await _people(db, [n.generated_by for n in rows] + [n.signed_off_by for n in rows])
    found = await _schools(db, (n.home_school_id for n in rows))
    return [
        dump(
            s.NoticeOut,
            n,
            home_school=found[n.home_school_id],
            month=n.month.strftime("%Y-%m"),
            generated_by=users[n.generated_by],
            signed_off_by=users.get(n.signed_off_by) if n.signed_off_by else None,
            students=len(n.content["students"]),
            flagged_days=sum(len(x["flags"]) for x in n.content["students"]),
        )
        for n in rows
    ]


async def list_notices(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    query = read_query(request, s.MonthQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        month = _month(query.month) if query.month else None
        rows = await notices.list_notices(db, identity.user, programme_id, month)
        items = await _notices_out(db, rows)
    return json({"items": items})


async def generate_notices(request: web.Request) -> web.Response:
    programme_id = path_id(request)
    settings = request.app[keys.SETTINGS]
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.NoticeBatchCreate)
        rows, created = await notices.generate_batch(
            db,
            identity.user,
            programme_id,
            _month(body.month),
            body.client_id,
            settings.hospital_day,
            settings.hospital_notice,
        )
        items = await _notices_out(db, rows)
    return json({"items": items}, status=201 if created else 200)


async def sign_off(request: web.Request) -> web.Response:
    notice_id = path_id(request)
    settings = request.app[keys.SETTINGS]
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        row = await notices.sign_off(db, identity.user, notice_id, settings.hospital_notice)
        [result] = await _notices_out(db, [row])
    return json(result)


async def download(request: web.Request) -> web.Response:
    notice_id = path_id(request)
    kind = request.match_info["kind"]
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        row = await notices.get_notice(db, identity.user, notice_id)
        name, data, media_type = notices.file_of(row, kind)
        digest = row.pdf_sha256 if kind == "pdf" else row.xlsx_sha256
    return web.Response(
        body=data,
        content_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": digest,
        },
    )


PROGRAMME = f"/api/hospital/programmes/{ID}"
# No {n} quantifiers: the OpenAPI path converter reads up to the first "}".
DAY = r"{day:\d\d\d\d-\d\d-\d\d}"

# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/hospital/programmes", list_programmes,
          "Hospital programmes the caller has a role in", "hospital", s.ProgrammeList),
    Route("POST", "/api/hospital/programmes", create_programme,
          "Open a school year's programme (host school admin)", "hospital", s.ProgrammeOut,
          s.ProgrammeCreate, status=201, errors=(403, 404, 409)),
    Route("GET", PROGRAMME, get_programme, "One programme with its class-day count",
          "hospital", s.ProgrammeOut, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/calendar", get_calendar, "The calendar (a month or the year)",
          "hospital", s.CalendarOut, query=s.MonthQuery, errors=(403, 404)),
    Route("PUT", f"{PROGRAMME}/calendar", edit_calendar,
          "Mark class days, holidays, closures; sessions follow", "hospital", s.CalendarOut,
          s.CalendarEdit, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/schools", schools, "Schools to choose a home school from",
          "hospital", s.SchoolList, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/staff", list_staff, "Programme staff and their roles",
          "hospital", s.StaffList, errors=(403, 404)),
    Route("POST", f"{PROGRAMME}/staff", add_staff, "Give an account a programme role",
          "hospital", s.StaffOut, s.StaffCreate, status=201, errors=(403, 404, 409)),
    Route("DELETE", f"/api/hospital/staff/{ID}", remove_staff, "Take a programme role away",
          "hospital", OkResponse, errors=(403, 404, 409)),
    Route("GET", f"{PROGRAMME}/classes", list_classes, "Classes with instructors and timetable",
          "hospital", s.ClassList, errors=(403, 404)),
    Route("POST", f"{PROGRAMME}/classes", create_class, "Open a class (and its course)",
          "hospital", s.ClassOut, s.ClassCreate, status=201, errors=(403, 404)),
    Route("POST", f"/api/hospital/classes/{ID}/instructors", assign_instructor,
          "Assign an instructor to a class", "hospital", s.ClassOut, s.InstructorAssign,
          errors=(403, 404, 409)),
    Route("DELETE", f"/api/hospital/classes/{ID}/instructors/{{user_id:\\d+}}",
          unassign_instructor, "Take an instructor off a class", "hospital", s.ClassOut,
          errors=(403, 404)),
    Route("POST", f"/api/hospital/classes/{ID}/slots", add_slot, "Add a weekly period",
          "hospital", s.SlotOut, s.SlotCreate, status=201, errors=(403, 404, 409)),
    Route("DELETE", f"/api/hospital/slots/{ID}", remove_slot, "Retire a weekly period",
          "hospital", OkResponse, errors=(403, 404)),
    Route("POST", f"{PROGRAMME}/sessions/generate", generate_sessions,
          "Make the timetable's live sessions on class days (idempotent)", "hospital",
          s.GenerationOut, s.GenerateRequest, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/today", today, "Today's sessions of the caller's classes",
          "hospital", s.TodayList, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/admissions", list_admissions,
          "Admissions the caller may see (history per student)", "hospital", s.AdmissionList,
          query=s.AdmissionQuery, errors=(403, 404)),
    Route("POST", f"{PROGRAMME}/admissions", admit, "Admit or readmit a student", "hospital",
          s.AdmissionOut, s.AdmissionCreate, status=201, errors=(403, 404, 409)),
    Route("PATCH", f"/api/hospital/admissions/{ID}", update_admission,
          "Change the follow-up teacher or the guardian's contact", "hospital",
          s.AdmissionOut, s.AdmissionUpdate, errors=(403, 404)),
    Route("POST", f"/api/hospital/admissions/{ID}/discharge", discharge,
          "Record a discharge", "hospital", s.AdmissionOut, s.DischargeRequest,
          errors=(403, 404, 409)),
    Route("GET", f"{PROGRAMME}/attendance", attendance_grid,
          "Per-day statuses of a month for the students the caller may see", "hospital",
          s.AttendanceGrid, query=s.AttendanceQuery, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/students/{{student_id:\\d+}}/days/{DAY}", day_detail,
          "One student's day, session by session", "hospital", s.DayDetail, errors=(403, 404)),
    Route("GET", f"{PROGRAMME}/notices", list_notices, "Monthly notices the caller may see",
          "hospital", s.NoticeList, query=s.MonthQuery, errors=(403, 404)),
    Route("POST", f"{PROGRAMME}/notices", generate_notices,
          "Generate the month's notices for every home school (idempotent on client_id)",
          "hospital", s.NoticeList, s.NoticeBatchCreate, status=201, errors=(403, 404)),
    Route("POST", f"/api/hospital/notices/{ID}/sign-off", sign_off,
          "Sign a notice off (programme admin)", "hospital", s.NoticeOut,
          errors=(403, 404, 409)),
    Route("GET", f"/api/hospital/notices/{ID}/{{kind:pdf|xlsx}}", download,
          "Download a notice as PDF or XLSX", "hospital", errors=(403, 404)),
)
# fmt: on
