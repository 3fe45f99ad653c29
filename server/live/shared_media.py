"""A video or recording the teacher plays to the class (``docs/shared-content.md``).

Each browser plays the file itself (``/api/files/{id}``, with ranges); only the teacher's
play/pause/seek travel, each with the position and the server's time, so a client computes
where the media is now and a late joiner starts at the right place. The state is stored per
session before the room is told; nothing ticks on the server.

Events are ``shared_media:*``: ``media:*`` belongs to the SFU's signalling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from lms.models import LiveSession
from lms.services import shared_content
from server.live import payloads as p
from server.live.rooms import session_room
from server.live.tool import Ack, LiveTool

if TYPE_CHECKING:
    from server.live.namespace import Connection

Position = Annotated[float, Field(ge=0.0, le=shared_content.MAX_MEDIA_SECONDS, allow_inf_nan=False)]


class LoadPayload(p.Payload):
    file_id: p.PositiveId


class ControlPayload(p.Payload):
    action: Literal["play", "pause", "seek"]
    # Seconds into the media, as the teacher's player shows it.
    position: Position


class StopPayload(p.Payload):
    pass


class SharedMediaTool(LiveTool):
    name: ClassVar[str] = "shared_media"
    events: ClassVar[dict[str, tuple[str, type[p.Payload]]]] = {
        "shared_media:load": ("on_load", LoadPayload),
        "shared_media:control": ("on_control", ControlPayload),
        "shared_media:stop": ("on_stop", StopPayload),
    }

    async def announce(self, session_id: int, state: dict[str, Any]) -> None:
        await self.namespace.emit("shared_media:state", state, room=session_room(session_id))

    async def on_load(self, connection: Connection, payload: LoadPayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            session = await db.get(LiveSession, session_id)
            assert session is not None
            row = await shared_content.load_media(
                db, session_id, session.course_id, payload.file_id
            )
            state = await shared_content.media(db, row)
        await self.announce(session_id, state)
        return {"state": state}

    async def on_control(self, connection: Connection, payload: ControlPayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            row = await shared_content.control_media(
                db, session_id, payload.action, payload.position
            )
            state = await shared_content.media(db, row, row.media_updated_at)
        await self.announce(session_id, state)
        return {"state": state}

    async def on_stop(self, connection: Connection, payload: StopPayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            row = await shared_content.stop_media(db, session_id)
            state = await shared_content.media(db, row)
        await self.announce(session_id, state)
        return {"state": state}

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        state = await shared_content.media(db, await shared_content.peek_state(db, session_id))
        return {**state, "teaching": connection.may_moderate}
