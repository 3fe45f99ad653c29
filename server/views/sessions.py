"""Live sessions: scheduling, and the start/end transitions that open and close a class."""

from __future__ import annotations

import logging

from aiohttp import web

from lms.services import courses, live_sessions, permissions
from server import keys
from server.auth import require_user
from server.schemas import LiveSessionOut, SessionCreate, dump
from server.views.common import path_id, read_body, unit_of_work

log = logging.getLogger(__name__)


async def list_sessions(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await courses.get_course(db, course_id)
        await permissions.require_course_member(db, identity.user, course_id)
        found = await live_sessions.list_sessions(db, course_id)
        items = [dump(LiveSessionOut, session) for session in found]
    return web.json_response({"items": items})


async def schedule_session(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await courses.get_course(db, course_id)
        await permissions.require_course_teacher(db, identity.user, course_id)
        body = await read_body(request, SessionCreate)
        session = await live_sessions.schedule_session(
            db,
            identity.user,
            course_id,
            title=body.title,
            scheduled_start=body.scheduled_start,
            scheduled_end=body.scheduled_end,
        )
        result = dump(LiveSessionOut, session)
    return web.json_response(result, status=201)


async def get_session(request: web.Request) -> web.Response:
    session_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        session = await live_sessions.get_session(db, session_id)
        await permissions.require_course_member(db, identity.user, session.course_id)
        result = dump(LiveSessionOut, session)
    return web.json_response(result)


async def start_session(request: web.Request) -> web.Response:
    session_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        session = await live_sessions.get_session(db, session_id)
        await permissions.require_course_teacher(db, identity.user, session.course_id)
        await live_sessions.start_session(db, identity.user, session_id)
        session = await live_sessions.get_session(db, session_id)
        result = dump(LiveSessionOut, session)
    return web.json_response(result)


async def end_session(request: web.Request) -> web.Response:
    """End the class, compute attendance, and only after the commit tell the live room."""
    session_id = path_id(request)
    settings = request.app[keys.SETTINGS]
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        session = await live_sessions.get_session(db, session_id)
        await permissions.require_course_teacher(db, identity.user, session.course_id)
        await live_sessions.end_session(db, identity.user, session_id, settings.attendance)
        session = await live_sessions.get_session(db, session_id)
        result = dump(LiveSessionOut, session)
    try:
        await request.app[keys.LIVE].session_ended(session_id)
    except Exception:  # the session is ended in the database; sockets time out on their own
        log.exception("could not tell live room %s that it ended", session_id)
    return web.json_response(result)
