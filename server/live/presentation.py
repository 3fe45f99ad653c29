"""Presenting a document in the live class (``docs/shared-content.md``).

The teacher opens one of the course's documents and turns its pages; everyone's viewer follows.
The document and page are stored per session (``lms.services.shared_content``) before the room
is told, so a late joiner or a reconnecting tab lands on the current page from its join ack.
The teacher's notes on a page are the whiteboard ``doc:<document_id>:<page>`` (drawn through
the whiteboard tool's events); each page turn carries that page's notes along.

The pointer is different: it is ephemeral (never stored), sent only to the others, and thinned
on the server to one position per ``POINTER_INTERVAL`` per tab, so a fast mouse cannot flood a
class. It is exempt from the per-user event budget for that reason (``UNMETERED_EVENTS``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from lms.models import LeaveReason, LiveSession, SharedContentState
from lms.services import shared_content, whiteboard
from server.live import payloads as p
from server.live.rooms import session_room
from server.live.tool import Ack, LiveTool

if TYPE_CHECKING:
    from server.live.namespace import Connection

# At most ~25 pointer positions a second from one tab reach the class.
POINTER_INTERVAL = 0.04
Page = Annotated[int, Field(ge=1, le=100_000)]
Coordinate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class OpenPayload(p.Payload):
    document_id: p.PositiveId
    page: Page = 1


class PagePayload(p.Payload):
    page: Page


class ClosePayload(p.Payload):
    pass


class PointerPayload(p.Payload):
    """Where the teacher points, in page coordinates (0..1); ``visible`` false hides it."""

    x: Coordinate = 0.0
    y: Coordinate = 0.0
    visible: bool = True


class PresentationTool(LiveTool):
    name: ClassVar[str] = "presentation"
    events: ClassVar[dict[str, tuple[str, type[p.Payload]]]] = {
        "presentation:open": ("on_open", OpenPayload),
        "presentation:page": ("on_page", PagePayload),
        "presentation:close": ("on_close", ClosePayload),
        "presentation:pointer": ("on_pointer", PointerPayload),
    }

    def __init__(self, namespace: Any) -> None:
        super().__init__(namespace)
        self.last_pointer: dict[str, float] = {}  # sid -> monotonic time of the last one sent

    async def state(
        self, db: AsyncSession, session_id: int, row: SharedContentState | None
    ) -> dict[str, Any]:
        """What the viewer shows: the document, the page and that page's notes."""
        shown = await shared_content.presentation(db, row)
        annotations: list[dict[str, Any]] = []
        if shown["document"] is not None:
            board = f"doc:{shown['document']['id']}:{shown['page']}"
            annotations = await whiteboard.strokes(db, session_id, board)
            shown["board"] = board
        else:
            shown["board"] = None
        shown["annotations"] = annotations
        return shown

    async def announce(self, session_id: int, state: dict[str, Any]) -> None:
        await self.namespace.emit("presentation:state", state, room=session_room(session_id))

    async def course_of(self, db: AsyncSession, session_id: int) -> int:
        session = await db.get(LiveSession, session_id)
        assert session is not None
        return session.course_id

    # -- events -----------------------------------------------------------------------------

    async def on_open(self, connection: Connection, payload: OpenPayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            row, _ = await shared_content.open_document(
                db,
                session_id,
                await self.course_of(db, session_id),
                payload.document_id,
                payload.page,
            )
            state = await self.state(db, session_id, row)
        await self.announce(session_id, state)
        return {"state": state}

    async def on_page(self, connection: Connection, payload: PagePayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            row, _ = await shared_content.turn_page(db, session_id, payload.page)
            state = await self.state(db, session_id, row)
        await self.announce(session_id, state)
        return {"state": state}

    async def on_close(self, connection: Connection, payload: ClosePayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            row = await shared_content.close_document(db, session_id)
            state = await self.state(db, session_id, row)
        await self.announce(session_id, state)
        return {"state": state}

    async def on_pointer(self, connection: Connection, payload: PointerPayload) -> Ack:
        """Relay the pointer to the others (not stored); ``sent`` false when thinned out."""
        session_id = self.namespace.require_moderator(connection)
        now = time.monotonic()
        last = self.last_pointer.get(connection.sid, 0.0)
        if payload.visible and now - last < POINTER_INTERVAL:
            return {"sent": False}
        self.last_pointer[connection.sid] = now
        await self.namespace.emit(
            "presentation:pointer",
            {
                "user_id": connection.user_id,
                "x": payload.x,
                "y": payload.y,
                "visible": payload.visible,
            },
            room=session_room(session_id),
            skip_sid=connection.sid,
        )
        return {"sent": True}

    # -- hooks ------------------------------------------------------------------------------

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        state = await self.state(db, session_id, await shared_content.peek_state(db, session_id))
        return {**state, "teaching": connection.may_moderate}

    async def departed(self, connection: Connection, session_id: int, reason: LeaveReason) -> None:
        """A teacher's tab that pointed is gone: its pointer must not stay frozen on the page."""
        if self.last_pointer.pop(connection.sid, None) is not None:
            await self.namespace.emit(
                "presentation:pointer",
                {"user_id": connection.user_id, "x": 0.0, "y": 0.0, "visible": False},
                room=session_room(session_id),
            )
