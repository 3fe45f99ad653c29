"""The moderation log of a live session: what the class's teachers did, for looking back.

The actions themselves happen in the live class (``server.live.moderation`` and the
namespace); this route only reads what was stored.
"""

from __future__ import annotations

from aiohttp import web

from lms.services import moderation
from server.auth import require_user
from server.route import ID, Route
from server.schemas import dump
from server.schemas.moderation import ModerationLogEntryOut, ModerationLogList, ModerationLogQuery
from server.views.common import path_id, read_query, unit_of_work


async def moderation_log(request: web.Request) -> web.Response:
    session_id = path_id(request)
    query = read_query(request, ModerationLogQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        entries = await moderation.read_log(
            db, identity.user, session_id, after_id=query.after_id, limit=query.limit
        )
    items = [dump(ModerationLogEntryOut, entry) for entry in entries]
    return web.json_response({"items": items})


# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/sessions/{ID}/moderation-log", moderation_log,
          "Moderation actions of a session, oldest first (the class's teachers and admins)",
          "moderation", ModerationLogList, query=ModerationLogQuery, errors=(403, 404)),
)
# fmt: on
