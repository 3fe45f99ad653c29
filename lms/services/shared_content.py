"""What the class is shown, per live session: the document page up, shared media, board rules.

One ``SharedContentState`` row per session, written by the teacher's events and read by every
join, so a late joiner or a reconnecting tab lands on the page the teacher is on and starts the
shared video where the class is. Media time is kept as "position at a server time" plus
whether it plays; the current position is computed (never ticked), so no timer is needed and
every node agrees.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import CourseDocument, SharedContentState, StoredFile, User
from lms.services import documents, files, permissions, room_log

# A day of video is more than any lesson; positions past it are a client's mistake.
MAX_MEDIA_SECONDS = 24 * 3600.0

MediaAction = Literal["play", "pause", "seek"]


async def get_state(db: AsyncSession, session_id: int) -> SharedContentState:
    """The session's row, made on first use (after locking the room, so only once)."""
    state = await db.get(SharedContentState, session_id)
    if state is None:
        await room_log.lock_room(db, session_id)
        state = await db.get(SharedContentState, session_id)
        if state is None:
            state = SharedContentState(session_id=session_id)
            db.add(state)
            await db.flush()
    return state


async def peek_state(db: AsyncSession, session_id: int) -> SharedContentState | None:
    """The row if there is one, without making it (joins read, never write)."""
    return await db.get(SharedContentState, session_id)


def _touch(state: SharedContentState) -> None:
    state.updated_at = utcnow()


async def open_document(
    db: AsyncSession, session_id: int, course_id: int, document_id: int, page: int = 1
) -> tuple[SharedContentState, CourseDocument]:
    """Put one of the course's documents up, at ``page``."""
    document = await db.get(CourseDocument, document_id)
    if document is None or document.course_id != course_id:
        raise NotFound("no such document in this course", document_id=document_id)
    _check_page(document, page)
    state = await get_state(db, session_id)
    state.document_id = document.id
    state.page = page
    _touch(state)
    await db.flush()
    return state, document


def _check_page(document: CourseDocument, page: int) -> None:
    if not 1 <= page <= document.page_count:
        raise InvalidInput(
            f"this document has pages 1 to {document.page_count}",
            page=page,
            page_count=document.page_count,
        )


async def turn_page(
    db: AsyncSession, session_id: int, page: int
) -> tuple[SharedContentState, CourseDocument]:
    state = await get_state(db, session_id)
    if state.document_id is None:
        raise InvalidInput("no document is open")
    document = await db.get(CourseDocument, state.document_id)
    assert document is not None
    _check_page(document, page)
    state.page = page
    _touch(state)
    await db.flush()
    return state, document


async def close_document(db: AsyncSession, session_id: int) -> SharedContentState:
    state = await get_state(db, session_id)
    state.document_id = None
    state.page = 1
    _touch(state)
    await db.flush()
    return state


async def allow_students_to_draw(
    db: AsyncSession, session_id: int, allowed: bool
) -> SharedContentState:
    state = await get_state(db, session_id)
    state.students_may_draw = allowed
    _touch(state)
    await db.flush()
    return state


async def students_may_draw(db: AsyncSession, session_id: int) -> bool:
    state = await peek_state(db, session_id)
    return state is not None and state.students_may_draw


async def presentation(db: AsyncSession, state: SharedContentState | None) -> dict[str, Any]:
    """``{"document": Document | null, "page": int}``: what the viewer shows."""
    if state is None or state.document_id is None:
        return {"document": None, "page": 1}
    document = await db.get(CourseDocument, state.document_id)
    stored = await db.get(StoredFile, document.file_id) if document else None
    if document is None or stored is None:
        return {"document": None, "page": 1}
    return {"document": documents.document_dict(document, stored), "page": state.page}


# -- shared media ----------------------------------------------------------------------------


async def load_media(
    db: AsyncSession, session_id: int, course_id: int, file_id: int
) -> SharedContentState:
    """Put one of the course's shared video or audio files up, paused at the start."""
    stored = await db.get(StoredFile, file_id)
    if (
        stored is None
        or stored.course_id != course_id
        or stored.purpose not in files.SHARED_PURPOSES
        or stored.mime not in files.MEDIA_TYPES
    ):
        raise NotFound("no such video or audio file in this course", file_id=file_id)
    state = await get_state(db, session_id)
    state.media_file_id = stored.id
    state.media_playing = False
    state.media_position = 0.0
    state.media_updated_at = utcnow()
    _touch(state)
    await db.flush()
    return state


def media_position(state: SharedContentState, now: datetime) -> float:
    """Where the media is at ``now``: the stored position, plus the time since if playing."""
    position = state.media_position
    if state.media_playing and state.media_updated_at is not None:
        position += max(0.0, (now - state.media_updated_at).total_seconds())
    return min(position, MAX_MEDIA_SECONDS)


async def control_media(
    db: AsyncSession,
    session_id: int,
    action: MediaAction,
    position: float,
    now: datetime | None = None,
) -> SharedContentState:
    """Play, pause or seek, at ``position`` seconds as the teacher's player showed it."""
    if not 0 <= position <= MAX_MEDIA_SECONDS:
        raise InvalidInput("the position is out of range", position=position)
    state = await get_state(db, session_id)
    if state.media_file_id is None:
        raise InvalidInput("no video or audio is loaded")
    if action == "play":
        state.media_playing = True
    elif action == "pause":
        state.media_playing = False
    state.media_position = position
    state.media_updated_at = now or utcnow()
    _touch(state)
    await db.flush()
    return state


async def stop_media(db: AsyncSession, session_id: int) -> SharedContentState:
    state = await get_state(db, session_id)
    state.media_file_id = None
    state.media_playing = False
    state.media_position = 0.0
    state.media_updated_at = utcnow()
    _touch(state)
    await db.flush()
    return state


async def media(
    db: AsyncSession, state: SharedContentState | None, now: datetime | None = None
) -> dict[str, Any]:
    """``{"file", "playing", "position", "server_time"}``: ``position`` is where the media is
    at ``server_time``; a client adds the time elapsed since (by its clock offset)."""
    now = now or utcnow()
    out: dict[str, Any] = {"file": None, "playing": False, "position": 0.0}
    if state is not None and state.media_file_id is not None:
        stored = await db.get(StoredFile, state.media_file_id)
        if stored is not None:
            out = {
                "file": files.file_dict(stored),
                "playing": state.media_playing,
                "position": round(media_position(state, now), 3),
            }
    out["server_time"] = now.isoformat()
    return out


async def delete_media(db: AsyncSession, root: Path, actor: User, file_id: int) -> None:
    """Remove a shared video or recording (the course's teachers); a class playing it stops."""
    stored = await db.get(StoredFile, file_id)
    if stored is None or stored.course_id is None or stored.purpose != "media":
        raise NotFound("no such video or audio file", file_id=file_id)
    if not await permissions.may_teach(db, actor, stored.course_id):
        raise Forbidden("only the course's teachers may delete its media")
    await db.execute(
        update(SharedContentState)
        .where(SharedContentState.media_file_id == stored.id)
        .values(media_file_id=None, media_playing=False, media_position=0.0)
        .execution_options(synchronize_session=False)
    )
    await files.delete_file(db, root, actor, file_id)
