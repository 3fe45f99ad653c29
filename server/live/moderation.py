"""Moderation in the live class: the door (waiting room, lock, readmission after removal),
the room's rules (student chat, private chat, reactions), mute all, private messages and
reactions.

The rules and the record are in ``lms.services.moderation``; this tool enforces them on the
socket side through the ``LiveTool`` hooks: ``check_join`` holds a student at the door,
``check_event`` refuses a student's chat while the teacher has turned it off. The rules are
read from the database on each use, so every node serving the class applies the same ones
and a node restart forgets nothing.

A held student's socket is put in their member room (``member_room``) though not in the
class, so the admission reaches it wherever it waits and the browser joins again by itself.
Removal and lowering hands stay in the namespace and write their moderation log rows there
(``ClassNamespace.record``). Media holds (mutes, mute all, the camera and screen rules) are
stored by ``lms.services.media_holds`` through ``server.live.media_rules``, each with its log
row, and applied by the media signaling; the join state tells each person which apply to them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, InvalidInput, NotFound, RateLimited
from lms.models import LeaveReason, LiveSession, RoomSettings, User
from lms.services import live_sessions, media_holds, moderation
from server.live import payloads as p
from server.live.ratelimit import EventRateLimiter
from server.live.rooms import member_room, session_room, teachers_room
from server.live.tool import Ack, LiveTool

if TYPE_CHECKING:
    from server.live.namespace import Connection

log = logging.getLogger(__name__)

# The reactions a class may send: a small fixed set, so a reaction can never carry a message.
REACTIONS = ("👍", "👏", "❤️", "😂", "😮", "🙋", "🎉", "🤔")
REACTIONS_PER_SECOND = 1.0
REACTION_BURST = 5


class SettingsPayload(p.Payload):
    """The rules to change; a field left out (or null) stays as it is."""

    waiting_room: bool | None = None
    locked: bool | None = None
    student_chat: bool | None = None
    private_chat: Literal["none", "teachers", "all"] | None = None
    reactions: bool | None = None


class DecidePayload(p.Payload):
    """One waiting person (``user_id``) or everyone waiting (``all``)."""

    user_id: p.PositiveId | None = None
    all: bool = False


class MuteAllPayload(p.Payload):
    source: Literal["microphone", "camera"] = "microphone"


class PrivateSendPayload(p.Payload):
    client_id: p.ClientId
    recipient_id: p.PositiveId
    body: str


class ReactionPayload(p.Payload):
    emoji: Annotated[str, Field(min_length=1, max_length=16)]


class ReactionLimiter(EventRateLimiter):
    """A token bucket of ``burst`` reactions refilled at ``per_second``, per user."""

    def __init__(self, per_second: float, burst: int) -> None:
        super().__init__(burst)
        self.rate = per_second


class ModerationTool(LiveTool):
    """Moderation and safety; see docs/moderation.md for the events and their payloads."""

    name: ClassVar[str] = "moderation"
    events: ClassVar[dict[str, tuple[str, type[p.Payload]]]] = {
        "moderation:settings": ("on_settings", SettingsPayload),
        "moderation:admit": ("on_admit", DecidePayload),
        "moderation:deny": ("on_deny", DecidePayload),
        "moderation:mute_all": ("on_mute_all", MuteAllPayload),
        "moderation:unmute_all": ("on_unmute_all", MuteAllPayload),
        "private:send": ("on_private_send", PrivateSendPayload),
        "reaction:send": ("on_reaction", ReactionPayload),
    }

    def __init__(self, namespace: Any) -> None:
        super().__init__(namespace)
        self.reaction_limiter = ReactionLimiter(REACTIONS_PER_SECOND, REACTION_BURST)
        # Sockets on this node held at the door: socket id -> (session id, user id).
        self.held: dict[str, tuple[int, int]] = {}

    async def emit(self, event: str, data: Any, room: str) -> None:
        await self.namespace.emit(event, data, room=room)

    async def actor(self, db: AsyncSession, connection: Connection) -> User:
        user = await db.get(User, connection.user_id)
        if user is None:
            raise NotFound("no such user")
        return user

    async def publish_waiting(self, session_id: int) -> list[dict[str, Any]]:
        """Send the teachers the waiting list as it is now (after a change)."""
        async with self.namespace.unit_of_work() as db:
            waiting = await moderation.waiting_list(db, session_id)
        await self.emit("moderation:waiting", {"waiting": waiting}, teachers_room(session_id))
        return waiting

    # -- hooks ----------------------------------------------------------------------------

    async def check_join(
        self, db: AsyncSession, connection: Connection, session: LiveSession, may_moderate: bool
    ) -> None:
        """Hold a student at the door; the listing commits on its own, the join is refused."""
        async with self.namespace.unit_of_work() as own:
            knock = await moderation.knock(
                own, session.id, connection.user_id, may_teach=may_moderate
            )
        if knock.outcome == "enter":
            return
        details = {"session_id": session.id, "removed_earlier": knock.removed_earlier}
        if knock.outcome == "locked":
            raise moderation.Locked("the teacher has locked this class", **details)
        # The admission (or denial) is sent to the person's member room: be in it while waiting.
        await self.namespace.enter_room(connection.sid, member_room(connection.user_id, session.id))
        self.held[connection.sid] = (session.id, connection.user_id)
        if knock.listed:
            try:
                await self.publish_waiting(session.id)
            except Exception:
                log.exception("could not show the waiting list of session %s", session.id)
        message = (
            "you were removed from this session; wait for the teacher to let you back in"
            if knock.removed_earlier
            else "wait for the teacher to let you in"
        )
        raise moderation.Waiting(message, **details)

    async def check_event(self, connection: Connection, event: str, payload: p.Payload) -> None:
        """A student's chat is refused while the teacher has turned student chat off."""
        if event != "chat:send" or connection.may_moderate or connection.session_id is None:
            return
        async with self.namespace.unit_of_work() as db:
            rules = await moderation.room_settings(db, connection.session_id)
        if not rules["student_chat"]:
            raise Forbidden("the teacher has turned off chat for students", rule="student_chat")

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        """The room's rules, the media holds on this person (a teacher's mutes survive their
        reconnect and a node restart), one's private messages, and for teachers the waiting
        list."""
        self.held.pop(connection.sid, None)
        found = await db.get(RoomSettings, session_id)  # the room's rules and its media rules
        rules = media_holds.rules_from(found, await media_holds.muted(db, session_id))
        state: dict[str, Any] = {
            "settings": moderation.settings_dict(found),
            "media": rules.holds_of(connection.user_id),
            "teaching": connection.may_moderate,
            "reactions": list(REACTIONS),
            "private": await moderation.private_messages(db, session_id, connection.user_id),
        }
        if connection.may_moderate:
            await self.namespace.enter_room(connection.sid, teachers_room(session_id))
            state["waiting"] = await moderation.waiting_list(db, session_id)
        return state

    async def departed(self, connection: Connection, session_id: int, reason: LeaveReason) -> None:
        if connection.may_moderate:
            try:
                await self.namespace.leave_room(connection.sid, teachers_room(session_id))
            except Exception:  # the socket is already gone with its rooms
                log.debug("socket %s had left the teachers' room", connection.sid)

    async def closed_outside(self, connection: Connection) -> None:
        """A held socket closed: if it was the person's last one here, they stop waiting."""
        held = self.held.pop(connection.sid, None)
        if held is None or held in self.held.values():
            return
        session_id, user_id = held
        async with self.namespace.unit_of_work() as db:
            withdrawn = await moderation.withdraw(db, session_id, user_id)
        if withdrawn:
            await self.publish_waiting(session_id)

    # -- room rules -----------------------------------------------------------------------

    async def on_settings(self, connection: Connection, payload: SettingsPayload) -> Ack:
        """Change the room's rules; the class sees the new rules at once."""
        session_id = self.namespace.require_moderator(connection)
        changes = payload.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput("name at least one setting to change")
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await self.actor(db, connection)
            rules, changed = await moderation.update_settings(db, actor, session_id, changes)
            opened = bool(changed) and not (rules["waiting_room"] or rules["locked"])
            # The door opened: those waiting walk in, except people removed earlier, who
            # still need a teacher's explicit approval.
            let_in = await moderation.admit_waiting(db, actor, session_id) if opened else []
        if changed:
            await self.emit(
                "moderation:settings",
                {"settings": rules, "changed": changed, "by": connection.display_name},
                session_room(session_id),
            )
        for user_id in let_in:
            await self.emit(
                "moderation:admitted", {"session_id": session_id}, member_room(user_id, session_id)
            )
        if let_in:
            await self.publish_waiting(session_id)
        return {"settings": rules, "changed": changed, "admitted": let_in}

    # -- the waiting room -----------------------------------------------------------------

    async def decide(self, connection: Connection, payload: DecidePayload, *, admit: bool) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        if payload.all == (payload.user_id is not None):
            raise InvalidInput("give either user_id or all=true")
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await self.actor(db, connection)
            wanted = None if payload.all else [payload.user_id]
            decided = await moderation.decide(db, actor, session_id, wanted, admit=admit)
            user_ids = [entry.user_id for entry in decided]
        event = "moderation:admitted" if admit else "moderation:denied"
        for user_id in user_ids:
            await self.emit(event, {"session_id": session_id}, member_room(user_id, session_id))
        waiting = await self.publish_waiting(session_id) if user_ids else None
        if waiting is None:
            async with self.namespace.unit_of_work() as db:
                waiting = await moderation.waiting_list(db, session_id)
        return {"decided": user_ids, "waiting": waiting}

    async def on_admit(self, connection: Connection, payload: DecidePayload) -> Ack:
        """Let waiting people in (a removed person is readmitted only this way)."""
        return await self.decide(connection, payload, admit=True)

    async def on_deny(self, connection: Connection, payload: DecidePayload) -> Ack:
        return await self.decide(connection, payload, admit=False)

    # -- mute all -------------------------------------------------------------------------

    async def students_here(self, session_id: int) -> list[int]:
        entries = await self.namespace.presence.entries(session_id)
        return sorted({entry.user_id for entry in entries if entry.role == "student"})

    async def hold_all(self, connection: Connection, source: str, *, held: bool) -> Ack:
        """Store the holds (logged with them), apply them, then tell the class."""
        session_id = self.namespace.require_moderator(connection)
        media = self.namespace.media_signaling()
        students = await self.students_here(session_id) if held else None
        changed = await media.hold_many(connection, students, source)
        await self.emit(
            "moderation:muted_all" if held else "moderation:unmuted_all",
            {"source": source, "by": connection.display_name},
            session_room(session_id),
        )
        return {"changed": changed, "user_ids": students}

    async def on_mute_all(self, connection: Connection, payload: MuteAllPayload) -> Ack:
        """Hold every student's microphone (or camera) here now; their own switch stays."""
        return await self.hold_all(connection, payload.source, held=True)

    async def on_unmute_all(self, connection: Connection, payload: MuteAllPayload) -> Ack:
        """Lift the teachers' holds on that source; what a student turned off stays off."""
        return await self.hold_all(connection, payload.source, held=False)

    # -- private messages and reactions ---------------------------------------------------

    async def on_private_send(self, connection: Connection, payload: PrivateSendPayload) -> Ack:
        """Store, then deliver to the two people's member rooms only, then ack."""
        session_id = self.namespace.joined(connection)
        body = p.chat_body(payload.body, self.namespace.settings.chat_max_chars)
        here = {entry.user_id for entry in await self.namespace.presence.entries(session_id)}
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            session = await live_sessions.get_session(db, session_id)
            sender = await self.actor(db, connection)
            if payload.recipient_id not in here:
                # A retry after the recipient left still finds its stored message.
                stored = await moderation.stored_private(
                    db, session_id, sender.id, payload.client_id
                )
                if stored is None:
                    raise NotFound("that person is not in the class", user_id=payload.recipient_id)
                message, created = stored, False
            else:
                message, created = await moderation.send_private(
                    db, session, sender, payload.recipient_id, payload.client_id, body
                )
            names = await moderation.display_names(db, {message.sender_id, message.recipient_id})
            out = moderation.private_dict(message, names)
        if created:
            for user_id in {message.sender_id, message.recipient_id}:
                await self.emit("private:message", out, member_room(user_id, session_id))
        return {"message": out}

    async def on_reaction(self, connection: Connection, payload: ReactionPayload) -> Ack:
        """A short-lived emoji for everyone in the class; not stored, rate-limited per person."""
        session_id = self.namespace.joined(connection)
        if payload.emoji not in REACTIONS:
            raise InvalidInput("not one of the class's reactions", allowed=list(REACTIONS))
        if not connection.may_moderate:
            async with self.namespace.unit_of_work() as db:
                rules = await moderation.room_settings(db, session_id)
            if not rules["reactions"]:
                raise Forbidden("the teacher has turned off reactions", rule="reactions")
        if not self.reaction_limiter.allow(connection.user_id):
            wait = round(self.reaction_limiter.retry_after(connection.user_id), 2)
            raise RateLimited("too many reactions; slow down", retry_after=wait)
        reaction = {
            "user_id": connection.user_id,
            "display_name": connection.display_name,
            "emoji": payload.emoji,
        }
        await self.emit("reaction", reaction, session_room(session_id))
        return {"reaction": reaction}
