"""Breakout groups in the live class: split, group chat, broadcast, visit, recall and the timer.

The rules and the record are in ``lms.services.breakouts``; this tool moves sockets. Each
group is a socket.io room (``group_room``) holding its members' tabs and any teacher visiting
it, and a media room of its own (``MediaSignaling.move_peer``): a tab placed in a group
publishes to and receives from that group's Router only. Clients are told with
``breakouts:started`` / ``breakouts:moved`` / ``breakouts:closed`` and renegotiate their media.

The timer is an asyncio task on the node hosting the session (every socket of a session is on
one node, see docs/protocol.md). A node that restarted has no task: the first join after the
restart closes an expired round, or starts the task again for one still running.

A student's group is in the database, so a reconnecting student lands in it again. A teacher's
visit belongs to one browser tab (a projector's tab may stay in the main room while the laptop
visits), so it is kept per tab, under the ``tab_id`` the tab sends with every ``join``: a tab
that drops and comes back is put back in the group it was visiting until the round closes.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, NotFound
from lms.models import BreakoutCloseReason, BreakoutRound, LeaveReason, RoomEventKind, User
from lms.services import breakouts, room_log
from lms.services.breakouts import Placement
from server.live import payloads as p
from server.live.deadlines import Deadlines
from server.live.rooms import group_room, session_room
from server.live.tool import Ack, LiveTool

if TYPE_CHECKING:
    from server.live.namespace import Connection

log = logging.getLogger(__name__)

# A teacher's tab in one session: (session id, user id, the tab's id or, without one, its socket).
TabKey = tuple[int, int, str]

# Clients show a countdown and a warning this long before the groups close.
WARNING_SECONDS = 30
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Assignment(p.Payload):
    user_id: p.PositiveId
    group_index: Annotated[int, Field(ge=1, le=breakouts.MAX_GROUPS)]


class StartPayload(p.Payload):
    client_id: p.ClientId
    # Unused for ``course_groups``: the course's groups decide how many.
    group_count: Annotated[int, Field(ge=breakouts.MIN_GROUPS, le=breakouts.MAX_GROUPS)] | None = (
        None
    )
    mode: Literal["random", "manual", "course_groups"]
    duration_seconds: Annotated[int, Field(ge=breakouts.MIN_SECONDS, le=breakouts.MAX_SECONDS)]
    assignments: Annotated[list[Assignment], Field(max_length=500, default_factory=list)]
    names: Annotated[list[GroupName], Field(max_length=breakouts.MAX_GROUPS, default_factory=list)]


class MovePayload(p.Payload):
    user_id: p.PositiveId
    group_id: p.PositiveId | None  # None: back to the main room


class GroupChatPayload(p.Payload):
    client_id: p.ClientId
    group_id: p.PositiveId
    body: str


class BroadcastPayload(p.Payload):
    client_id: p.ClientId
    body: str


class VisitPayload(p.Payload):
    group_id: p.PositiveId | None  # None: back to the main room


class RecallPayload(p.Payload):
    client_id: p.ClientId


class BreakoutsTool(LiveTool):
    """Breakout groups; see docs/breakouts.md for the events and their payloads."""

    name: ClassVar[str] = "breakouts"
    events: ClassVar[dict[str, tuple[str, type[p.Payload]]]] = {
        "breakouts:start": ("on_start", StartPayload),
        "breakouts:move": ("on_move", MovePayload),
        "breakouts:chat": ("on_chat", GroupChatPayload),
        "breakouts:broadcast": ("on_broadcast", BroadcastPayload),
        "breakouts:visit": ("on_visit", VisitPayload),
        "breakouts:recall": ("on_recall", RecallPayload),
    }

    def __init__(self, namespace: Any) -> None:
        super().__init__(namespace)
        # Each session's open round ends at its time (tagged with the round).
        self.deadlines: Deadlines[int] = Deadlines("breakout round")
        self.placed: dict[str, int] = {}  # socket id -> the group room it is in
        # A teacher's tab -> the group it visits; outlives the tab's socket until the round ends.
        self.visiting: dict[TabKey, int] = {}

    # -- a teacher's visits ---------------------------------------------------------------

    @staticmethod
    def tab(connection: Connection, session_id: int) -> TabKey:
        return (session_id, connection.user_id, connection.tab_id or connection.sid)

    def forget_visits(self, session_id: int) -> None:
        """The round is over: no tab of the session visits anything any more."""
        for key in [key for key in self.visiting if key[0] == session_id]:
            del self.visiting[key]

    # -- moving sockets -------------------------------------------------------------------

    def local(self, session_id: int) -> list[Connection]:
        """This node's sockets joined to the session (all of them: a class lives on one node)."""
        return [c for c in self.namespace.connections.values() if c.session_id == session_id]

    async def place(self, connection: Connection, session_id: int, group_id: int | None) -> bool:
        """Put one tab in a group's rooms (chat and media), or back in the main room."""
        old = self.placed.get(connection.sid)
        if old == group_id:
            return False
        if old is not None:
            await self.namespace.leave_room(connection.sid, group_room(session_id, old))
            self.placed.pop(connection.sid, None)
        if group_id is not None:
            await self.namespace.enter_room(connection.sid, group_room(session_id, group_id))
            self.placed[connection.sid] = group_id
        if self.namespace.media is not None:
            await self.namespace.media.move_peer(connection.sid, session_id, group_id)
        return True

    async def place_all(self, session_id: int, state: dict[str, Any] | None) -> None:
        """Every local tab of the session where the round (None: no round) puts it."""
        members = {
            member["user_id"]: group["id"]
            for group in (state or {}).get("groups", [])
            for member in group["members"]
        }
        if state is None:
            self.forget_visits(session_id)
        for connection in self.local(session_id):
            if connection.may_moderate:
                group_id = self.visiting.get(self.tab(connection, session_id))
            else:
                group_id = members.get(connection.user_id)
            try:
                await self.place(connection, session_id, group_id)
            except Exception:
                log.exception("could not move socket %s to group %s", connection.sid, group_id)

    # -- the timer ------------------------------------------------------------------------

    def schedule(self, session_id: int, found: BreakoutRound) -> None:
        round_id = found.id
        self.deadlines.schedule(
            session_id,
            found.ends_at,
            lambda: self.close(session_id, round_id, BreakoutCloseReason.TIMER, actor=None),
            tag=round_id,
        )

    def cancel(self, session_id: int) -> None:
        self.deadlines.cancel(session_id)

    # -- closing --------------------------------------------------------------------------

    async def close(
        self,
        session_id: int,
        round_id: int,
        reason: BreakoutCloseReason,
        *,
        actor: User | None,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """Close the round in the database, then bring every tab back and tell the class."""
        async with self.namespace.unit_of_work() as db:
            found, changed = await breakouts.close_round(db, round_id, reason, actor=actor)
            event = await self.closed_event(db, found, client_id) if changed else None
            state = await breakouts.round_dict(db, found)
        if changed:
            await self.after_close(session_id, found, event)
        return state

    async def closed_event(
        self, db: AsyncSession, found: BreakoutRound, client_id: str | None
    ) -> dict[str, Any]:
        """The room event that puts the round's end in the class's log."""
        actor_id = found.closed_by or found.created_by
        event, _ = await room_log.append_event(
            db,
            found.session_id,
            RoomEventKind.BREAKOUT_CLOSED,
            actor_id,
            client_id=client_id,
            payload={
                "round_id": found.id,
                "reason": found.close_reason.value if found.close_reason else None,
            },
        )
        actor = await db.get(User, actor_id)
        return room_log.event_dict(event, actor.display_name if actor else "")

    async def after_close(
        self, session_id: int, found: BreakoutRound, event: dict[str, Any] | None
    ) -> None:
        if self.deadlines.tag(session_id) == found.id:
            self.cancel(session_id)
        if event is not None:
            await self.namespace.emit("room_event", event, room=session_room(session_id))
        await self.place_all(session_id, None)
        reason = found.close_reason.value if found.close_reason else None
        await self.namespace.emit(
            "breakouts:closed",
            {"round_id": found.id, "reason": reason},
            room=session_room(session_id),
        )

    # -- events ---------------------------------------------------------------------------

    async def on_start(self, connection: Connection, payload: StartPayload) -> Ack:
        """Split the class. ``random`` takes the students in the room now."""
        session_id = self.namespace.require_moderator(connection)
        present = [
            entry.user_id
            for entry in await self.namespace.presence.entries(session_id)
            if entry.role == "student"
        ]
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await self.user(db, connection.user_id)
            found, created = await breakouts.start_round(
                db,
                actor,
                session_id,
                client_id=payload.client_id,
                group_count=payload.group_count,
                mode=payload.mode,
                duration_seconds=payload.duration_seconds,
                student_ids=present,
                placements=[Placement(a.user_id, a.group_index) for a in payload.assignments],
                names=payload.names,
            )
            state = await breakouts.round_dict(db, found)
            event = None
            if created:
                stored, _ = await room_log.append_event(
                    db,
                    session_id,
                    RoomEventKind.BREAKOUT_STARTED,
                    actor.id,
                    client_id=None,
                    payload={
                        "round_id": found.id,
                        "group_count": found.group_count,
                        "mode": state["mode"],
                        "ends_at": state["ends_at"],
                    },
                )
                event = room_log.event_dict(stored, actor.display_name)
        if created:
            await self.namespace.emit("room_event", event, room=session_room(session_id))
            await self.place_all(session_id, state)
            self.schedule(session_id, found)
            await self.namespace.emit(
                "breakouts:started", self.started(state), room=session_room(session_id)
            )
        return {"round": state}

    def started(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"round": state, "warning_seconds": WARNING_SECONDS}

    async def user(self, db: AsyncSession, user_id: int) -> User:
        user = await db.get(User, user_id)
        if user is None:
            raise NotFound("no such user", user_id=user_id)
        return user

    async def running(self, db: AsyncSession, session_id: int) -> BreakoutRound:
        found = await breakouts.open_round(db, session_id)
        if found is None:
            raise Conflict("no groups are running in this class")
        return found

    async def group_in_session(
        self, db: AsyncSession, session_id: int, group_id: int
    ) -> tuple[Any, BreakoutRound]:
        """The group and its round, refusing a group of another class as unknown."""
        group, found = await breakouts.get_group(db, group_id)
        if found.session_id != session_id:
            raise NotFound("no such group", group_id=group_id)
        return group, found

    async def on_move(self, connection: Connection, payload: MovePayload) -> Ack:
        """Move one student to another group while the groups run (None: the main room)."""
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            found = await self.running(db, session_id)
            actor = await self.user(db, connection.user_id)
            old, new = await breakouts.move_member(
                db, actor, found.id, payload.user_id, payload.group_id
            )
            state = await breakouts.round_dict(db, found)
        if old != new:
            for other in self.local(session_id):
                if other.user_id == payload.user_id:
                    await self.place(other, session_id, new)
            await self.namespace.emit(
                "breakouts:moved",
                {"round": state, "user_id": payload.user_id, "group_id": new},
                room=session_room(session_id),
            )
        return {"round": state}

    async def on_chat(self, connection: Connection, payload: GroupChatPayload) -> Ack:
        """A group message: stored, then sent to the group's room, then acknowledged."""
        session_id = self.namespace.joined(connection)
        body = p.chat_body(payload.body, self.namespace.settings.chat_max_chars)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            await self.group_in_session(db, session_id, payload.group_id)
            sender = await self.user(db, connection.user_id)
            message, created = await breakouts.post_message(
                db, sender, payload.group_id, payload.client_id, body
            )
            out = breakouts.message_dict(message, sender.display_name)
        if created:
            await self.namespace.emit(
                "breakouts:message", out, room=group_room(session_id, payload.group_id)
            )
        return {"message": out}

    async def on_broadcast(self, connection: Connection, payload: BroadcastPayload) -> Ack:
        """The teacher's message to every group at once, kept in the class's log."""
        session_id = self.namespace.require_moderator(connection)
        body = p.chat_body(payload.body, self.namespace.settings.chat_max_chars)
        async with self.namespace.unit_of_work() as db:
            found = await self.running(db, session_id)
        event, _ = await self.namespace.record(
            connection,
            RoomEventKind.BREAKOUT_BROADCAST,
            payload.client_id,
            payload={"round_id": found.id, "body": body},
        )
        return {"event": event}

    async def on_visit(self, connection: Connection, payload: VisitPayload) -> Ack:
        """A teacher enters a group (its chat and media) or returns to the main room."""
        session_id = self.namespace.require_moderator(connection)
        messages: list[dict[str, Any]] = []
        async with self.namespace.unit_of_work() as db:
            found = await self.running(db, session_id)
            if payload.group_id is not None:
                group, in_round = await self.group_in_session(db, session_id, payload.group_id)
                if in_round.id != found.id:
                    raise Conflict("that group's round has closed", group_id=group.id)
                messages = await breakouts.group_messages(db, group.id)
        if payload.group_id is None:
            self.visiting.pop(self.tab(connection, session_id), None)
        else:
            self.visiting[self.tab(connection, session_id)] = payload.group_id
        await self.place(connection, session_id, payload.group_id)
        return {"group_id": payload.group_id, "messages": messages}

    async def on_recall(self, connection: Connection, payload: RecallPayload) -> Ack:
        """Bring everyone back to the main room now."""
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            found = await self.running(db, session_id)
            actor = await self.user(db, connection.user_id)
        state = await self.close(
            session_id,
            found.id,
            BreakoutCloseReason.RECALLED,
            actor=actor,
            client_id=payload.client_id,
        )
        return {"round": state}

    # -- hooks ----------------------------------------------------------------------------

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        """The running round and this person's group (with its chat), placing the tab there:
        a student's group, or the group a teacher's tab was visiting before it dropped.

        Uses units of its own: closing an expired round writes, and what is read after that
        must see the close.
        """
        async with self.namespace.unit_of_work() as own:
            expired = await breakouts.close_if_expired(own, session_id)
            event = await self.closed_event(own, expired, None) if expired else None
        if expired is not None:
            await self.after_close(session_id, expired, event)
        group_id: int | None = None
        messages: list[dict[str, Any]] = []
        async with self.namespace.unit_of_work() as own:
            found = await breakouts.open_round(own, session_id)
            state = await breakouts.round_dict(own, found) if found is not None else None
            if found is not None:
                if connection.may_moderate:
                    group_id = self.visit_in(state, self.tab(connection, session_id))
                else:
                    group_id = await breakouts.group_of(own, found.id, connection.user_id)
                if group_id is not None:
                    messages = await breakouts.group_messages(own, group_id)
        if found is not None:
            self.schedule(session_id, found)
        await self.place(connection, session_id, group_id)
        return {
            "round": state,
            "group_id": group_id,
            "messages": messages,
            "warning_seconds": WARNING_SECONDS,
        }

    def visit_in(self, state: dict[str, Any] | None, key: TabKey) -> int | None:
        """The group this tab visits, if it is one of the running round's (``state``)."""
        group_id = self.visiting.get(key)
        groups = (state or {}).get("groups", [])
        if group_id is not None and all(group["id"] != group_id for group in groups):
            self.visiting.pop(key, None)
            return None
        return group_id

    async def departed(self, connection: Connection, session_id: int, reason: LeaveReason) -> None:
        """The tab left: forget where its socket was (its media closed with its departure).

        A teacher's visit outlives a dropped socket of a tab that can come back (one that sent
        its ``tab_id``); leaving on purpose ends it, unless the tab is already back on another
        socket. With nobody of the class left on this node (a node draining, everyone's Wi-Fi
        gone) the timer stops too: the next join closes the round if its time is up, or
        restarts it.
        """
        key = self.tab(connection, session_id)
        may_return = connection.tab_id is not None and reason is LeaveReason.NETWORK_LOST
        returned = any(
            self.tab(other, session_id) == key and other.sid != connection.sid
            for other in self.local(session_id)
        )
        if not may_return and not returned:
            self.visiting.pop(key, None)
        group_id = self.placed.pop(connection.sid, None)
        if group_id is not None:
            with contextlib.suppress(Exception):
                await self.namespace.leave_room(connection.sid, group_room(session_id, group_id))
        if not self.local(session_id):
            self.cancel(session_id)

    async def session_ended(self, session_id: int) -> None:
        """The class ended with groups running: close the round; its sockets are gone."""
        self.cancel(session_id)
        async with self.namespace.unit_of_work() as db:
            found = await breakouts.open_round(db, session_id)
            if found is not None:
                await breakouts.close_round(db, found.id, BreakoutCloseReason.SESSION_ENDED)
        self.forget_visits(session_id)
        for sid in [c.sid for c in self.local(session_id)]:
            self.placed.pop(sid, None)
