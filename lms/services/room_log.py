"""The durable log of a live room: chat and room events, one sequence per session.

python-socketio cannot recover a dropped connection by itself, so every durable event in a
room gets a sequence number when it is committed; a client that reconnects sends the last one
it saw and the server replays the rest from here. Writes are idempotent on the client's id so
that a retry after a reconnect never duplicates a message or burns a sequence number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import NotFound
from lms.models import ChatMessage, LiveSession, RoomEvent, RoomEventKind, User

CHAT_KIND = "chat"
HISTORY_CAP = 200


async def next_seq(db: AsyncSession, session_id: int) -> int:
    """Allocate the session's next sequence number.

    One ``UPDATE ... RETURNING`` on both backends: the row lock it takes serializes writers of
    the same room until the caller's transaction ends, so numbers are gap-free and unique.
    """
    seq = await db.scalar(
        update(LiveSession)
        .where(LiveSession.id == session_id)
        .values(last_seq=LiveSession.last_seq + 1)
        .returning(LiveSession.last_seq)
        .execution_options(synchronize_session=False)
    )
    if seq is None:
        raise NotFound("no such live session", session_id=session_id)
    return int(seq)


async def _give_back_seq(db: AsyncSession, session_id: int) -> None:
    """Return the number ``next_seq`` just handed out, the room's lock still held.

    Writers take their number first, because that ``UPDATE`` is also the room's lock: once it
    returns, every earlier write to the room is committed and visible, so the idempotency check
    that follows is the final word. The rare write that turns out to be a retry gives its
    number back; no other writer can have taken one in between, so numbers stay gap-free. The
    common, new write costs two statements (number, insert) besides that check.
    """
    await db.execute(
        update(LiveSession)
        .where(LiveSession.id == session_id)
        .values(last_seq=LiveSession.last_seq - 1)
        .execution_options(synchronize_session=False)
    )


async def lock_room(db: AsyncSession, session_id: int) -> None:
    """Queue behind the room's other writers until the caller's transaction ends.

    A no-op ``UPDATE`` of the session row: PostgreSQL locks the row, SQLite takes its write
    lock. Once it returns, every write to this room committed so far is visible and no new one
    can land, so an idempotency check made now is the final word. This is what makes retries
    racing each other safe without a savepoint: a retry finds the stored row instead of
    colliding with it, so nothing has to be rolled back.
    """
    locked = await db.scalar(
        update(LiveSession)
        .where(LiveSession.id == session_id)
        .values(last_seq=LiveSession.last_seq)
        .returning(LiveSession.id)
        .execution_options(synchronize_session=False)
    )
    if locked is None:
        raise NotFound("no such live session", session_id=session_id)


async def _stored_chat(
    db: AsyncSession, session_id: int, sender_id: int, client_id: str
) -> ChatMessage | None:
    return await db.scalar(
        select(ChatMessage).where(
            ChatMessage.session_id == session_id,
            ChatMessage.sender_id == sender_id,
            ChatMessage.client_id == client_id,
        )
    )


async def post_chat(
    db: AsyncSession, session_id: int, sender_id: int, client_id: str, body: str
) -> tuple[ChatMessage, bool]:
    """Store a chat message once; a retry with the same client id returns the stored one.

    See ``_give_back_seq`` for how a retry, even one racing the original, neither duplicates the
    message nor burns a sequence number. The unique constraint stays as the last line of
    defence.
    """
    seq = await next_seq(db, session_id)
    stored = await _stored_chat(db, session_id, sender_id, client_id)
    if stored is not None:
        await _give_back_seq(db, session_id)
        return stored, False
    message = ChatMessage(
        session_id=session_id, seq=seq, sender_id=sender_id, client_id=client_id, body=body
    )
    db.add(message)
    await db.flush()
    return message, True


async def _stored_event(
    db: AsyncSession, session_id: int, actor_id: int, client_id: str
) -> RoomEvent | None:
    return await db.scalar(
        select(RoomEvent).where(
            RoomEvent.session_id == session_id,
            RoomEvent.actor_id == actor_id,
            RoomEvent.client_id == client_id,
        )
    )


async def append_event(
    db: AsyncSession,
    session_id: int,
    kind: RoomEventKind | str,
    actor_id: int,
    *,
    client_id: str | None,
    target_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[RoomEvent, bool]:
    """Store a room event once per (session, actor, client id); same retry rules as chat.

    Events the server makes on its own (no client id) are always new.
    """
    kind = RoomEventKind(kind)
    seq = await next_seq(db, session_id)
    if client_id is not None:
        stored = await _stored_event(db, session_id, actor_id, client_id)
        if stored is not None:
            await _give_back_seq(db, session_id)
            return stored, False
    event = RoomEvent(
        session_id=session_id,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        target_id=target_id,
        client_id=client_id,
        payload=payload or {},
    )
    db.add(event)
    await db.flush()
    return event, True


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def chat_dict(message: ChatMessage, sender_name: str) -> dict[str, Any]:
    """A chat message as the protocol's RoomEvent (``kind="chat"``)."""
    return {
        "seq": message.seq,
        "kind": CHAT_KIND,
        "actor": {"id": message.sender_id, "display_name": sender_name},
        "target_id": None,
        "payload": {"id": message.id, "client_id": message.client_id, "body": message.body},
        "created_at": _timestamp(message.created_at),
    }


def event_dict(event: RoomEvent, actor_name: str) -> dict[str, Any]:
    """A room event as the protocol's RoomEvent."""
    return {
        "seq": event.seq,
        "kind": RoomEventKind(event.kind).value,
        "actor": {"id": event.actor_id, "display_name": actor_name},
        "target_id": event.target_id,
        "payload": dict(event.payload or {}),
        "created_at": _timestamp(event.created_at),
    }


async def history(
    db: AsyncSession, session_id: int, after_seq: int | None = None, limit: int = HISTORY_CAP
) -> list[dict[str, Any]]:
    """Chat and events merged by seq: those after ``after_seq``, or the last ``limit`` of all.

    Both tables are cut to ``limit`` before merging, which is enough: the merged first (or
    last) ``limit`` rows can only come from each table's first (or last) ``limit``.
    """
    limit = max(0, min(limit, HISTORY_CAP))
    chat_q = (
        select(ChatMessage, User.display_name)
        .join(User, User.id == ChatMessage.sender_id)
        .where(ChatMessage.session_id == session_id)
    )
    event_q = (
        select(RoomEvent, User.display_name)
        .join(User, User.id == RoomEvent.actor_id)
        .where(RoomEvent.session_id == session_id)
    )
    if after_seq is not None:
        chat_q = chat_q.where(ChatMessage.seq > after_seq).order_by(ChatMessage.seq)
        event_q = event_q.where(RoomEvent.seq > after_seq).order_by(RoomEvent.seq)
    else:
        chat_q = chat_q.order_by(ChatMessage.seq.desc())
        event_q = event_q.order_by(RoomEvent.seq.desc())
    chats = (await db.execute(chat_q.limit(limit))).all()
    events = (await db.execute(event_q.limit(limit))).all()
    merged = [chat_dict(m, name) for m, name in chats] + [event_dict(e, n) for e, n in events]
    merged.sort(key=lambda item: item["seq"])
    return merged[:limit] if after_seq is not None else merged[-limit:] if limit else []
