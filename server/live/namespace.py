"""Namespace ``/class``: one method per client event, as python-socketio's namespace classes.

Every event goes through ``dispatch``: the connection must be authenticated, the user within
their event budget, the payload valid; a ``DomainError`` becomes a failing ack. Each event uses
its own database session, and durable events are acknowledged only after their commit, so an
ack always means "stored". Identity comes from the authenticated connection, never the payload.

Fan-out goes through ``self.emit`` / ``self.disconnect`` (the server's client manager decides
whether that is local or via Redis) and presence through a ``PresenceStore``; this module never
knows how many nodes there are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from weakref import WeakValueDictionary

import socketio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from lms.models import (
    CourseRole,
    LeaveReason,
    LiveSession,
    LiveSessionStatus,
    ModerationAction,
    RoomEventKind,
    User,
)
from lms.services import accounts, attendance, live_sessions, moderation, permissions, room_log
from server.auth import COOKIE_NAME
from server.live import payloads as p
from server.live.media_signaling import MediaSignaling
from server.live.presence import Presence, PresenceStore, participants
from server.live.ratelimit import EventRateLimiter
from server.live.rooms import NAMESPACE, login_room, member_room, session_room, user_room
from server.live.tool import LiveTool
from server.live.tools import TOOLS
from server.schemas import LiveSessionOut, dump
from server.settings import Settings

log = logging.getLogger(__name__)

Ack = dict[str, Any]


@dataclass
class Connection:
    """One authenticated socket on this node, and the room it joined (at most one)."""

    sid: str
    user_id: int
    display_name: str
    session_id: int | None = None
    course_role: CourseRole | None = None
    may_moderate: bool = False
    # How the room's attendance closes if the socket goes without ``leave``: a network loss,
    # unless the server cut it on purpose (a revoked login, ``server.live.revocation``).
    drop_reason: LeaveReason = LeaveReason.NETWORK_LOST
    # The browser tab's own id, the same across its reconnects (``join``'s ``tab_id``).
    tab_id: str | None = None


# event name → (handler method, payload model). Anything else is an unknown event.
EVENTS: dict[str, tuple[str, type[p.Payload]]] = {
    "join": ("on_join", p.JoinPayload),
    "leave": ("on_leave", p.LeavePayload),
    "chat:send": ("on_chat_send", p.ChatSendPayload),
    "hand:raise": ("on_hand_raise", p.HandRaisePayload),
    "hand:lower": ("on_hand_lower", p.HandLowerPayload),
    "moderation:remove": ("on_moderation_remove", p.RemovePayload),
    "moderation:lower_all_hands": ("on_moderation_lower_all_hands", p.LowerAllHandsPayload),
    # media: handled by server.live.media_signaling
    "media:config": ("on_media_config", p.MediaConfigPayload),
    "media:publish": ("on_media_publish", p.MediaPublishPayload),
    "media:subscribe": ("on_media_subscribe", p.MediaSubscribePayload),
    "media:answer": ("on_media_answer", p.MediaAnswerPayload),
    "media:close_producer": ("on_media_close_producer", p.MediaProducerPayload),
    "media:pause_producer": ("on_media_pause_producer", p.MediaProducerPayload),
    "media:resume_producer": ("on_media_resume_producer", p.MediaProducerPayload),
    "moderation:mute": ("on_moderation_mute", p.MutePayload),
    "moderation:unmute": ("on_moderation_unmute", p.MutePayload),
    "moderation:cameras": ("on_moderation_cameras", p.AllowPayload),
    "moderation:screens": ("on_moderation_screens", p.AllowPayload),
}

# Events every tool's ``check_event`` sees too little of to judge: entering and leaving the room.
UNCHECKED_EVENTS = frozenset({"join", "leave"})

# Replies to the server's own requests: each answers one server offer, and a burst of them
# (a whole class publishing at once) must not eat the user's event budget.
# The presentation pointer is thinned by its own tool (one position per 40 ms per tab), and
# drawing has its own, larger budget (handwriting is many short strokes): server.live.whiteboard.
UNMETERED_EVENTS = frozenset(
    {
        "media:answer",
        "presentation:pointer",
        "whiteboard:stroke",
        "whiteboard:erase",
        "whiteboard:undo",
        "whiteboard:draft",
    }
)


def failure(error: DomainError) -> Ack:
    body = error.to_dict()
    body.setdefault("details", {})
    return {"ok": False, "error": body}


def cookie_token(environ: dict[str, Any]) -> str | None:
    """The session cookie a browser sends with the websocket upgrade."""
    header = environ.get("HTTP_COOKIE", "")
    if not header:
        return None
    try:
        morsel = SimpleCookie(header).get(COOKIE_NAME)
    except CookieError:
        return None
    return morsel.value if morsel is not None and morsel.value else None


class ClassNamespace(socketio.AsyncNamespace):
    """The live classroom. Handlers take ``(connection, validated payload)`` and return an ack."""

    def __init__(
        self,
        *,
        db: async_sessionmaker[AsyncSession] | None,
        settings: Settings,
        presence: PresenceStore,
        node_id: str,
    ) -> None:
        super().__init__(NAMESPACE)
        self.db_factory = db
        self.settings = settings
        self.presence = presence
        self.node_id = node_id
        self.limiter = EventRateLimiter(settings.events_per_10s)
        self.connections: dict[str, Connection] = {}
        # Serializes join and departure of one person in one room on this node, so a reconnect
        # racing the old socket's disconnect cannot close the interval the reconnect resumed.
        self._member_locks: WeakValueDictionary[tuple[int, int], asyncio.Lock] = (
            WeakValueDictionary()
        )
        self.draining = False
        self.media: MediaSignaling | None = None  # set by setup_live when media is available
        self.tools: list[LiveTool] = [tool_class(self) for tool_class in TOOLS]
        self.tool_handlers: dict[str, tuple[Any, type[p.Payload]]] = {}
        for tool in self.tools:
            for event, (method, model) in tool.events.items():
                if event in EVENTS or event in self.tool_handlers:
                    raise ValueError(f"live event {event!r} is declared twice")
                self.tool_handlers[event] = (getattr(tool, method), model)

    def tool(self, name: str) -> LiveTool | None:
        """The running tool called ``name``: tools may call on each other through this."""
        return next((tool for tool in self.tools if tool.name == name), None)

    # -- plumbing -------------------------------------------------------------------------

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One session and transaction per event; commits on success."""
        assert self.db_factory is not None, "database not opened yet"
        async with self.db_factory() as db, db.begin():
            yield db

    def member_lock(self, session_id: int, user_id: int) -> asyncio.Lock:
        key = (session_id, user_id)
        lock = self._member_locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._member_locks[key] = lock
        return lock

    async def trigger_event(self, event: str, *args: Any) -> Any:
        """Route every client event through ``dispatch``; connect/disconnect as usual."""
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid = args[0]
        data = args[1] if len(args) == 2 else (None if len(args) == 1 else args[1:])
        return await self.dispatch(event, sid, data)

    async def dispatch(self, event: str, sid: str, data: Any) -> Ack:
        connection = self.connections.get(sid)
        if connection is None:
            return failure(NotAuthenticated("not connected"))
        if event not in UNMETERED_EVENTS and not self.limiter.allow(connection.user_id):
            wait = round(self.limiter.retry_after(connection.user_id), 2)
            return failure(RateLimited("too many events; slow down", retry_after=wait))
        spec = EVENTS.get(event)
        if spec is not None:
            handler, model = getattr(self, spec[0]), spec[1]
        elif event in self.tool_handlers:
            handler, model = self.tool_handlers[event]
        else:
            error = {"code": "unknown_event", "message": f"unknown event {event!r}"[:200]}
            await self.emit("error", error, to=sid)
            return {"ok": False, "error": {**error, "details": {}}}
        try:
            payload = p.parse(model, data)
            if connection.session_id is not None and event not in UNCHECKED_EVENTS:
                for tool in self.tools:
                    await tool.check_event(connection, event, payload)
            result = await handler(connection, payload)
        except DomainError as error:
            return failure(error)
        except Exception:
            log.exception("live event %s failed", event)
            return {
                "ok": False,
                "error": {"code": "internal_error", "message": "server error", "details": {}},
            }
        return {"ok": True, **result}

    async def broadcast_presence(self, session_id: int) -> list[dict[str, Any]]:
        listed = await self.participant_list(session_id)
        await self.emit("presence", {"participants": listed}, room=session_room(session_id))
        return listed

    async def participant_list(self, session_id: int) -> list[dict[str, Any]]:
        entries = await self.presence.entries(session_id)
        return participants(entries, await self.presence.raised_hands(session_id))

    def joined(self, connection: Connection) -> int:
        if connection.session_id is None:
            raise Conflict("join a session first")
        return connection.session_id

    def require_moderator(self, connection: Connection) -> int:
        session_id = self.joined(connection)
        if not connection.may_moderate:
            raise Forbidden("only the class's teachers may do this")
        return session_id

    # -- lifecycle ------------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """Accept only authenticated sockets: a bearer token in ``auth`` or the session cookie."""
        if self.draining:
            raise socketio.exceptions.ConnectionRefusedError(
                "this node is shutting down", {"code": "unavailable"}
            )
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            token = cookie_token(environ)
        if not token:
            raise socketio.exceptions.ConnectionRefusedError(
                "log in first", {"code": "not_authenticated"}
            )
        try:
            async with self.unit_of_work() as db:
                user, login = await accounts.user_for_token(db, token)
        except NotAuthenticated as error:
            raise socketio.exceptions.ConnectionRefusedError(
                error.message, {"code": error.code}
            ) from None
        self.connections[sid] = Connection(sid, user.id, user.display_name)
        # Where a revoked login finds its sockets, on any node (``server.live.revocation``).
        await self.enter_room(sid, user_room(user.id))
        await self.enter_room(sid, login_room(login.id))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """A socket gone without ``leave`` is a network loss, not a leave, for attendance
        (unless the server cut it on purpose: ``Connection.drop_reason``)."""
        connection = self.connections.pop(sid, None)
        if connection is not None and connection.session_id is None and not self.draining:
            for tool in self.tools:  # never joined: held at the door, say
                try:
                    await tool.closed_outside(connection)
                except Exception:
                    log.exception("tool %s failed on the close of socket %s", tool.name, sid)
        if connection is None or connection.session_id is None or self.draining:
            return
        try:
            await self.depart(connection, connection.drop_reason)
        except Exception:
            log.exception("could not record the departure of socket %s", sid)

    async def depart(self, connection: Connection, reason: LeaveReason) -> None:
        """Take a socket out of its room; close the interval if it was the person's last one."""
        session_id = connection.session_id
        assert session_id is not None
        connection.session_id = None
        if self.media is not None:
            # At once, even inside the attendance grace: a returning tab publishes anew.
            try:
                await self.media.peer_left(session_id, connection.sid)
            except Exception:
                log.exception("could not close the media of socket %s", connection.sid)
        async with self.member_lock(session_id, connection.user_id):
            await self.presence.remove(session_id, connection.sid)
            still_here = any(
                entry.user_id == connection.user_id
                for entry in await self.presence.entries(session_id)
            )
            if not still_here:
                if reason is LeaveReason.LEFT:
                    await self.presence.set_hand(session_id, connection.user_id, False)
                async with self.unit_of_work() as db:
                    await attendance.close_interval(db, session_id, connection.user_id, reason)
        for tool in self.tools:
            try:
                await tool.departed(connection, session_id, reason)
            except Exception:
                log.exception("tool %s failed on the departure of %s", tool.name, connection.sid)
        await self.broadcast_presence(session_id)

    # -- events ---------------------------------------------------------------------------

    async def on_join(self, connection: Connection, payload: p.JoinPayload) -> Ack:
        """Enter a live room: check rights, open or resume attendance, replay what was missed."""
        if connection.session_id not in (None, payload.session_id):
            raise Conflict("already in another session; leave it first")
        session_id = payload.session_id
        user_id = connection.user_id
        async with self.member_lock(session_id, user_id):
            added = False
            try:
                async with self.unit_of_work() as db:
                    session, role, may_moderate = await self.admit(db, user_id, session_id)
                # Each tool's door in a unit of its own, outside the admission's: a tool may open
                # units of its own (moderation commits a waiting-list entry), and a join holding
                # one connection while it waits for another deadlocks the pool once a pool's
                # worth of joins arrive together. A unit connects only when first used.
                for tool in self.tools:
                    async with self.unit_of_work() as db:
                        await tool.check_join(db, connection, session, may_moderate)
                async with self.unit_of_work() as db:
                    # Listed before the interval opens, so a racing disconnect of this person's
                    # old socket sees them still here and leaves the interval alone.
                    await self.presence.add(
                        session_id,
                        Presence(
                            sid=connection.sid,
                            user_id=user_id,
                            display_name=connection.display_name,
                            role=role.value if role else None,
                            node_id=self.node_id,
                        ),
                    )
                    added = True
                    _, resumed = await attendance.open_interval(
                        db,
                        session_id,
                        user_id,
                        grace_seconds=self.settings.attendance.reconnect_grace_seconds,
                    )
                    history = await self.missed(db, session_id, payload.last_seq)
                    # A message committed while this ran may be in the history already.
                    last_seq = max([session.last_seq, *(item["seq"] for item in history)])
                    session_out = dump(LiveSessionOut, session)
            except BaseException:
                if added:
                    await self.presence.remove(session_id, connection.sid)
                raise
        connection.session_id = session_id
        connection.course_role = role
        connection.may_moderate = may_moderate
        connection.tab_id = payload.tab_id
        await self.enter_room(connection.sid, session_room(session_id))
        await self.enter_room(connection.sid, member_room(user_id, session_id))
        listed = await self.broadcast_presence(session_id)
        you = next((item for item in listed if item["user_id"] == user_id), None)
        return {
            "session": session_out,
            "you": you,
            "participants": listed,
            "history": history,
            "last_seq": last_seq,
            "resumed": resumed,
            "tools": await self.tool_states(connection, session_id),
        }

    async def tool_states(self, connection: Connection, session_id: int) -> dict[str, Any]:
        """Each tool's state for a joining client, read after the join is recorded."""
        if not self.tools:
            return {}
        states: dict[str, Any] = {}
        # A unit per tool, for the reason given in ``on_join`` (breakouts opens its own).
        for tool in self.tools:
            async with self.unit_of_work() as db:
                state = await tool.join_state(db, connection, session_id)
            if state is not None:
                states[tool.name] = state
        return states

    async def missed(
        self, db: AsyncSession, session_id: int, last_seq: int | None
    ) -> list[dict[str, Any]]:
        """What a (re)joining client missed: the last ``HISTORY_CAP`` events after ``last_seq``.

        The newest ones, not the oldest: the ack's ``last_seq`` tells the client it is caught up,
        so a long absence must leave its gap before the replay, where the chat page can fill it,
        not after it, where it would never be noticed.
        """
        history = await room_log.history(db, session_id, after_seq=last_seq)
        if last_seq is not None and len(history) >= room_log.HISTORY_CAP:
            newest = await room_log.history(db, session_id)
            history = [event for event in newest if event["seq"] > last_seq]
        return history

    async def admit(
        self, db: AsyncSession, user_id: int, session_id: int
    ) -> tuple[LiveSession, CourseRole | None, bool]:
        """The session, the person's course role, and whether they may moderate; or why not."""
        session = await live_sessions.get_session(db, session_id)
        user = await db.get(User, user_id)
        if user is None or not user.is_active:
            raise NotAuthenticated("account deactivated")
        role = await permissions.require_course_member(db, user, session.course_id)
        if session.status is LiveSessionStatus.ENDED:
            raise Conflict("this session has ended", session_id=session_id)
        if session.status is not LiveSessionStatus.LIVE:
            raise Conflict("this session has not started", session_id=session_id)
        # A removed person is held by the moderation tool's check_join (waiting for approval).
        return session, role, await permissions.may_teach(db, user, session.course_id)

    async def leave_rooms(self, connection: Connection) -> None:
        if connection.session_id is None:
            return
        session_id = connection.session_id
        await self.leave_room(connection.sid, session_room(session_id))
        await self.leave_room(connection.sid, member_room(connection.user_id, session_id))

    async def on_leave(self, connection: Connection, payload: p.LeavePayload) -> Ack:
        """Leave on purpose: attendance records ``left``, not a network loss."""
        if connection.session_id is None:
            return {}
        await self.leave_rooms(connection)
        await self.depart(connection, LeaveReason.LEFT)
        return {}

    async def on_chat_send(self, connection: Connection, payload: p.ChatSendPayload) -> Ack:
        """Store, then broadcast, then ack; a retried client id acks the stored message only."""
        session_id = self.joined(connection)
        body = p.chat_body(payload.body, self.settings.chat_max_chars)
        async with self.unit_of_work() as db:
            await self.require_live(db, session_id, connection.user_id)
            message, created = await room_log.post_chat(
                db, session_id, connection.user_id, payload.client_id, body
            )
        # The name the sender connected with: a rename shows from their next connection.
        event = room_log.chat_dict(message, connection.display_name)
        if created:
            await self.emit("room_event", event, room=session_room(session_id))
        return {"message": event}

    async def require_live(self, db: AsyncSession, session_id: int, user_id: int) -> None:
        """The session is still live and this person was not removed from it.

        Removal disconnects the person's sockets through the fan-out, which may lose a message
        between nodes; the database has the last word, so a socket left behind can't write.
        """
        status, removed = await moderation.standing(db, session_id, user_id)
        if status is not LiveSessionStatus.LIVE:
            raise Conflict("this session is not live", session_id=session_id)
        if removed:
            raise Forbidden("you were removed from this session", session_id=session_id)

    async def record(
        self,
        connection: Connection,
        kind: RoomEventKind,
        client_id: str,
        *,
        target_id: int | None = None,
        payload: dict[str, Any] | None = None,
        close_target_as: LeaveReason | None = None,
        log_as: ModerationAction | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Commit one room event (and, for removal, the target's interval), then broadcast it."""
        session_id = self.joined(connection)
        async with self.unit_of_work() as db:
            await self.require_live(db, session_id, connection.user_id)
            others = target_id not in (None, connection.user_id)
            if others and await db.get(User, target_id) is None:
                raise NotFound("no such user", user_id=target_id)
            event, created = await room_log.append_event(
                db,
                session_id,
                kind,
                connection.user_id,
                client_id=client_id,
                target_id=target_id,
                payload=payload,
            )
            if created and close_target_as is not None and target_id is not None:
                await attendance.close_interval(db, session_id, target_id, close_target_as)
            if created and log_as is not None:
                await moderation.log_action(
                    db, session_id, connection.user_id, log_as, target_id, payload
                )
        # The event is this connection's own (a retry finds its own row), so is the name.
        out = room_log.event_dict(event, connection.display_name)
        if created:
            await self.emit("room_event", out, room=session_room(session_id))
        return out, created

    async def on_hand_raise(self, connection: Connection, payload: p.HandRaisePayload) -> Ack:
        session_id = self.joined(connection)
        event, created = await self.record(
            connection, RoomEventKind.HAND_RAISED, payload.client_id, target_id=connection.user_id
        )
        if created:
            await self.presence.set_hand(session_id, connection.user_id, True)
            await self.broadcast_presence(session_id)
        return {"event": event}

    async def on_hand_lower(self, connection: Connection, payload: p.HandLowerPayload) -> Ack:
        """Lower one's own hand; the class's teachers may lower anyone's."""
        session_id = self.joined(connection)
        target = payload.user_id or connection.user_id
        others = target != connection.user_id
        if others:
            self.require_moderator(connection)
        event, created = await self.record(
            connection,
            RoomEventKind.HAND_LOWERED,
            payload.client_id,
            target_id=target,
            log_as=ModerationAction.LOWER_HAND if others else None,
        )
        if created:
            await self.presence.set_hand(session_id, target, False)
            await self.broadcast_presence(session_id)
        return {"event": event}

    async def on_moderation_lower_all_hands(
        self, connection: Connection, payload: p.LowerAllHandsPayload
    ) -> Ack:
        session_id = self.require_moderator(connection)
        event, created = await self.record(
            connection,
            RoomEventKind.HAND_LOWERED,
            payload.client_id,
            payload={"all": True},
            log_as=ModerationAction.LOWER_ALL_HANDS,
        )
        if created:
            await self.presence.clear_hands(session_id)
            await self.broadcast_presence(session_id)
        return {"event": event}

    async def on_moderation_remove(self, connection: Connection, payload: p.RemovePayload) -> Ack:
        """Remove someone for the rest of the session, wherever their sockets are."""
        session_id = self.require_moderator(connection)
        target = payload.user_id
        if target == connection.user_id:
            raise InvalidInput("you cannot remove yourself")
        event, created = await self.record(
            connection,
            RoomEventKind.PARTICIPANT_REMOVED,
            payload.client_id,
            target_id=target,
            payload={"reason": "removed"},
            close_target_as=LeaveReason.REMOVED,
            log_as=ModerationAction.REMOVE,
        )
        if created:
            await self.presence.set_hand(session_id, target, False)
            await self.emit("removed", {"reason": "removed"}, room=member_room(target, session_id))
            for entry in await self.presence.entries(session_id):
                if entry.user_id == target:
                    await self.presence.remove(session_id, entry.sid)
                    await self.server.disconnect(entry.sid, namespace=NAMESPACE)
            await self.broadcast_presence(session_id)
        return {"event": event}

    # -- media: the work is in server.live.media_signaling ---------------------------------

    def media_signaling(self) -> MediaSignaling:
        if self.media is None:
            raise Conflict("media is not available on this server")
        return self.media

    async def on_media_config(self, connection: Connection, payload: p.MediaConfigPayload) -> Ack:
        return await self.media_signaling().on_config(connection, payload)

    async def on_media_publish(self, connection: Connection, payload: p.MediaPublishPayload) -> Ack:
        return await self.media_signaling().on_publish(connection, payload)

    async def on_media_subscribe(
        self, connection: Connection, payload: p.MediaSubscribePayload
    ) -> Ack:
        return await self.media_signaling().on_subscribe(connection, payload)

    async def on_media_answer(self, connection: Connection, payload: p.MediaAnswerPayload) -> Ack:
        return await self.media_signaling().on_answer(connection, payload)

    async def on_media_close_producer(
        self, connection: Connection, payload: p.MediaProducerPayload
    ) -> Ack:
        return await self.media_signaling().on_close_producer(connection, payload)

    async def on_media_pause_producer(
        self, connection: Connection, payload: p.MediaProducerPayload
    ) -> Ack:
        return await self.media_signaling().on_pause_producer(connection, payload)

    async def on_media_resume_producer(
        self, connection: Connection, payload: p.MediaProducerPayload
    ) -> Ack:
        return await self.media_signaling().on_resume_producer(connection, payload)

    # Media holds are stored with their moderation log row before they apply
    # (``server.live.media_rules``).
    async def on_moderation_mute(self, connection: Connection, payload: p.MutePayload) -> Ack:
        return await self.media_signaling().on_mute(connection, payload)

    async def on_moderation_unmute(self, connection: Connection, payload: p.MutePayload) -> Ack:
        return await self.media_signaling().on_unmute(connection, payload)

    async def on_moderation_cameras(self, connection: Connection, payload: p.AllowPayload) -> Ack:
        return await self.media_signaling().on_cameras(connection, payload)

    async def on_moderation_screens(self, connection: Connection, payload: p.AllowPayload) -> Ack:
        return await self.media_signaling().on_screens(connection, payload)

    # -- calls from the REST layer and the app lifecycle ---------------------------------

    async def end_room(self, session_id: int) -> None:
        """The session ended: tell the room, then disconnect every socket in it on any node."""
        await self.emit("session_ended", {"session_id": session_id}, room=session_room(session_id))
        for entry in await self.presence.entries(session_id):
            await self.presence.remove(session_id, entry.sid)
            await self.server.disconnect(entry.sid, namespace=NAMESPACE)
        await self.presence.forget_room(session_id)
        for tool in self.tools:
            try:
                await tool.session_ended(session_id)
            except Exception:
                log.exception("tool %s failed to close session %s", tool.name, session_id)
        if self.media is not None:
            await self.media.session_ended(session_id)

    async def drain(self) -> None:
        """Node shutdown: refuse new sockets, close this node's intervals, drop its presence."""
        self.draining = True
        for connection in list(self.connections.values()):
            if connection.session_id is None:
                continue
            try:
                await self.depart(connection, LeaveReason.NODE_SHUTDOWN)
            except Exception:
                log.exception("could not close the interval of socket %s", connection.sid)
        for sid in list(self.connections):
            try:
                await self.server.disconnect(sid, namespace=NAMESPACE)
            except Exception:
                log.exception("could not disconnect socket %s", sid)
