"""Course requests REST: teachers ask, school admins approve or reject (``docs/courseware.md``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.models import User
from lms.services import course_requests
from lms.services.course_requests import RequestView
from server.auth import require_user
from server.route import ID, Route
from server.schemas import CourseOut, SchoolList, SchoolOut, dump
from server.schemas import courseware as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work


async def people(db: AsyncSession, ids: Iterable[int]) -> dict[int, User]:
    """The users behind a page of rows, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {user.id: user for user in await db.scalars(select(User).where(User.id.in_(wanted)))}


def request_out(view: RequestView, users: dict[int, User]) -> dict[str, Any]:
    return dump(
        s.CourseRequestOut,
        view.request,
        requested_by=users[view.request.requested_by],
        partner_school_ids=view.partner_school_ids,
    )


async def one_out(db: AsyncSession, view: RequestView) -> dict[str, Any]:
    return request_out(view, await people(db, [view.request.requested_by]))


async def list_requests(request: web.Request) -> web.Response:
    query = read_query(request, s.CourseRequestQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        page = await course_requests.list_requests(
            db,
            identity.user,
            status=query.status,
            mine=query.mine,
            school_id=query.school_id,
            limit=query.limit,
            offset=query.offset,
        )
        users = await people(db, (view.request.requested_by for view in page.items))
        items = [request_out(view, users) for view in page.items]
    return json({"items": items, "total": page.total})


async def create_request(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.CourseRequestCreate)
        view, created = await course_requests.request_course(
            db,
            identity.user,
            client_id=body.client_id,
            title=body.title,
            subject=body.subject,
            grade_band=body.grade_band,
            schedule=body.schedule,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            justification=body.justification,
            partner_school_ids=body.partner_school_ids,
        )
        result = await one_out(db, view)
    return json(result, status=201 if created else 200)


async def get_request(request: web.Request) -> web.Response:
    request_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        view = await course_requests.get_request(db, identity.user, request_id)
        result = await one_out(db, view)
    return json(result)


async def approve(request: web.Request) -> web.Response:
    request_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.CourseRequestDecision)
        view, course = await course_requests.approve_request(
            db, identity.user, request_id, reason=body.reason
        )
        result = {"request": await one_out(db, view), "course": dump(CourseOut, course)}
    return json(result)


async def reject(request: web.Request) -> web.Response:
    request_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.CourseRequestRejection)
        view = await course_requests.reject_request(
            db, identity.user, request_id, reason=body.reason
        )
        result = await one_out(db, view)
    return json(result)


async def withdraw(request: web.Request) -> web.Response:
    request_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        view = await course_requests.withdraw_request(db, identity.user, request_id)
        result = await one_out(db, view)
    return json(result)


async def partner_schools(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await course_requests.partner_schools(db, identity.user)
        items = [dump(SchoolOut, school) for school in found]
    return json({"items": items})


T = "course requests"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/course-requests", list_requests,
          "Requests: a teacher's own, a school admin's school, everything for admins", T,
          s.CourseRequestList, query=s.CourseRequestQuery),
    Route("POST", "/api/course-requests", create_request,
          "A teacher requests a course (idempotent on client_id)", T, s.CourseRequestOut,
          s.CourseRequestCreate, status=201, errors=(404,)),
    Route("GET", f"/api/course-requests/{ID}", get_request, "One request", T,
          s.CourseRequestOut, errors=(404,)),
    Route("POST", f"/api/course-requests/{ID}/approve", approve,
          "Approve and open the course (the teacher's school admin)", T, s.ApprovalOut,
          s.CourseRequestDecision, errors=(404, 409)),
    Route("POST", f"/api/course-requests/{ID}/reject", reject,
          "Reject with a reason the teacher reads", T, s.CourseRequestOut,
          s.CourseRequestRejection, errors=(404, 409)),
    Route("GET", "/api/course-requests/schools", partner_schools,
          "Every school, to choose partners of a cross-school course (staff)", T, SchoolList),
    Route("POST", f"/api/course-requests/{ID}/withdraw", withdraw,
          "The teacher takes back a pending request", T, s.CourseRequestOut, errors=(404, 409)),
)
# fmt: on
