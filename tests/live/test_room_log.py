"""The room log service on both backends: sequence allocation, idempotent writes, history."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import NotFound
from lms.models import ChatMessage, LiveSession, RoomEvent, RoomEventKind, User
from lms.services import room_log
from tests.api.conftest import World

DB = async_sessionmaker[AsyncSession]


async def user(db: AsyncSession, user_id: int) -> User:
    found = await db.get(User, user_id)
    assert found is not None
    return found


async def stored_last_seq(db: DB, session_id: int) -> int:
    async with db() as s:
        return int(await s.scalar(select(LiveSession.last_seq).where(LiveSession.id == session_id)))


async def test_next_seq_is_unique_and_gap_free_under_concurrent_writers(
    db: DB, world: World
) -> None:
    async def allocate() -> int:
        async with db() as s, s.begin():
            return await room_log.next_seq(s, world.session)

    seqs = await asyncio.gather(*(allocate() for _ in range(12)))
    assert sorted(seqs) == list(range(1, 13))
    assert await stored_last_seq(db, world.session) == 12

    async with db() as s, s.begin():
        with pytest.raises(NotFound):
            await room_log.next_seq(s, 999_999)


async def test_a_rolled_back_write_gives_its_seq_back(db: DB, world: World) -> None:
    with pytest.raises(RuntimeError):
        async with db() as s, s.begin():
            await room_log.post_chat(s, world.session, world.users["teacher"], "c1", "지울 글")
            raise RuntimeError("the event failed after the insert")
    async with db() as s, s.begin():
        message, created = await room_log.post_chat(
            s, world.session, world.users["teacher"], "c1", "다시"
        )
    assert created and message.seq == 1


async def test_post_chat_retry_returns_the_stored_message(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        first, created = await room_log.post_chat(
            s, world.session, world.users["student1"], "m", "안녕"
        )
    assert created and first.seq == 1
    async with db() as s, s.begin():
        again, created = await room_log.post_chat(
            s, world.session, world.users["student1"], "m", "other body"
        )
        # Same client id from someone else is a different message.
        theirs, theirs_created = await room_log.post_chat(
            s, world.session, world.users["student2"], "m", "저도"
        )
    assert not created and again.id == first.id and again.body == "안녕"
    assert theirs_created and theirs.seq == 2
    assert await stored_last_seq(db, world.session) == 2


async def test_racing_retries_store_one_message_and_burn_no_seq(db: DB, world: World) -> None:
    """Two transactions send the same client id; neither sees the other's row at first."""
    first_inserted = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> tuple[int, bool]:
        async with db() as s, s.begin():
            message, created = await room_log.post_chat(
                s, world.session, world.users["student1"], "dup", "한 번"
            )
            first_inserted.set()
            await release_first.wait()  # hold the room's lock, row not yet visible
        return message.id, created

    async def second() -> tuple[int, bool]:
        await first_inserted.wait()
        async with db() as s, s.begin():
            # Blocks on the room's lock until ``first`` commits, then finds its row.
            message, created = await room_log.post_chat(
                s, world.session, world.users["student1"], "dup", "한 번"
            )
        return message.id, created

    task_first = asyncio.create_task(first())
    task_second = asyncio.create_task(second())
    await first_inserted.wait()
    await asyncio.sleep(0.3)  # let ``second`` reach the lock
    assert not task_second.done()  # it missed the uncommitted row and waits on the room
    release_first.set()
    (id_a, created_a), (id_b, created_b) = await asyncio.gather(task_first, task_second)
    assert created_a and not created_b and id_a == id_b
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(ChatMessage)) == 1
    assert await stored_last_seq(db, world.session) == 1


async def test_append_event_idempotent_unless_the_server_made_it(db: DB, world: World) -> None:
    teacher = world.users["teacher"]
    async with db() as s, s.begin():
        raised, created = await room_log.append_event(
            s, world.session, RoomEventKind.HAND_RAISED, world.users["student1"],
            client_id="h", target_id=world.users["student1"],
        )
        assert created
        again, created = await room_log.append_event(
            s, world.session, "hand_raised", world.users["student1"], client_id="h"
        )
        assert not created and again.id == raised.id
        for _ in range(2):
            _, created = await room_log.append_event(
                s, world.session, RoomEventKind.SESSION_ENDED, teacher, client_id=None
            )
            assert created
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(RoomEvent)) == 3
    assert await stored_last_seq(db, world.session) == 3


async def test_history_merges_by_seq_with_after_seq_and_limit(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        teacher = await user(s, world.users["teacher"])
        for i in range(1, 7):
            if i % 3 == 0:
                await room_log.append_event(
                    s, world.session, RoomEventKind.HAND_RAISED, teacher.id, client_id=f"e{i}",
                    payload={"n": i},
                )
            else:
                await room_log.post_chat(s, world.session, teacher.id, f"c{i}", f"message {i}")
    async with db() as s:
        everything = await room_log.history(s, world.session)
        after = await room_log.history(s, world.session, after_seq=2)
        first_two_after = await room_log.history(s, world.session, after_seq=2, limit=2)
        last_two = await room_log.history(s, world.session, limit=2)
        none = await room_log.history(s, world.session, limit=0)
    assert [e["seq"] for e in everything] == [1, 2, 3, 4, 5, 6]
    assert [e["kind"] for e in everything] == ["chat", "chat", "hand_raised"] * 2
    assert everything[2]["payload"] == {"n": 3}
    assert everything[0]["payload"]["body"] == "message 1"
    assert everything[0]["actor"] == {"id": world.users["teacher"], "display_name": "Teacher"}
    assert everything[0]["created_at"].endswith("Z")
    assert [e["seq"] for e in after] == [3, 4, 5, 6]
    assert [e["seq"] for e in first_two_after] == [3, 4]
    assert [e["seq"] for e in last_two] == [5, 6]
    assert none == []
