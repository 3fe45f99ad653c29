"""Moderation of a live class: room rules, the waiting room, removal, private messages, the log.

Rules kept here, whoever calls (the live class's socket events, REST):
- only the class's teachers (teacher, co-teacher, admins over the course: ``may_teach``)
  change the room's rules, admit, deny, and read the moderation log;
- the door (``knock``): teachers always enter; a person removed from the session waits for
  a teacher's explicit approval, flagged "removed earlier"; with the room locked nobody new
  enters, not even through the waiting room; with the waiting room on, a student who has not
  been in this session yet waits. A student already admitted, or already in the class before
  the door closed, comes back after a network drop without waiting again;
- a readmission answers one removal only: removed again later, the person waits again;
- private messages: teachers write to anyone in the class; students write to a teacher when
  the rules allow "teachers" or "all", to another student only under "all";
- every moderation action leaves one row in the moderation log, in the same transaction as
  the action, so the log never claims what did not happen nor misses what did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import (
    AttendanceInterval,
    LiveSession,
    LiveSessionStatus,
    ModerationAction,
    ModerationLogEntry,
    PrivateChat,
    PrivateMessage,
    RoomEvent,
    RoomEventKind,
    RoomSettings,
    User,
    WaitingEntry,
    WaitingStatus,
)
from lms.services import live_sessions, parse_enum, permissions, room_log

PRIVATE_HISTORY_CAP = 200
LOG_PAGE_MAX = 500
SETTING_NAMES = ("waiting_room", "locked", "student_chat", "private_chat", "reactions")


class Waiting(Forbidden):
    """A join held in the waiting room until a teacher admits (or denies) it."""

    code = "waiting"


class Locked(Forbidden):
    """A join refused because the teacher locked the room."""

    code = "locked"


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- room rules ----------------------------------------------------------------------------


def settings_dict(found: RoomSettings | None) -> dict[str, Any]:
    """The rules as the protocol carries them; no row means the defaults."""
    if found is None:
        return {
            "waiting_room": False,
            "locked": False,
            "student_chat": True,
            "private_chat": PrivateChat.TEACHERS.value,
            "reactions": True,
        }
    return {
        "waiting_room": found.waiting_room,
        "locked": found.locked,
        "student_chat": found.student_chat,
        "private_chat": PrivateChat(found.private_chat).value,
        "reactions": found.reactions,
    }


async def room_settings(db: AsyncSession, session_id: int) -> dict[str, Any]:
    return settings_dict(await db.get(RoomSettings, session_id))


async def update_settings(
    db: AsyncSession, actor: User, session_id: int, changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply a teacher's changes; returns (all rules now, what actually changed).

    Setting a rule to the value it has changes nothing and logs nothing, so a retried or
    doubled click leaves one log row.
    """
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    unknown = set(changes) - set(SETTING_NAMES)
    if unknown:
        raise InvalidInput("unknown room settings", fields=sorted(unknown))
    await room_log.lock_room(db, session_id)
    found = await db.get(RoomSettings, session_id, populate_existing=True)
    before = settings_dict(found)
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name == "private_chat":
            value = parse_enum(PrivateChat, value, "private_chat").value
        if before[name] != value:
            changed[name] = value
    if not changed:
        return before, {}
    if found is None:
        found = RoomSettings(session_id=session_id)
        for name, value in before.items():
            setattr(found, name, PrivateChat(value) if name == "private_chat" else value)
        db.add(found)
    for name, value in changed.items():
        setattr(found, name, PrivateChat(value) if name == "private_chat" else value)
    found.updated_by = actor.id
    found.updated_at = utcnow()
    await log_action(db, session_id, actor.id, ModerationAction.SETTINGS, details=changed)
    await db.flush()
    return settings_dict(found), changed


# -- removal and the door -------------------------------------------------------------------


def _latest_removal(session_id: int, user_id: int) -> Select[tuple[int]]:
    return (
        select(RoomEvent.id)
        .where(
            RoomEvent.session_id == session_id,
            RoomEvent.kind == RoomEventKind.PARTICIPANT_REMOVED,
            RoomEvent.target_id == user_id,
        )
        .order_by(RoomEvent.id.desc())
        .limit(1)
    )


async def latest_removal(db: AsyncSession, session_id: int, user_id: int) -> int | None:
    """The id of the person's last removal from the session (a room event), if any."""
    return await db.scalar(_latest_removal(session_id, user_id))


async def standing(
    db: AsyncSession, session_id: int, user_id: int
) -> tuple[LiveSessionStatus, bool]:
    """The session's status and whether the person is removed from it (``is_removed``).

    Every write in a live room checks both; one round trip answers both unless the person was
    removed at some point, which is rare.
    """
    row = (
        await db.execute(
            select(
                LiveSession.status, _latest_removal(session_id, user_id).scalar_subquery()
            ).where(LiveSession.id == session_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such live session", session_id=session_id)
    status, removal_id = row
    return status, await _still_removed(db, session_id, user_id, removal_id)


async def _entry(db: AsyncSession, session_id: int, user_id: int) -> WaitingEntry | None:
    return await db.scalar(
        select(WaitingEntry)
        .where(WaitingEntry.session_id == session_id, WaitingEntry.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def _readmitted(entry: WaitingEntry | None, removal_id: int) -> bool:
    return (
        entry is not None
        and entry.status is WaitingStatus.ADMITTED
        and entry.removal_event_id is not None
        and entry.removal_event_id >= removal_id
    )


async def is_removed(db: AsyncSession, session_id: int, user_id: int) -> bool:
    """Removed from the session and not readmitted since: may neither join nor write."""
    return await _still_removed(
        db, session_id, user_id, await latest_removal(db, session_id, user_id)
    )


async def _still_removed(
    db: AsyncSession, session_id: int, user_id: int, removal_id: int | None
) -> bool:
    """Whether the person's last removal (``removal_id``, None if never) still stands."""
    if removal_id is None:
        return False
    return not _readmitted(await _entry(db, session_id, user_id), removal_id)


async def _was_in(db: AsyncSession, session_id: int, user_id: int) -> bool:
    """Whether the person has been in this session's room before (attendance says so)."""
    found = await db.scalar(
        select(AttendanceInterval.id)
        .where(AttendanceInterval.session_id == session_id, AttendanceInterval.user_id == user_id)
        .limit(1)
    )
    return found is not None


@dataclass(frozen=True)
class Knock:
    """The door's answer to one join: enter, wait (listed for the teachers), or locked out."""

    outcome: Literal["enter", "waiting", "locked"]
    removed_earlier: bool = False
    listed: bool = False  # the waiting list changed: the teachers should see it anew


async def knock(db: AsyncSession, session_id: int, user_id: int, *, may_teach: bool) -> Knock:
    """Decide whether a course member may enter the live room now; list them if they wait."""
    removal_id = await latest_removal(db, session_id, user_id)
    entry = await _entry(db, session_id, user_id)
    removed = removal_id is not None and not _readmitted(entry, removal_id)
    if not removed:
        if may_teach or (entry is not None and entry.status is WaitingStatus.ADMITTED):
            return Knock("enter")
        rules = await room_settings(db, session_id)
        if not (rules["locked"] or rules["waiting_room"]):
            return Knock("enter")
        if await _was_in(db, session_id, user_id):
            return Knock("enter")  # already in class before the door closed: a reconnect
    rules = await room_settings(db, session_id)
    if rules["locked"]:
        return Knock("locked", removed_earlier=removed)
    await room_log.lock_room(db, session_id)
    entry = await _entry(db, session_id, user_id)
    wanted_removal = removal_id if removed else None
    if entry is None:
        db.add(
            WaitingEntry(session_id=session_id, user_id=user_id, removal_event_id=wanted_removal)
        )
        await db.flush()
        return Knock("waiting", removed_earlier=removed, listed=True)
    if entry.status is WaitingStatus.WAITING and entry.removal_event_id == wanted_removal:
        return Knock("waiting", removed_earlier=removed)
    entry.status = WaitingStatus.WAITING
    entry.removal_event_id = wanted_removal
    entry.requested_at = utcnow()
    entry.decided_at = None
    entry.decided_by = None
    await db.flush()
    return Knock("waiting", removed_earlier=removed, listed=True)


async def waiting_list(db: AsyncSession, session_id: int) -> list[dict[str, Any]]:
    """Who waits to enter, oldest request first, with their names for the teacher."""
    rows = await db.execute(
        select(WaitingEntry, User.display_name)
        .join(User, User.id == WaitingEntry.user_id)
        .where(WaitingEntry.session_id == session_id, WaitingEntry.status == WaitingStatus.WAITING)
        .order_by(WaitingEntry.requested_at, WaitingEntry.id)
    )
    return [
        {
            "user_id": entry.user_id,
            "display_name": name,
            "removed_earlier": entry.removal_event_id is not None,
            "requested_at": _timestamp(entry.requested_at),
        }
        for entry, name in rows
    ]


async def decide(
    db: AsyncSession,
    actor: User,
    session_id: int,
    user_ids: Iterable[int] | None,
    *,
    admit: bool,
) -> list[WaitingEntry]:
    """Admit or deny waiting people (``user_ids`` None: everyone waiting); returns those decided.

    Deciding someone no longer waiting (already admitted, denied, or never listed) changes
    nothing, so two teachers clicking at once decide each person once.
    """
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    await room_log.lock_room(db, session_id)
    query = select(WaitingEntry).where(
        WaitingEntry.session_id == session_id, WaitingEntry.status == WaitingStatus.WAITING
    )
    if user_ids is not None:
        wanted = set(user_ids)
        if not wanted:
            return []
        query = query.where(WaitingEntry.user_id.in_(wanted))
    entries = list(
        await db.scalars(query.order_by(WaitingEntry.id).execution_options(populate_existing=True))
    )
    now = utcnow()
    for entry in entries:
        entry.status = WaitingStatus.ADMITTED if admit else WaitingStatus.DENIED
        entry.decided_at = now
        entry.decided_by = actor.id
        if admit:
            action = (
                ModerationAction.READMIT
                if entry.removal_event_id is not None
                else ModerationAction.ADMIT
            )
        else:
            action = ModerationAction.DENY
        details = {"removed_earlier": entry.removal_event_id is not None}
        await log_action(db, session_id, actor.id, action, entry.user_id, details)
    await db.flush()
    return entries


async def admit_waiting(db: AsyncSession, actor: User, session_id: int) -> list[int]:
    """Admit everyone waiting who was not removed earlier (the door was opened); their ids."""
    waiting = await db.scalars(
        select(WaitingEntry.user_id).where(
            WaitingEntry.session_id == session_id,
            WaitingEntry.status == WaitingStatus.WAITING,
            WaitingEntry.removal_event_id.is_(None),
        )
    )
    wanted = list(waiting)
    if not wanted:
        return []
    return [entry.user_id for entry in await decide(db, actor, session_id, wanted, admit=True)]


async def withdraw(db: AsyncSession, session_id: int, user_id: int) -> bool:
    """The person stopped waiting (closed the page): off the list; whether they were on it."""
    entry = await _entry(db, session_id, user_id)
    if entry is None or entry.status is not WaitingStatus.WAITING:
        return False
    entry.status = WaitingStatus.LEFT
    entry.decided_at = utcnow()
    await db.flush()
    return True


# -- private messages ----------------------------------------------------------------------


async def stored_private(
    db: AsyncSession, session_id: int, sender_id: int, client_id: str
) -> PrivateMessage | None:
    return await db.scalar(
        select(PrivateMessage).where(
            PrivateMessage.session_id == session_id,
            PrivateMessage.sender_id == sender_id,
            PrivateMessage.client_id == client_id,
        )
    )


async def send_private(
    db: AsyncSession,
    session: LiveSession,
    sender: User,
    recipient_id: int,
    client_id: str,
    body: str,
) -> tuple[PrivateMessage, bool]:
    """Store a private message once per client id; (the message, whether it is new).

    A retry returns the stored message even if the rules changed since: what was accepted
    stays accepted.
    """
    stored = await stored_private(db, session.id, sender.id, client_id)
    if stored is not None:
        return stored, False
    if recipient_id == sender.id:
        raise InvalidInput("a private message goes to someone else")
    recipient = await db.get(User, recipient_id)
    if recipient is None or not recipient.is_active:
        raise NotFound("no such participant", user_id=recipient_id)
    in_course = await permissions.course_role(db, session.course_id, recipient.id) is not None
    if not in_course and not await permissions.administers_course(db, recipient, session.course_id):
        raise NotFound("no such participant", user_id=recipient_id)
    if not await permissions.may_teach(db, sender, session.course_id):
        rule = PrivateChat((await room_settings(db, session.id))["private_chat"])
        to_teacher = await permissions.may_teach(db, recipient, session.course_id)
        if rule is PrivateChat.NONE or (rule is PrivateChat.TEACHERS and not to_teacher):
            raise Forbidden(
                "the teacher has not allowed this private message", private_chat=rule.value
            )
    await room_log.lock_room(db, session.id)
    stored = await stored_private(db, session.id, sender.id, client_id)
    if stored is not None:
        return stored, False
    message = PrivateMessage(
        session_id=session.id,
        sender_id=sender.id,
        recipient_id=recipient.id,
        client_id=client_id,
        body=body,
    )
    db.add(message)
    await db.flush()
    return message, True


def private_dict(message: PrivateMessage, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": message.id,
        "client_id": message.client_id,
        "sender": {"id": message.sender_id, "display_name": names.get(message.sender_id, "")},
        "recipient": {
            "id": message.recipient_id,
            "display_name": names.get(message.recipient_id, ""),
        },
        "body": message.body,
        "created_at": _timestamp(message.created_at),
    }


async def private_messages(
    db: AsyncSession, session_id: int, user_id: int, limit: int = PRIVATE_HISTORY_CAP
) -> list[dict[str, Any]]:
    """The last ``limit`` private messages the person sent or received here, oldest first."""
    rows = list(
        await db.scalars(
            select(PrivateMessage)
            .where(
                PrivateMessage.session_id == session_id,
                or_(PrivateMessage.sender_id == user_id, PrivateMessage.recipient_id == user_id),
            )
            .order_by(PrivateMessage.id.desc())
            .limit(limit)
        )
    )
    rows.reverse()
    people = {m.sender_id for m in rows} | {m.recipient_id for m in rows}
    names = await display_names(db, people)
    return [private_dict(message, names) for message in rows]


async def display_names(db: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows.tuples()}


# -- the log -------------------------------------------------------------------------------


async def log_action(
    db: AsyncSession,
    session_id: int,
    actor_id: int,
    action: ModerationAction,
    target_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> ModerationLogEntry:
    """One row in the moderation log, in the caller's transaction (with the action itself)."""
    entry = ModerationLogEntry(
        session_id=session_id,
        actor_id=actor_id,
        action=action,
        target_id=target_id,
        details=details or {},
    )
    db.add(entry)
    await db.flush()
    return entry


async def read_log(
    db: AsyncSession,
    viewer: User,
    session_id: int,
    *,
    after_id: int | None = None,
    limit: int = LOG_PAGE_MAX,
) -> list[dict[str, Any]]:
    """The session's moderation log, oldest first; for the class's teachers and admins."""
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_teacher(db, viewer, session.course_id)
    if not 1 <= limit <= LOG_PAGE_MAX:
        raise InvalidInput(f"limit must be 1 to {LOG_PAGE_MAX}", field="limit")
    query = select(ModerationLogEntry).where(ModerationLogEntry.session_id == session_id)
    if after_id is not None:
        query = query.where(ModerationLogEntry.id > after_id)
    entries = list(await db.scalars(query.order_by(ModerationLogEntry.id).limit(limit)))
    names = await display_names(
        db, {e.actor_id for e in entries} | {e.target_id for e in entries if e.target_id}
    )
    return [
        {
            "id": entry.id,
            "session_id": entry.session_id,
            "action": ModerationAction(entry.action).value,
            "actor": {"id": entry.actor_id, "display_name": names.get(entry.actor_id, "")},
            "target": (
                None
                if entry.target_id is None
                else {"id": entry.target_id, "display_name": names.get(entry.target_id, "")}
            ),
            "details": dict(entry.details or {}),
            "created_at": _timestamp(entry.created_at),
        }
        for entry in entries
    ]
