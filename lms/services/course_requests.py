"""Course requests: a teacher asks for a course, a school admin approves or rejects it.

Who decides: the school admin of the requesting teacher's school (or a platform admin). A
cross-school request names the other participating schools; they are listed on the request
and, once approved, recorded in ``course_school`` so their teachers and students can be
enrolled. Their admins see the request (read-only) but do not decide it: the course lives in
the requesting teacher's school, which is answerable for it. Approval opens the course with
the requesting teacher enrolled as its teacher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    Course,
    CourseRequest,
    CourseRequestSchool,
    CourseRequestStatus,
    CourseRole,
    CourseSchool,
    Enrolment,
    Role,
    School,
    User,
)
from lms.services import clean_text, moment

MAX_PAGE = 100
MAX_PARTNER_SCHOOLS = 20


@dataclass
class RequestView:
    request: CourseRequest
    partner_school_ids: list[int] = field(default_factory=list)


@dataclass
class RequestPage:
    items: list[RequestView]
    total: int


async def _partners(db: AsyncSession, request_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {request_id: [] for request_id in request_ids}
    if request_ids:
        rows = await db.execute(
            select(CourseRequestSchool.request_id, CourseRequestSchool.school_id)
            .where(CourseRequestSchool.request_id.in_(request_ids))
            .order_by(CourseRequestSchool.school_id)
        )
        for request_id, school_id in rows.tuples():
            found[request_id].append(school_id)
    return found


async def request_course(
    db: AsyncSession,
    actor: User,
    *,
    client_id: str,
    title: str,
    subject: str = "",
    grade_band: str = "",
    schedule: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    justification: str = "",
    partner_school_ids: Sequence[int] = (),
) -> tuple[RequestView, bool]:
    """A teacher's request; a retry with the same ``client_id`` returns the stored one."""
    if not actor.is_active or actor.role is not Role.TEACHER or actor.school_id is None:
        raise Forbidden("only teachers request courses")
    client_id = clean_text(client_id, "client_id", max_chars=64)
    stored = await db.scalar(
        select(CourseRequest).where(
            CourseRequest.requested_by == actor.id, CourseRequest.client_id == client_id
        )
    )
    if stored is not None:
        return RequestView(stored, (await _partners(db, [stored.id]))[stored.id]), False
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise InvalidInput("the course must end after it starts", field="ends_on")
    partners = sorted(set(partner_school_ids) - {actor.school_id})
    if len(partners) > MAX_PARTNER_SCHOOLS:
        raise InvalidInput(
            f"at most {MAX_PARTNER_SCHOOLS} partner schools", field="partner_school_ids"
        )
    if partners:
        known = set(await db.scalars(select(School.id).where(School.id.in_(partners))))
        unknown = [school_id for school_id in partners if school_id not in known]
        if unknown:
            raise NotFound("no such school", school_ids=unknown)
    request = CourseRequest(
        requested_by=actor.id,
        client_id=client_id,
        school_id=actor.school_id,
        title=clean_text(title, "course title", max_chars=200),
        subject=clean_text(subject, "subject", max_chars=100, min_chars=0),
        grade_band=clean_text(grade_band, "grade band", max_chars=32, min_chars=0),
        schedule=clean_text(schedule, "schedule", max_chars=200, min_chars=0),
        starts_on=starts_on,
        ends_on=ends_on,
        justification=clean_text(justification, "justification", max_chars=2000, min_chars=0),
        cross_school=bool(partners),
    )
    db.add(request)
    await db.flush()
    db.add_all(CourseRequestSchool(request_id=request.id, school_id=s) for s in partners)
    await db.flush()
    return RequestView(request, partners), True


def _visibility(viewer: User) -> ColumnElement[bool] | None:
    """Requests a viewer may read: their own; their school's (and, for cross-school ones,
    their school as a partner) for a school admin; everything for a platform admin."""
    if viewer.role is Role.ADMIN:
        return None
    if viewer.role is Role.SCHOOL_ADMIN:
        as_partner = select(CourseRequestSchool.request_id).where(
            CourseRequestSchool.school_id == viewer.school_id
        )
        return or_(CourseRequest.school_id == viewer.school_id, CourseRequest.id.in_(as_partner))
    return CourseRequest.requested_by == viewer.id


async def list_requests(
    db: AsyncSession,
    viewer: User,
    *,
    status: CourseRequestStatus | None = None,
    mine: bool = False,
    school_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RequestPage:
    """Newest first; a pending queue (``status=pending``) is what a school admin works from."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit must be 1 to {MAX_PAGE} and offset at least 0")
    conditions = []
    visible = _visibility(viewer)
    if visible is not None:
        conditions.append(visible)
    if mine:
        conditions.append(CourseRequest.requested_by == viewer.id)
    if status is not None:
        conditions.append(CourseRequest.status == status)
    if school_id is not None:
        conditions.append(CourseRequest.school_id == school_id)
    total = await db.scalar(select(func.count(CourseRequest.id)).where(*conditions)) or 0
    requests = list(
        await db.scalars(
            select(CourseRequest)
            .where(*conditions)
            .order_by(CourseRequest.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    partners = await _partners(db, [request.id for request in requests])
    return RequestPage([RequestView(r, partners[r.id]) for r in requests], total)


async def get_request(db: AsyncSession, viewer: User, request_id: int) -> RequestView:
    query = select(CourseRequest).where(CourseRequest.id == request_id)
    visible = _visibility(viewer)
    request = await db.scalar(query)
    if request is None:
        raise NotFound("no such course request", request_id=request_id)
    if visible is not None and await db.scalar(query.where(visible)) is None:
        raise Forbidden("you cannot see this course request")
    return RequestView(request, (await _partners(db, [request.id]))[request.id])


async def _for_decision(db: AsyncSession, actor: User, request_id: int) -> CourseRequest:
    request = await db.get(CourseRequest, request_id)
    if request is None:
        raise NotFound("no such course request", request_id=request_id)
    if not actor.is_active or not (
        actor.role is Role.ADMIN
        or (actor.role is Role.SCHOOL_ADMIN and actor.school_id == request.school_id)
    ):
        raise Forbidden("the requesting teacher's school admin decides this request")
    return request


async def _claim(
    db: AsyncSession, request: CourseRequest, status: CourseRequestStatus, **values: object
) -> bool:
    """Move a pending request to ``status``; False when someone else decided it first."""
    result = await db.execute(
        update(CourseRequest)
        .where(CourseRequest.id == request.id, CourseRequest.status == CourseRequestStatus.PENDING)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(request)
    return result.rowcount == 1


async def approve_request(
    db: AsyncSession, actor: User, request_id: int, *, reason: str = "", now: datetime | None = None
) -> tuple[RequestView, Course]:
    """Open the course. Approving an approved request again returns the same course."""
    request = await _for_decision(db, actor, request_id)
    reason = clean_text(reason, "reason", max_chars=1000, min_chars=0)
    if request.status is CourseRequestStatus.APPROVED and request.course_id is not None:
        course = await db.get(Course, request.course_id)
        assert course is not None
        return RequestView(request, (await _partners(db, [request.id]))[request.id]), course
    if request.status is not CourseRequestStatus.PENDING:
        raise Conflict(f"this request is already {request.status.value}", status=request.status)
    requester = await db.get(User, request.requested_by)
    if requester is None or not requester.is_active:
        raise Conflict("the requesting teacher's account is deactivated")
    when = moment(now)
    if not await _claim(
        db,
        request,
        CourseRequestStatus.APPROVED,
        decided_by=actor.id,
        decided_at=when,
        reason=reason,
    ):
        raise Conflict("this request was decided meanwhile", status=request.status)
    course = Course(
        school_id=request.school_id,
        title=request.title,
        subject=request.subject,
        grade_band=request.grade_band,
        created_by=request.requested_by,
    )
    db.add(course)
    await db.flush()
    partners = (await _partners(db, [request.id]))[request.id]
    db.add(Enrolment(course_id=course.id, user_id=request.requested_by, role=CourseRole.TEACHER))
    db.add_all(CourseSchool(course_id=course.id, school_id=s) for s in partners)
    request.course_id = course.id
    await db.flush()
    return RequestView(request, partners), course


async def reject_request(
    db: AsyncSession, actor: User, request_id: int, *, reason: str, now: datetime | None = None
) -> RequestView:
    """Refuse with a reason the teacher reads; rejecting twice returns the first decision."""
    request = await _for_decision(db, actor, request_id)
    reason = clean_text(reason, "reason", max_chars=1000)
    if request.status is CourseRequestStatus.REJECTED:
        return RequestView(request, (await _partners(db, [request.id]))[request.id])
    if request.status is not CourseRequestStatus.PENDING:
        raise Conflict(f"this request is already {request.status.value}", status=request.status)
    if not await _claim(
        db,
        request,
        CourseRequestStatus.REJECTED,
        decided_by=actor.id,
        decided_at=moment(now),
        reason=reason,
    ):
        raise Conflict("this request was decided meanwhile", status=request.status)
    return RequestView(request, (await _partners(db, [request.id]))[request.id])


async def withdraw_request(db: AsyncSession, actor: User, request_id: int) -> RequestView:
    """The teacher takes back a request nobody has decided yet."""
    request = await db.get(CourseRequest, request_id)
    if request is None:
        raise NotFound("no such course request", request_id=request_id)
    if request.requested_by != actor.id:
        raise Forbidden("only the requesting teacher may withdraw a request")
    withdrawn = request.status is CourseRequestStatus.WITHDRAWN
    if not withdrawn and not await _claim(db, request, CourseRequestStatus.WITHDRAWN):
        raise Conflict(f"this request is already {request.status.value}")
    return RequestView(request, (await _partners(db, [request.id]))[request.id])


async def partner_schools(db: AsyncSession, viewer: User) -> list[School]:
    """Every school of the district, for choosing partners of a cross-school course.

    Public schools' names and codes are public; still, only staff who request or decide
    courses need the list.
    """
    if not viewer.is_active or viewer.role is Role.STUDENT:
        raise Forbidden("only teachers and admins plan courses")
    return list(await db.scalars(select(School).order_by(School.name, School.id)))
