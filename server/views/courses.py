"""Courses and enrolments (Moodle's words)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from lms.errors import Conflict, Forbidden, NotFound
from lms.models import Enrolment, Role, School, User
from lms.services import courses, permissions
from server.auth import require_user
from server.schemas import CourseCreate, CourseOut, CourseQuery, EnrolmentCreate, EnrolmentOut, dump
from server.views.common import path_id, read_body, read_query, unit_of_work

# Platform roles that may open courses; a student never does.
COURSE_CREATORS = frozenset({Role.ADMIN, Role.SCHOOL_ADMIN, Role.TEACHER})


def check_may_create_course(actor: User, school_id: int) -> None:
    """Checked here as well as in the service: the server is the authority on permissions."""
    if actor.role not in COURSE_CREATORS:
        raise Forbidden("only teachers and admins open courses")
    if actor.role is not Role.ADMIN and actor.school_id != school_id:
        raise Forbidden("courses are opened in your own school only")


async def list_courses(request: web.Request) -> web.Response:
    query = read_query(request, CourseQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await courses.list_courses(
            db,
            identity.user,
            q=query.q,
            school_id=query.school_id,
            limit=query.limit,
            offset=query.offset,
        )
        total = await courses.count_courses(db, identity.user, q=query.q, school_id=query.school_id)
        items = [dump(CourseOut, course, my_role=role) for course, role in found]
    return web.json_response({"items": items, "total": total})


async def create_course(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, CourseCreate)
        check_may_create_course(identity.user, body.school_id)
        if await db.get(School, body.school_id) is None:
            raise NotFound("no such school", school_id=body.school_id)
        course = await courses.create_course(
            db,
            identity.user,
            school_id=body.school_id,
            title=body.title,
            subject=body.subject,
            grade_band=body.grade_band,
        )
        role = await permissions.course_role(db, course.id, identity.user.id)
        result = dump(CourseOut, course, my_role=role)
    return web.json_response(result, status=201)


async def get_course(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        course = await courses.get_course(db, course_id)
        role = await permissions.require_course_member(db, identity.user, course_id)
        result = dump(CourseOut, course, my_role=role)
    return web.json_response(result)


async def list_enrolments(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await courses.get_course(db, course_id)
        await permissions.require_course_member(db, identity.user, course_id)
        found = await courses.list_enrolments(db, course_id)
        items = [dump(EnrolmentOut, enrolment, user=user) for enrolment, user in found]
    return web.json_response({"items": items})


async def enrol(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await courses.get_course(db, course_id)
        await permissions.require_course_teacher(db, identity.user, course_id)
        body = await read_body(request, EnrolmentCreate)
        user = await db.get(User, body.user_id)
        if user is None:
            raise NotFound("no such user", user_id=body.user_id)
        existing = await db.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id, Enrolment.user_id == body.user_id
            )
        )
        if existing is not None:
            raise Conflict("already enrolled", user_id=body.user_id)
        enrolment = await courses.enrol(db, identity.user, course_id, body.user_id, body.role)
        result = dump(EnrolmentOut, enrolment, user=user)
    return web.json_response(result, status=201)
