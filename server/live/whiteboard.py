"""The whiteboard in the live class (``docs/shared-content.md``).

Boards are keyed (``main``, ``doc:<document_id>:<page>``, ``group:<group_id>``); the rules of
who may see, draw on and clear which board live in ``lms.services.whiteboard``, so the group
rooms plug in there. Every operation is stored, then sent to the board's audience (the class,
or a group and the teachers), then acknowledged; a retried ``client_id`` acks the stored
operation and tells nobody again. The join ack carries the class board as it stands (strokes
since the last clear, less the erased), so a late joiner sees what everyone sees; other boards
are fetched with ``whiteboard:board``.

Strokes are not room events of the chat history (``room_log``): a class draws hundreds of them
and the history keeps only the last 200 events; the board's own log is the replay, and every
join and ``whiteboard:board`` returns the board in full.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, NotFound, RateLimited
from lms.models import CourseDocument, LeaveReason, LiveSession
from lms.services import shared_content, whiteboard
from server.live import payloads as p
from server.live.ratelimit import EventRateLimiter
from server.live.rooms import group_room, session_room, teachers_room
from server.live.tool import Ack, LiveTool

if TYPE_CHECKING:
    from server.live.namespace import Connection

Board = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# Drawing's own budget per person (strokes, erasing, undo), instead of the general event budget:
# writing a word by hand is a dozen strokes in a few seconds.
DRAW_EVENTS_PER_10S = 150
# A stroke being drawn reaches the others at most every 60 ms per tab.
DRAFT_INTERVAL = 0.06
# How long a checked right to draw on a board is trusted for drafts (strokes always re-check).
DRAW_RIGHT_SECONDS = 5.0


class StrokePayload(p.Payload):
    board: Board
    client_id: p.ClientId
    shape: whiteboard.Shape


class ErasePayload(p.Payload):
    board: Board
    client_id: p.ClientId
    target_id: p.PositiveId


class BoardOpPayload(p.Payload):
    """Undo or clear one board."""

    board: Board
    client_id: p.ClientId


class BoardPayload(p.Payload):
    board: Board


DraftPoint = Annotated[list[whiteboard.Coordinate], Field(min_length=2, max_length=2)]


class DraftPayload(p.Payload):
    """A stroke being drawn: the points added since the last draft (or all, with ``reset``)."""

    board: Board
    draft_id: p.ClientId  # the client_id the finished stroke will carry
    tool: Literal["pen", "highlighter", "line", "arrow", "rect", "ellipse"]
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
    width: Annotated[float, Field(ge=0.5, le=64, allow_inf_nan=False)]
    points: Annotated[list[DraftPoint], Field(min_length=1, max_length=200)]
    reset: bool = False


class AllowDrawingPayload(p.Payload):
    allowed: bool


class WhiteboardTool(LiveTool):
    name: ClassVar[str] = "whiteboard"
    events: ClassVar[dict[str, tuple[str, type[p.Payload]]]] = {
        "whiteboard:stroke": ("on_stroke", StrokePayload),
        "whiteboard:erase": ("on_erase", ErasePayload),
        "whiteboard:undo": ("on_undo", BoardOpPayload),
        "whiteboard:clear": ("on_clear", BoardOpPayload),
        "whiteboard:board": ("on_board", BoardPayload),
        "whiteboard:draft": ("on_draft", DraftPayload),
        "whiteboard:allow_students": ("on_allow_students", AllowDrawingPayload),
    }

    def __init__(self, namespace: Any) -> None:
        super().__init__(namespace)
        self.limiter = EventRateLimiter(DRAW_EVENTS_PER_10S)
        # Drafts: one per DRAFT_INTERVAL per tab; who may draw where, remembered briefly, so a
        # stroke being drawn costs no database read per move.
        self.last_draft: dict[str, float] = {}
        self.draw_rights: dict[tuple[str, str], float] = {}

    # -- helpers ----------------------------------------------------------------------------

    def meter(self, connection: Connection) -> None:
        if not self.limiter.allow(connection.user_id):
            wait = round(self.limiter.retry_after(connection.user_id), 2)
            raise RateLimited("drawing too fast; slow down", retry_after=wait)

    async def check_board(
        self, db: AsyncSession, connection: Connection, session_id: int, board: str
    ) -> None:
        """The board exists in this class and the person may see it (``not_found`` if not)."""
        kind, ref, page = whiteboard.board_key(board)
        if kind == "doc":
            session = await db.get(LiveSession, session_id)
            document = await db.get(CourseDocument, ref)
            if (
                session is None
                or document is None
                or document.course_id != session.course_id
                or (page or 0) > document.page_count
            ):
                raise NotFound("no such board", board=board)
        if not await whiteboard.may_see(
            db, session_id, board, connection.user_id, teaching=connection.may_moderate
        ):
            raise NotFound("no such board", board=board)

    async def check_draw(
        self, db: AsyncSession, connection: Connection, session_id: int, board: str
    ) -> None:
        await self.namespace.require_live(db, session_id, connection.user_id)
        await self.check_board(db, connection, session_id, board)
        allowed = await whiteboard.may_draw(
            db,
            session_id,
            board,
            connection.user_id,
            teaching=connection.may_moderate,
            students_may_draw=await shared_content.students_may_draw(db, session_id),
        )
        if not allowed:
            raise Forbidden("you may not draw on this board", board=board)

    def audience(self, session_id: int, board: str) -> list[str]:
        kind, ref, _ = whiteboard.board_key(board)
        if kind == "group":
            assert ref is not None
            return [group_room(session_id, ref), teachers_room(session_id)]
        return [session_room(session_id)]

    async def publish(self, connection: Connection, session_id: int, op: dict[str, Any]) -> None:
        """Send a stored operation to everyone who sees its board but the tab that drew it."""
        await self.namespace.emit(
            "whiteboard:op",
            op,
            room=self.audience(session_id, op["board"]),
            skip_sid=connection.sid,
        )

    # -- events -----------------------------------------------------------------------------

    async def on_stroke(self, connection: Connection, payload: StrokePayload) -> Ack:
        self.meter(connection)
        session_id = self.namespace.joined(connection)
        async with self.namespace.unit_of_work() as db:
            await self.check_draw(db, connection, session_id, payload.board)
            op, created = await whiteboard.add_stroke(
                db, session_id, payload.board, connection.user_id, payload.client_id, payload.shape
            )
            out = whiteboard.op_dict(op)
        if created:
            await self.publish(connection, session_id, out)
        return {"op": out}

    async def on_erase(self, connection: Connection, payload: ErasePayload) -> Ack:
        """The eraser: teachers erase any stroke, others only their own."""
        self.meter(connection)
        session_id = self.namespace.joined(connection)
        async with self.namespace.unit_of_work() as db:
            await self.check_draw(db, connection, session_id, payload.board)
            op, created = await whiteboard.erase(
                db,
                session_id,
                payload.board,
                connection.user_id,
                payload.client_id,
                payload.target_id,
                any_author=connection.may_moderate,
            )
            out = whiteboard.op_dict(op)
        if created:
            await self.publish(connection, session_id, out)
        return {"op": out}

    async def on_undo(self, connection: Connection, payload: BoardOpPayload) -> Ack:
        """Erase one's own last stroke on the board."""
        self.meter(connection)
        session_id = self.namespace.joined(connection)
        async with self.namespace.unit_of_work() as db:
            await self.check_draw(db, connection, session_id, payload.board)
            op, created = await whiteboard.undo(
                db, session_id, payload.board, connection.user_id, payload.client_id
            )
            out = whiteboard.op_dict(op)
        if created:
            await self.publish(connection, session_id, out)
        return {"op": out}

    async def on_clear(self, connection: Connection, payload: BoardOpPayload) -> Ack:
        session_id = self.namespace.joined(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            await self.check_board(db, connection, session_id, payload.board)
            if not await whiteboard.may_clear(
                db,
                session_id,
                payload.board,
                connection.user_id,
                teaching=connection.may_moderate,
            ):
                raise Forbidden("only the teachers may clear this board", board=payload.board)
            op, created = await whiteboard.clear(
                db, session_id, payload.board, connection.user_id, payload.client_id
            )
            out = whiteboard.op_dict(op)
        if created:
            await self.publish(connection, session_id, out)
        return {"op": out}

    async def on_draft(self, connection: Connection, payload: DraftPayload) -> Ack:
        """Relay a stroke being drawn to the board's audience; never stored (the finished
        stroke is). Thinned to one per ``DRAFT_INTERVAL`` per tab (``sent`` false when dropped)."""
        session_id = self.namespace.joined(connection)
        now = time.monotonic()
        if now - self.last_draft.get(connection.sid, 0.0) < DRAFT_INTERVAL:
            return {"sent": False}
        right = (connection.sid, payload.board)
        if self.draw_rights.get(right, 0.0) < now:
            async with self.namespace.unit_of_work() as db:
                await self.check_draw(db, connection, session_id, payload.board)
            if len(self.draw_rights) > 10_000:
                self.draw_rights.clear()
            self.draw_rights[right] = now + DRAW_RIGHT_SECONDS
        self.last_draft[connection.sid] = now
        draft = {**payload.model_dump(), "author_id": connection.user_id}
        await self.namespace.emit(
            "whiteboard:draft",
            draft,
            room=self.audience(session_id, payload.board),
            skip_sid=connection.sid,
        )
        return {"sent": True}

    async def departed(self, connection: Connection, session_id: int, reason: LeaveReason) -> None:
        self.last_draft.pop(connection.sid, None)
        for right in [right for right in self.draw_rights if right[0] == connection.sid]:
            del self.draw_rights[right]

    async def on_board(self, connection: Connection, payload: BoardPayload) -> Ack:
        """One board as it stands (a document page's notes, a group's board)."""
        session_id = self.namespace.joined(connection)
        async with self.namespace.unit_of_work() as db:
            await self.check_board(db, connection, session_id, payload.board)
            strokes = await whiteboard.strokes(db, session_id, payload.board)
        return {"board": payload.board, "strokes": strokes}

    async def on_allow_students(self, connection: Connection, payload: AllowDrawingPayload) -> Ack:
        """Teachers let students draw on the class board, or stop them."""
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            await shared_content.allow_students_to_draw(db, session_id, payload.allowed)
        policy = {"students_may_draw": payload.allowed}
        await self.namespace.emit("whiteboard:policy", policy, room=session_room(session_id))
        return policy

    # -- hooks ------------------------------------------------------------------------------

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        return {
            "teaching": connection.may_moderate,
            "students_may_draw": await shared_content.students_may_draw(db, session_id),
            "main": await whiteboard.strokes(db, session_id, "main"),
        }
