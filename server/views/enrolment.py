"""Enrolment methods REST: finding people to enrol, a CSV class list, self-enrolment with a
key, unenrolling (``docs/courseware.md``)."""

from __future__ import annotations

from aiohttp import web

from lms.errors import InvalidInput
from lms.services import enrolment
from server.auth import require_user
from server.route import ID, Route
from server.schemas import EnrolmentOut, OkResponse, UserOut, dump
from server.schemas import courseware as s
from server.views.administration import decode_csv
from server.views.common import json, path_id, read_body, read_query, unit_of_work


async def candidates(request: web.Request) -> web.Response:
    course_id = path_id(request)
    query = read_query(request, s.CandidateQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await enrolment.find_candidates(db, identity.user, course_id, query.q)
        items = [dump(UserOut, user) for user in found]
    return json({"items": items})


async def enrol_csv(request: web.Request) -> web.Response:
    course_id = path_id(request)
    body = await read_body(request, s.EnrolCsvRequest)
    data = decode_csv(body.csv_base64)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        plan = await enrolment.check_enrol_csv(db, identity.user, course_id, data)
        if plan.errors:
            raise InvalidInput(
                f"{len(plan.errors)} of {plan.total_rows} rows have errors; nobody was enrolled",
                reason="bad_rows",
                total_rows=plan.total_rows,
                errors=[error.to_dict() for error in plan.errors],
            )
        if not body.dry_run:
            await enrolment.apply_enrol_csv(db, plan, course_id)
        result = {
            "status": "checked" if body.dry_run else "enrolled",
            "total_rows": plan.total_rows,
            "enrolled": [
                {"line": line, "user": dump(UserOut, user), "role": role.value}
                for line, user, role in plan.to_enrol
            ],
            "already_enrolled": [
                {"line": line, "user": dump(UserOut, user), "role": role.value}
                for line, user, role in plan.already
            ],
        }
    return json(result, status=200 if body.dry_run else 201)


async def get_self_enrolment(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        setting = await enrolment.get_self_enrolment(db, identity.user, course_id)
        if setting is None:
            result = {
                "course_id": course_id,
                "enabled": False,
                "enrol_key": None,
                "updated_at": None,
            }
        else:
            result = dump(s.SelfEnrolmentOut, setting)
    return json(result)


async def set_self_enrolment(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SelfEnrolmentSet)
        setting = await enrolment.set_self_enrolment(
            db, identity.user, course_id, enabled=body.enabled, key=body.key
        )
        result = dump(s.SelfEnrolmentOut, setting)
    return json(result)


async def self_enrol(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SelfEnrolRequest)
        enrolled = await enrolment.self_enrol(db, identity.user, course_id, body.key)
        result = dump(EnrolmentOut, enrolled, user=identity.user)
    return json(result)


async def unenrol(request: web.Request) -> web.Response:
    course_id = path_id(request)
    user_id = path_id(request, "user_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await enrolment.unenrol(db, identity.user, course_id, user_id)
    return json({"ok": True})


T = "enrolment"
USER_ID = r"{user_id:\d+}"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/enrolment-candidates", candidates,
          "People of the course's schools to enrol, by name or login (teachers)", T,
          s.CandidateList, query=s.CandidateQuery, errors=(404,)),
    Route("POST", f"/api/courses/{ID}/enrolments/import", enrol_csv,
          "Enrol a class list from CSV, all or nothing; 400 lists every bad row", T,
          s.EnrolCsvResult, s.EnrolCsvRequest, status=201, errors=(404,)),
    Route("DELETE", f"/api/courses/{ID}/enrolments/{USER_ID}", unenrol,
          "Unenrol someone (their records stay)", T, OkResponse, errors=(404, 409)),
    Route("GET", f"/api/courses/{ID}/self-enrolment", get_self_enrolment,
          "The self-enrolment setting and key (teachers)", T, s.SelfEnrolmentOut,
          errors=(404,)),
    Route("PUT", f"/api/courses/{ID}/self-enrolment", set_self_enrolment,
          "Turn self-enrolment on or off, set or draw a key", T, s.SelfEnrolmentOut,
          s.SelfEnrolmentSet, errors=(404,)),
    Route("POST", f"/api/courses/{ID}/self-enrol", self_enrol,
          "A student enrols with the course's key (repeatable)", T, EnrolmentOut,
          s.SelfEnrolRequest),
)
# fmt: on
