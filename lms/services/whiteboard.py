"""Whiteboards of a live session: an append-only log of drawing operations per board.

A board is named by a key: ``main`` (the class board), ``doc:<document_id>:<page>`` (the
teacher's notes on a document page) and ``group:<group_id>`` (a breakout group's board). Every
operation is stored before anyone is told of it, idempotent on its author's ``client_id``:

- ``stroke``: one finished shape (pen, highlighter, line, rect, ellipse, arrow, text), in board
  coordinates (0..1 of the board's width and height, so every screen size shows the same);
- ``erase``: removes one stroke (the eraser, and undo of one's own last stroke);
- ``clear``: empties the board; kept, so the log replays to the same picture.

``strokes`` is the board as everyone sees it: the strokes after the last clear, minus the
erased. Who may draw on which board is decided by ``may_draw``; the group-rooms feature adds
who belongs to a group through ``GROUP_MEMBERSHIP`` (see ``docs/shared-content.md``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import WhiteboardOp, WhiteboardOpKind
from lms.services import room_log

MAX_POINTS = 2000
MAX_TEXT_CHARS = 500
# What a board may hold since its last clear (strokes, and points in them, which bound the join
# state a late joiner downloads): beyond this the teacher must clear it.
MAX_STROKES = 5000
MAX_BOARD_POINTS = 200_000
BOARD_KEY = re.compile(r"^(main|doc:[1-9]\d{0,9}:[1-9]\d{0,4}|group:[1-9]\d{0,9})$")

Coordinate = Annotated[float, Field(ge=-0.5, le=1.5, allow_inf_nan=False)]
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
TWO_POINT_TOOLS = frozenset({"line", "rect", "ellipse", "arrow"})


class Shape(BaseModel):
    """One stroke as drawn: the tool, its look, and its points in board coordinates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: Literal["pen", "highlighter", "line", "rect", "ellipse", "arrow", "text"]
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
    width: Annotated[float, Field(ge=0.5, le=64, allow_inf_nan=False)]
    points: Annotated[list[Point], Field(min_length=1, max_length=MAX_POINTS)]
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)] | None = None
    fill: bool = False

    @model_validator(mode="after")
    def fits_the_tool(self) -> Shape:
        if self.tool in TWO_POINT_TOOLS and len(self.points) != 2:
            raise ValueError(f"a {self.tool} has exactly two points (start and end)")
        if self.tool == "text":
            if len(self.points) != 1 or not (self.text or "").strip():
                raise ValueError("a text has one point and some text")
        elif self.text is not None:
            raise ValueError("only a text shape carries text")
        return self


def board_key(board: str) -> tuple[str, int | None, int | None]:
    """``(kind, id, page)`` of a board key, or ``InvalidInput``."""
    if not BOARD_KEY.match(board):
        raise InvalidInput("unknown board", board=board[:100])
    kind, _, rest = board.partition(":")
    if kind == "main":
        return kind, None, None
    if kind == "doc":
        document_id, _, page = rest.partition(":")
        return kind, int(document_id), int(page)
    return kind, int(rest), None


# ``await member(db, session_id, group_id, user_id)``: whether the person is in that group of
# the session now. The group-rooms feature appends its check; with none, group boards are the
# teachers' only.
GroupMembership = Callable[[AsyncSession, int, int, int], Awaitable[bool]]
GROUP_MEMBERSHIP: list[GroupMembership] = []


async def in_group(db: AsyncSession, session_id: int, group_id: int, user_id: int) -> bool:
    for member in GROUP_MEMBERSHIP:
        if await member(db, session_id, group_id, user_id):
            return True
    return False


async def may_see(
    db: AsyncSession, session_id: int, board: str, user_id: int, *, teaching: bool
) -> bool:
    """Class and document boards: everyone in the class; a group board: its group, teachers."""
    kind, group_id, _ = board_key(board)
    if teaching or kind != "group":
        return True
    assert group_id is not None
    return await in_group(db, session_id, group_id, user_id)


async def may_draw(
    db: AsyncSession,
    session_id: int,
    board: str,
    user_id: int,
    *,
    teaching: bool,
    students_may_draw: bool,
) -> bool:
    """Teachers always; students on the class board when allowed, on their own group's board.

    Document pages carry the teacher's notes, so only teachers draw there.
    """
    kind, group_id, _ = board_key(board)
    if teaching:
        return True
    if kind == "main":
        return students_may_draw
    if kind == "group":
        assert group_id is not None
        return await in_group(db, session_id, group_id, user_id)
    return False


async def may_clear(
    db: AsyncSession, session_id: int, board: str, user_id: int, *, teaching: bool
) -> bool:
    """Teachers clear any board; a group clears its own."""
    kind, group_id, _ = board_key(board)
    if teaching:
        return True
    if kind == "group":
        assert group_id is not None
        return await in_group(db, session_id, group_id, user_id)
    return False


# -- writing -------------------------------------------------------------------------------


async def _stored(
    db: AsyncSession, session_id: int, author_id: int, client_id: str
) -> WhiteboardOp | None:
    return await db.scalar(
        select(WhiteboardOp).where(
            WhiteboardOp.session_id == session_id,
            WhiteboardOp.author_id == author_id,
            WhiteboardOp.client_id == client_id,
        )
    )


async def _retry_of(
    db: AsyncSession,
    session_id: int,
    board: str,
    author_id: int,
    client_id: str,
    kind: WhiteboardOpKind,
) -> WhiteboardOp | None:
    """The stored op if this is a retry (after locking the room, so the answer is final)."""
    for attempt in range(2):
        stored = await _stored(db, session_id, author_id, client_id)
        if stored is not None:
            if stored.board != board or stored.kind is not kind:
                raise Conflict("this client_id was used for another drawing", client_id=client_id)
            return stored
        if attempt == 0:
            await room_log.lock_room(db, session_id)
    return None


async def _last_clear(db: AsyncSession, session_id: int, board: str) -> int:
    last = await db.scalar(
        select(func.max(WhiteboardOp.id)).where(
            WhiteboardOp.session_id == session_id,
            WhiteboardOp.board == board,
            WhiteboardOp.kind == WhiteboardOpKind.CLEAR,
        )
    )
    return last or 0


async def _ops_since_clear(db: AsyncSession, session_id: int, board: str) -> list[WhiteboardOp]:
    since = await _last_clear(db, session_id, board)
    rows = await db.scalars(
        select(WhiteboardOp)
        .where(
            WhiteboardOp.session_id == session_id,
            WhiteboardOp.board == board,
            WhiteboardOp.id > since,
        )
        .order_by(WhiteboardOp.id)
    )
    return list(rows)


def _live(ops: list[WhiteboardOp]) -> list[WhiteboardOp]:
    erased = {op.data.get("target") for op in ops if op.kind is WhiteboardOpKind.ERASE}
    return [op for op in ops if op.kind is WhiteboardOpKind.STROKE and op.id not in erased]


async def add_stroke(
    db: AsyncSession,
    session_id: int,
    board: str,
    author_id: int,
    client_id: str,
    shape: Shape,
) -> tuple[WhiteboardOp, bool]:
    """Store one stroke; a retry returns the stored one (``created`` False)."""
    board_key(board)
    stored = await _retry_of(db, session_id, board, author_id, client_id, WhiteboardOpKind.STROKE)
    if stored is not None:
        return stored, False
    since = await _last_clear(db, session_id, board)
    count, points = (
        await db.execute(
            select(func.count(), func.coalesce(func.sum(WhiteboardOp.point_count), 0)).where(
                WhiteboardOp.session_id == session_id,
                WhiteboardOp.board == board,
                WhiteboardOp.id > since,
                WhiteboardOp.kind == WhiteboardOpKind.STROKE,
            )
        )
    ).one()
    if count >= MAX_STROKES or points + len(shape.points) > MAX_BOARD_POINTS:
        raise Conflict(
            "the board is full; clear it first",
            max_strokes=MAX_STROKES,
            max_points=MAX_BOARD_POINTS,
        )
    op = WhiteboardOp(
        session_id=session_id,
        board=board,
        author_id=author_id,
        client_id=client_id,
        kind=WhiteboardOpKind.STROKE,
        data=shape.model_dump(exclude_none=True),
        point_count=len(shape.points),
    )
    db.add(op)
    await db.flush()
    return op, True


async def erase(
    db: AsyncSession,
    session_id: int,
    board: str,
    actor_id: int,
    client_id: str,
    target_id: int,
    *,
    any_author: bool,
) -> tuple[WhiteboardOp, bool]:
    """Erase one stroke still on the board: one's own, or anyone's with ``any_author``."""
    board_key(board)
    stored = await _retry_of(db, session_id, board, actor_id, client_id, WhiteboardOpKind.ERASE)
    if stored is not None:
        return stored, False
    live = {op.id: op for op in _live(await _ops_since_clear(db, session_id, board))}
    target = live.get(target_id)
    if target is None:
        raise NotFound("no such stroke on this board", target_id=target_id)
    if target.author_id != actor_id and not any_author:
        raise Forbidden("you may erase only your own strokes")
    return await _append(
        db, session_id, board, actor_id, client_id, WhiteboardOpKind.ERASE, {"target": target.id}
    ), True


async def undo(
    db: AsyncSession, session_id: int, board: str, actor_id: int, client_id: str
) -> tuple[WhiteboardOp, bool]:
    """Erase the actor's own last stroke still on the board (``Conflict`` if none)."""
    board_key(board)
    stored = await _retry_of(db, session_id, board, actor_id, client_id, WhiteboardOpKind.ERASE)
    if stored is not None:
        return stored, False
    own = [
        op
        for op in _live(await _ops_since_clear(db, session_id, board))
        if op.author_id == actor_id
    ]
    if not own:
        raise Conflict("nothing of yours to undo on this board")
    return await _append(
        db, session_id, board, actor_id, client_id, WhiteboardOpKind.ERASE, {"target": own[-1].id}
    ), True


async def clear(
    db: AsyncSession, session_id: int, board: str, actor_id: int, client_id: str
) -> tuple[WhiteboardOp, bool]:
    """Empty the board (stored, so a late joiner and a replay see it empty)."""
    board_key(board)
    stored = await _retry_of(db, session_id, board, actor_id, client_id, WhiteboardOpKind.CLEAR)
    if stored is not None:
        return stored, False
    return await _append(
        db, session_id, board, actor_id, client_id, WhiteboardOpKind.CLEAR, {}
    ), True


async def _append(
    db: AsyncSession,
    session_id: int,
    board: str,
    actor_id: int,
    client_id: str,
    kind: WhiteboardOpKind,
    data: dict[str, Any],
) -> WhiteboardOp:
    op = WhiteboardOp(
        session_id=session_id,
        board=board,
        author_id=actor_id,
        client_id=client_id,
        kind=kind,
        data=data,
    )
    db.add(op)
    await db.flush()
    return op


# -- reading -------------------------------------------------------------------------------


async def strokes(db: AsyncSession, session_id: int, board: str) -> list[dict[str, Any]]:
    """The board as everyone sees it now: its strokes in drawing order."""
    board_key(board)
    return [op_dict(op) for op in _live(await _ops_since_clear(db, session_id, board))]


def op_dict(op: WhiteboardOp) -> dict[str, Any]:
    """The JSON shape of one operation (``docs/shared-content.md``)."""
    out: dict[str, Any] = {
        "id": op.id,
        "board": op.board,
        "kind": op.kind.value,
        "author_id": op.author_id,
        "client_id": op.client_id,
    }
    if op.kind is WhiteboardOpKind.STROKE:
        out["shape"] = op.data
    elif op.kind is WhiteboardOpKind.ERASE:
        out["target"] = op.data.get("target")
    return out
