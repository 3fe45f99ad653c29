"""Breakout rounds of a session and each group's chat, for looking back during or after class.

Starting, moving and recalling happen in the live class (``server.live.breakouts``); these
routes only read what was stored.
"""

from __future__ import annotations

from aiohttp import web

from lms.services import breakouts
from server.auth import require_user
from server.route import ID, Route
from server.schemas import dump
from server.schemas.breakouts import (
    BreakoutMessageList,
    BreakoutMessageOut,
    BreakoutMessagesQuery,
    BreakoutRoundList,
    BreakoutRoundOut,
)
from server.views.common import path_id, read_query, unit_of_work


async def session_rounds(request: web.Request) -> web.Response:
    session_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        rounds = await breakouts.session_history(db, identity.user, session_id)
        items = [dump(BreakoutRoundOut, found) for found in rounds]
    return web.json_response({"items": items})


async def group_messages(request: web.Request) -> web.Response:
    group_id = path_id(request)
    query = read_query(request, BreakoutMessagesQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await breakouts.read_messages(
            db, identity.user, group_id, after_seq=query.after_seq, limit=query.limit
        )
        items = [dump(BreakoutMessageOut, message) for message in found]
    return web.json_response({"items": items})


# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/sessions/{ID}/breakouts", session_rounds,
          "Breakout rounds of a session (teachers: every group and move; students: their own)",
          "breakouts", BreakoutRoundList, errors=(403, 404)),
    Route("GET", f"/api/breakout-groups/{ID}/messages", group_messages,
          "A breakout group's chat (its members, past and present, and the class's teachers)",
          "breakouts", BreakoutMessageList, query=BreakoutMessagesQuery, errors=(403, 404)),
)
# fmt: on
