"""Chat and room-event history of a session, for a page that opens after the class."""

from __future__ import annotations

import importlib
from types import ModuleType

from aiohttp import web

from lms.errors import DomainError
from lms.services import live_sessions, permissions
from server.auth import require_user
from server.schemas import ChatQuery, RoomEventOut, dump
from server.views.common import path_id, read_query, unit_of_work


class Unavailable(DomainError):
    code = "unavailable"
    http_status = 503


def room_log() -> ModuleType:
    """The room log lives with the live-class layer; a node built without it says so."""
    try:
        return importlib.import_module("lms.services.room_log")
    except ModuleNotFoundError as error:
        raise Unavailable("chat history is not available on this node") from error


async def chat_history(request: web.Request) -> web.Response:
    session_id = path_id(request)
    query = read_query(request, ChatQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        session = await live_sessions.get_session(db, session_id)
        await permissions.require_course_member(db, identity.user, session.course_id)
        events = await room_log().history(
            db, session_id, after_seq=query.after_seq, limit=query.limit
        )
        items = [dump(RoomEventOut, event) for event in events]
    return web.json_response({"items": items})
