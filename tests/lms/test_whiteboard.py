"""Whiteboard operations: idempotent strokes, erase and undo, clear kept in the log, board keys,
who may draw where (and the group hook), and shared content state per session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import LiveSession
from lms.services import shared_content, whiteboard
from lms.services.whiteboard import Shape
from tests.lms.conftest import World

DB = async_sessionmaker[AsyncSession]


@pytest.fixture
async def session_id(db: DB, world: World) -> int:
    now = datetime.now(UTC)
    async with db() as s, s.begin():
        session = LiveSession(
            course_id=world.course.id,
            title="광합성",
            scheduled_start=now,
            scheduled_end=now + timedelta(minutes=40),
        )
        s.add(session)
        await s.flush()
        return session.id


def pen(x: float = 0.1) -> Shape:
    return Shape(tool="pen", color="#202020", width=3, points=[[x, 0.1], [x + 0.1, 0.2]])


def test_shapes_are_bounded_and_fit_their_tool() -> None:
    Shape(tool="arrow", color="#ff0000", width=2, points=[[0, 0], [1, 1]])
    Shape(tool="text", color="#ff0000", width=2, points=[[0.5, 0.5]], text="안녕")
    for bad in (
        {"tool": "rect", "points": [[0, 0]]},
        {"tool": "text", "points": [[0, 0]]},
        {"tool": "pen", "points": [[0, 0]], "text": "x"},
        {"tool": "pen", "points": [[0.1, 0.1]] * (whiteboard.MAX_POINTS + 1)},
        {"tool": "pen", "points": [[9, 0]]},
        {"tool": "text", "points": [[0, 0]], "text": "x" * (whiteboard.MAX_TEXT_CHARS + 1)},
        {"tool": "spray", "points": [[0, 0]]},
    ):
        with pytest.raises(ValidationError):
            Shape.model_validate({"color": "#000000", "width": 2, **bad})


def test_board_keys() -> None:
    assert whiteboard.board_key("main") == ("main", None, None)
    assert whiteboard.board_key("doc:12:3") == ("doc", 12, 3)
    assert whiteboard.board_key("group:7") == ("group", 7, None)
    for bad in ("", "Main", "doc:1", "doc:0:1", "group:", "group:1:2", "main ", "doc:1:2;x"):
        with pytest.raises(InvalidInput):
            whiteboard.board_key(bad)


async def test_strokes_are_idempotent_and_clear_is_replayed(
    db: DB, world: World, session_id: int
) -> None:
    teacher = world.teacher.id
    async with db() as s, s.begin():
        first, created = await whiteboard.add_stroke(s, session_id, "main", teacher, "c1", pen())
        assert created
        again, created = await whiteboard.add_stroke(s, session_id, "main", teacher, "c1", pen(0.5))
        assert not created and again.id == first.id
        with pytest.raises(Conflict):
            await whiteboard.clear(s, session_id, "main", teacher, "c1")
        with pytest.raises(Conflict):
            await whiteboard.add_stroke(s, session_id, "doc:1:1", teacher, "c1", pen())
        await whiteboard.add_stroke(s, session_id, "main", teacher, "c2", pen(0.3))
        await whiteboard.add_stroke(s, session_id, "doc:5:1", teacher, "c3", pen())
    async with db() as s, s.begin():
        assert len(await whiteboard.strokes(s, session_id, "main")) == 2
        await whiteboard.clear(s, session_id, "main", teacher, "clear")
        after, _ = await whiteboard.add_stroke(s, session_id, "main", teacher, "c4", pen(0.7))
    async with db() as s:
        board = await whiteboard.strokes(s, session_id, "main")
        assert [stroke["id"] for stroke in board] == [after.id]
        assert board[0]["shape"]["points"] == [[0.7, 0.1], [0.7999999999999999, 0.2]]
        # Clearing one board leaves the others alone.
        assert len(await whiteboard.strokes(s, session_id, "doc:5:1")) == 1


async def test_erase_and_undo(db: DB, world: World, session_id: int) -> None:
    teacher, student = world.teacher.id, world.students[0].id
    async with db() as s, s.begin():
        theirs, _ = await whiteboard.add_stroke(s, session_id, "main", teacher, "t1", pen())
        mine_1, _ = await whiteboard.add_stroke(s, session_id, "main", student, "s1", pen(0.2))
        mine_2, _ = await whiteboard.add_stroke(s, session_id, "main", student, "s2", pen(0.3))
        with pytest.raises(Forbidden):
            await whiteboard.erase(
                s, session_id, "main", student, "e1", theirs.id, any_author=False
            )
        undo, _ = await whiteboard.undo(s, session_id, "main", student, "u1")
        assert undo.data == {"target": mine_2.id}
        retried, created = await whiteboard.undo(s, session_id, "main", student, "u1")
        assert not created and retried.id == undo.id  # a retried undo takes back only one
        await whiteboard.erase(s, session_id, "main", teacher, "e2", mine_1.id, any_author=True)
        with pytest.raises(NotFound):  # already erased
            await whiteboard.erase(s, session_id, "main", teacher, "e3", mine_1.id, any_author=True)
        with pytest.raises(Conflict):
            await whiteboard.undo(s, session_id, "main", student, "u2")
    async with db() as s:
        assert [st["id"] for st in await whiteboard.strokes(s, session_id, "main")] == [theirs.id]


async def test_a_full_board_must_be_cleared(
    db: DB, world: World, session_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whiteboard, "MAX_STROKES", 2)
    teacher = world.teacher.id
    async with db() as s, s.begin():
        for index in range(2):
            await whiteboard.add_stroke(s, session_id, "main", teacher, f"c{index}", pen())
        with pytest.raises(Conflict):
            await whiteboard.add_stroke(s, session_id, "main", teacher, "c9", pen())
        await whiteboard.clear(s, session_id, "main", teacher, "clear")
        await whiteboard.add_stroke(s, session_id, "main", teacher, "c9", pen())
    monkeypatch.setattr(whiteboard, "MAX_STROKES", 100)
    monkeypatch.setattr(whiteboard, "MAX_BOARD_POINTS", 5)
    async with db() as s, s.begin():
        await whiteboard.add_stroke(s, session_id, "main", teacher, "p1", pen())  # 2 + 2 points
        with pytest.raises(Conflict):  # 4 + 2 > 5
            await whiteboard.add_stroke(s, session_id, "main", teacher, "p2", pen())


async def test_who_may_draw_where_and_the_group_hook(
    db: DB, world: World, session_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    student = world.students[0].id
    async with db() as s:

        async def draw(board: str, *, teaching: bool = False, allowed: bool = False) -> bool:
            return await whiteboard.may_draw(
                s, session_id, board, student, teaching=teaching, students_may_draw=allowed
            )

        assert await draw("main", teaching=True)
        assert await draw("doc:1:1", teaching=True)
        assert not await draw("main")
        assert await draw("main", allowed=True)
        assert not await draw("doc:1:1", allowed=True)  # the teacher's notes
        assert not await draw("group:3", allowed=True)  # no group feature: teachers only
        assert not await whiteboard.may_see(s, session_id, "group:3", student, teaching=False)

        async def members(_: AsyncSession, sid: int, group_id: int, user_id: int) -> bool:
            return sid == session_id and group_id == 3 and user_id == student

        monkeypatch.setattr(whiteboard, "GROUP_MEMBERSHIP", [members])
        assert await draw("group:3")
        assert not await draw("group:4")
        assert await whiteboard.may_see(s, session_id, "group:3", student, teaching=False)
        assert await whiteboard.may_clear(s, session_id, "group:3", student, teaching=False)
        assert not await whiteboard.may_clear(s, session_id, "main", student, teaching=False)


async def test_shared_media_position_follows_the_clock(
    db: DB, world: World, session_id: int
) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with db() as s, s.begin():
        state = await shared_content.get_state(s, session_id)
        state.media_file_id = None
        with pytest.raises(InvalidInput):
            await shared_content.control_media(s, session_id, "play", 1.0, start)
        with pytest.raises(NotFound):
            await shared_content.load_media(s, session_id, world.course.id, 12345)
        state.media_playing = True
        state.media_position = 10.0
        state.media_updated_at = start
        assert shared_content.media_position(state, start + timedelta(seconds=5)) == 15.0
        state.media_playing = False
        assert shared_content.media_position(state, start + timedelta(seconds=5)) == 10.0
        assert await shared_content.students_may_draw(s, session_id) is False
        await shared_content.allow_students_to_draw(s, session_id, True)
        assert await shared_content.students_may_draw(s, session_id) is True
