"""Breakout rounds: split a live class into groups, move people, group chat, close the round.

Rules kept here, whoever calls (the live class's socket events, REST, a timer):
- only the class's teachers open, change and close a round; at most one round is open per
  session, so "which group am I in" always has one answer;
- students are put into groups randomly (balanced: sizes differ by at most one), by the
  teacher's hand, or by the course's own groups; a person is in at most one group at a time;
- a move closes the old membership instead of rewriting it, and rounds are never deleted, so
  the teacher can look back at who worked together;
- a group's chat is written only by its current members and the class's teachers, stored
  once per client id and sequenced per group so a reconnecting member is replayed the rest.

All writes to a session's rounds first take the room's lock (``room_log.lock_room``), so a
timer firing while the teacher recalls, or two retries of "start", resolve to one outcome.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    BreakoutCloseReason,
    BreakoutGroup,
    BreakoutMembership,
    BreakoutMessage,
    BreakoutMode,
    BreakoutRound,
    BreakoutStatus,
    CourseRole,
    Enrolment,
    LiveSession,
    LiveSessionStatus,
    User,
)
from lms.services import (
    clean_text,
    course_groups,
    live_sessions,
    moment,
    parse_enum,
    permissions,
    room_log,
    whiteboard,
)

MIN_GROUPS = 2
MAX_GROUPS = 50
MIN_SECONDS = 30
MAX_SECONDS = 3 * 60 * 60
MAX_NAME_CHARS = 100
MAX_BODY_CHARS = 2000
HISTORY_CAP = 200


@dataclass(frozen=True)
class Placement:
    """Where one student goes: a 1-based group index."""

    user_id: int
    group_index: int


def balanced(
    student_ids: Sequence[int], group_count: int, rng: random.Random | None = None
) -> list[Placement]:
    """A random split whose group sizes differ by at most one (dealt like cards)."""
    shuffled = list(dict.fromkeys(student_ids))
    (rng or random.SystemRandom()).shuffle(shuffled)
    return [Placement(uid, index % group_count + 1) for index, uid in enumerate(shuffled)]


def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- reading ------------------------------------------------------------------------------


async def open_round(db: AsyncSession, session_id: int) -> BreakoutRound | None:
    """The session's open round, if any."""
    return await db.scalar(
        select(BreakoutRound).where(
            BreakoutRound.session_id == session_id,
            BreakoutRound.status == BreakoutStatus.OPEN,
        )
    )


async def get_round(db: AsyncSession, round_id: int) -> BreakoutRound:
    found = await db.get(BreakoutRound, round_id)
    if found is None:
        raise NotFound("no such breakout round", round_id=round_id)
    return found


async def groups(db: AsyncSession, round_id: int) -> list[BreakoutGroup]:
    return list(
        await db.scalars(
            select(BreakoutGroup)
            .where(BreakoutGroup.round_id == round_id)
            .order_by(BreakoutGroup.index)
        )
    )


async def get_group(db: AsyncSession, group_id: int) -> tuple[BreakoutGroup, BreakoutRound]:
    group = await db.get(BreakoutGroup, group_id)
    if group is None:
        raise NotFound("no such group", group_id=group_id)
    return group, await get_round(db, group.round_id)


async def current_members(db: AsyncSession, round_id: int) -> dict[int, int]:
    """user id -> group id, for everyone in a group of the round right now."""
    rows = await db.execute(
        select(BreakoutMembership.user_id, BreakoutMembership.group_id).where(
            BreakoutMembership.round_id == round_id, BreakoutMembership.left_at.is_(None)
        )
    )
    return {user_id: group_id for user_id, group_id in rows.all()}


async def group_of(db: AsyncSession, round_id: int, user_id: int) -> int | None:
    """The group a person is in now, or None (in the main room)."""
    return await db.scalar(
        select(BreakoutMembership.group_id).where(
            BreakoutMembership.round_id == round_id,
            BreakoutMembership.user_id == user_id,
            BreakoutMembership.left_at.is_(None),
        )
    )


async def memberships(db: AsyncSession, round_id: int) -> list[BreakoutMembership]:
    """Every membership of the round, moved-out ones included, oldest first."""
    return list(
        await db.scalars(
            select(BreakoutMembership)
            .where(BreakoutMembership.round_id == round_id)
            .order_by(BreakoutMembership.id)
        )
    )


async def list_rounds(db: AsyncSession, session_id: int) -> list[BreakoutRound]:
    return list(
        await db.scalars(
            select(BreakoutRound)
            .where(BreakoutRound.session_id == session_id)
            .order_by(BreakoutRound.id)
        )
    )


async def round_dict(db: AsyncSession, found: BreakoutRound) -> dict[str, Any]:
    """A round as the protocol shows it: its groups with their current members."""
    members = await current_members(db, found.id)
    names: dict[int, str] = {}
    if members:
        rows = await db.execute(select(User.id, User.display_name).where(User.id.in_(members)))
        names = {uid: name for uid, name in rows.all()}
    by_group: dict[int, list[dict[str, Any]]] = {}
    for user_id, group_id in members.items():
        entry = {"user_id": user_id, "display_name": names.get(user_id, "")}
        by_group.setdefault(group_id, []).append(entry)
    return {
        "id": found.id,
        "session_id": found.session_id,
        "mode": BreakoutMode(found.mode).value,
        "group_count": found.group_count,
        "status": BreakoutStatus(found.status).value,
        "started_at": _timestamp(found.started_at),
        "ends_at": _timestamp(found.ends_at),
        "closed_at": _timestamp(found.closed_at),
        "close_reason": found.close_reason.value if found.close_reason else None,
        "groups": [
            {
                "id": group.id,
                "index": group.index,
                "name": group.name,
                "members": sorted(by_group.get(group.id, []), key=lambda m: m["display_name"]),
            }
            for group in await groups(db, found.id)
        ],
    }


# -- permissions --------------------------------------------------------------------------


async def _session_for_teacher(db: AsyncSession, actor: User, session_id: int) -> LiveSession:
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    return session


async def _course_students(db: AsyncSession, course_id: int) -> set[int]:
    rows = await db.scalars(
        select(Enrolment.user_id).where(
            Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT
        )
    )
    return set(rows)


# -- opening ------------------------------------------------------------------------------


async def start_round(
    db: AsyncSession,
    actor: User,
    session_id: int,
    *,
    client_id: str,
    group_count: int | None,
    mode: BreakoutMode | str,
    duration_seconds: int,
    student_ids: Sequence[int] = (),
    placements: Sequence[Placement] = (),
    names: Sequence[str] = (),
    rng: random.Random | None = None,
    now: datetime | None = None,
) -> tuple[BreakoutRound, bool]:
    """Open a round and place students; a retry with the same client id returns it unchanged.

    ``random`` deals ``student_ids`` (the students in the room) into balanced groups;
    ``manual`` takes the teacher's ``placements`` (anyone not placed stays in the main room);
    ``course_groups`` copies the course's own groups (``group_count`` and ``names`` unused).
    """
    session = await _session_for_teacher(db, actor, session_id)
    mode = parse_enum(BreakoutMode, mode, "mode")
    await room_log.lock_room(db, session_id)
    stored = await db.scalar(
        select(BreakoutRound).where(
            BreakoutRound.session_id == session_id,
            BreakoutRound.created_by == actor.id,
            BreakoutRound.client_id == client_id,
        )
    )
    if stored is not None:
        return stored, False
    if session.status is not LiveSessionStatus.LIVE:
        raise Conflict("the class is not live", session_id=session_id)
    if not MIN_SECONDS <= duration_seconds <= MAX_SECONDS:
        raise InvalidInput(
            f"duration_seconds must be {MIN_SECONDS} to {MAX_SECONDS}", field="duration_seconds"
        )
    enrolled = await _course_students(db, session.course_id)
    if mode is BreakoutMode.COURSE_GROUPS:
        group_count, labels, chosen = await _from_course_groups(db, session.course_id, enrolled)
    else:
        if group_count is None or not MIN_GROUPS <= group_count <= MAX_GROUPS:
            raise InvalidInput(
                f"group_count must be {MIN_GROUPS} to {MAX_GROUPS}", field="group_count"
            )
        if names and len(names) != group_count:
            raise InvalidInput("give one name per group, or none", field="names")
        labels = [clean_text(n, "names", max_chars=MAX_NAME_CHARS) for n in names]
        if mode is BreakoutMode.RANDOM:
            strangers = set(student_ids) - enrolled
            if strangers:
                raise InvalidInput(
                    "only the course's students can be put in groups", user_ids=sorted(strangers)
                )
            chosen = balanced(student_ids, group_count, rng)
        else:
            chosen = list(placements)
            _check_placements(chosen, group_count, enrolled)
    if await open_round(db, session_id) is not None:
        raise Conflict("groups are already running; bring everyone back first")

    at = moment(now)
    found = BreakoutRound(
        session_id=session_id,
        created_by=actor.id,
        client_id=client_id,
        group_count=group_count,
        mode=mode,
        started_at=at,
        ends_at=at + timedelta(seconds=duration_seconds),
    )
    db.add(found)
    await db.flush()
    made = [
        BreakoutGroup(round_id=found.id, index=i, name=labels[i - 1] if labels else f"모둠 {i}")
        for i in range(1, group_count + 1)
    ]
    db.add_all(made)
    await db.flush()
    by_index = {group.index: group.id for group in made}
    db.add_all(
        BreakoutMembership(
            round_id=found.id,
            group_id=by_index[p.group_index],
            user_id=p.user_id,
            assigned_by=actor.id,
            joined_at=at,
        )
        for p in chosen
    )
    await db.flush()
    return found, True


async def _from_course_groups(
    db: AsyncSession, course_id: int, enrolled: set[int]
) -> tuple[int, list[str], list[Placement]]:
    """The course's own groups as breakout groups of the same names.

    Only students are placed; a group without students is skipped; someone in several course
    groups goes to the first of them (by name), since a person is in one breakout group.
    """
    labels: list[str] = []
    chosen: list[Placement] = []
    placed: set[int] = set()
    for entry in await course_groups.groups_of_course(db, course_id):
        members = [uid for uid in entry.member_ids if uid in enrolled and uid not in placed]
        if not members:
            continue
        if len(labels) == MAX_GROUPS:
            raise Conflict(f"a round holds at most {MAX_GROUPS} groups", field="mode")
        labels.append(entry.group.name[:MAX_NAME_CHARS])
        chosen += [Placement(uid, len(labels)) for uid in members]
        placed.update(members)
    if len(labels) < MIN_GROUPS:
        raise Conflict(
            "the course needs at least two course groups with students to split by them",
            field="mode",
        )
    return len(labels), labels, chosen


def _check_placements(chosen: Sequence[Placement], group_count: int, enrolled: set[int]) -> None:
    seen: set[int] = set()
    for placement in chosen:
        if placement.user_id in seen:
            raise InvalidInput("a student can be in one group only", user_id=placement.user_id)
        seen.add(placement.user_id)
        if placement.user_id not in enrolled:
            raise InvalidInput(
                "only the course's students can be put in groups", user_id=placement.user_id
            )
        if not 1 <= placement.group_index <= group_count:
            raise InvalidInput("no such group", group_index=placement.group_index)


# -- changing -----------------------------------------------------------------------------


async def move_member(
    db: AsyncSession,
    actor: User,
    round_id: int,
    user_id: int,
    group_id: int | None,
    now: datetime | None = None,
) -> tuple[int | None, int | None]:
    """Move a student to another group of the open round (None: back to the main room).

    The old membership is closed, not rewritten. Returns (old group, new group).
    """
    found = await get_round(db, round_id)
    session = await _session_for_teacher(db, actor, found.session_id)
    await room_log.lock_room(db, found.session_id)
    await db.refresh(found)
    if found.status is not BreakoutStatus.OPEN:
        raise Conflict("this round has closed", round_id=round_id)
    if user_id not in await _course_students(db, session.course_id):
        raise InvalidInput("only the course's students can be put in groups", user_id=user_id)
    if group_id is not None:
        group = await db.get(BreakoutGroup, group_id)
        if group is None or group.round_id != round_id:
            raise NotFound("no such group in this round", group_id=group_id)
    at = moment(now)
    current = await db.scalar(
        select(BreakoutMembership).where(
            BreakoutMembership.round_id == round_id,
            BreakoutMembership.user_id == user_id,
            BreakoutMembership.left_at.is_(None),
        )
    )
    old = current.group_id if current is not None else None
    if old == group_id:
        return old, group_id
    if current is not None:
        current.left_at = at
    if group_id is not None:
        db.add(
            BreakoutMembership(
                round_id=round_id,
                group_id=group_id,
                user_id=user_id,
                assigned_by=actor.id,
                joined_at=at,
            )
        )
    await db.flush()
    return old, group_id


async def close_round(
    db: AsyncSession,
    round_id: int,
    reason: BreakoutCloseReason,
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> tuple[BreakoutRound, bool]:
    """Close a round (everyone back to the main room); closing a closed round changes nothing.

    ``actor`` is the teacher recalling; the timer and the session's end close without one.
    """
    found = await get_round(db, round_id)
    if actor is not None:
        await _session_for_teacher(db, actor, found.session_id)
    await room_log.lock_room(db, found.session_id)
    await db.refresh(found)
    if found.status is BreakoutStatus.CLOSED:
        return found, False
    at = moment(now)
    found.status = BreakoutStatus.CLOSED
    found.closed_at = at
    found.closed_by = actor.id if actor is not None else None
    found.close_reason = reason
    await db.execute(
        update(BreakoutMembership)
        .where(BreakoutMembership.round_id == round_id, BreakoutMembership.left_at.is_(None))
        .values(left_at=at)
        .execution_options(synchronize_session=False)
    )
    await db.flush()
    return found, True


async def close_if_expired(
    db: AsyncSession, session_id: int, now: datetime | None = None
) -> BreakoutRound | None:
    """Close the session's open round if its time is up (a restarted node catching up)."""
    found = await open_round(db, session_id)
    if found is None or found.ends_at > moment(now):
        return None
    closed, changed = await close_round(db, found.id, BreakoutCloseReason.TIMER, now=now)
    return closed if changed else None


# -- group chat ---------------------------------------------------------------------------


async def _next_group_seq(db: AsyncSession, group_id: int) -> int:
    seq = await db.scalar(
        update(BreakoutGroup)
        .where(BreakoutGroup.id == group_id)
        .values(last_seq=BreakoutGroup.last_seq + 1)
        .returning(BreakoutGroup.last_seq)
        .execution_options(synchronize_session=False)
    )
    if seq is None:
        raise NotFound("no such group", group_id=group_id)
    return int(seq)


async def _stored_message(
    db: AsyncSession, group_id: int, sender_id: int, client_id: str
) -> BreakoutMessage | None:
    return await db.scalar(
        select(BreakoutMessage).where(
            BreakoutMessage.group_id == group_id,
            BreakoutMessage.sender_id == sender_id,
            BreakoutMessage.client_id == client_id,
        )
    )


async def require_group_access(
    db: AsyncSession, user: User, group: BreakoutGroup, found: BreakoutRound
) -> None:
    """Members of the group, and the class's teachers; nobody else reads or writes it."""
    if await group_of(db, found.id, user.id) == group.id:
        return
    session = await live_sessions.get_session(db, found.session_id)
    if not await permissions.may_teach(db, user, session.course_id):
        raise Forbidden("you are not in this group", group_id=group.id)


async def post_message(
    db: AsyncSession, sender: User, group_id: int, client_id: str, body: str
) -> tuple[BreakoutMessage, bool]:
    """Store a group message once; a retry returns the stored one (even after the round)."""
    group, found = await get_group(db, group_id)
    stored = await _stored_message(db, group_id, sender.id, client_id)
    if stored is not None:
        return stored, False
    text = clean_text(body, "body", max_chars=MAX_BODY_CHARS)
    await room_log.lock_room(db, found.session_id)
    await db.refresh(found)
    if found.status is not BreakoutStatus.OPEN:
        raise Conflict("this round has closed", round_id=found.id)
    await require_group_access(db, sender, group, found)
    stored = await _stored_message(db, group_id, sender.id, client_id)
    if stored is not None:
        return stored, False
    message = BreakoutMessage(
        group_id=group_id,
        seq=await _next_group_seq(db, group_id),
        sender_id=sender.id,
        client_id=client_id,
        body=text,
    )
    db.add(message)
    await db.flush()
    return message, True


def message_dict(message: BreakoutMessage, sender_name: str) -> dict[str, Any]:
    return {
        "id": message.id,
        "group_id": message.group_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "sender": {"id": message.sender_id, "display_name": sender_name},
        "body": message.body,
        "created_at": _timestamp(message.created_at),
    }


async def group_messages(
    db: AsyncSession, group_id: int, after_seq: int | None = None, limit: int = HISTORY_CAP
) -> list[dict[str, Any]]:
    """The group's chat after ``after_seq`` (oldest first), or its last ``limit`` messages."""
    limit = max(0, min(limit, HISTORY_CAP))
    query = (
        select(BreakoutMessage, User.display_name)
        .join(User, User.id == BreakoutMessage.sender_id)
        .where(BreakoutMessage.group_id == group_id)
    )
    if after_seq is not None:
        query = query.where(BreakoutMessage.seq > after_seq).order_by(BreakoutMessage.seq)
    else:
        query = query.order_by(BreakoutMessage.seq.desc())
    rows = (await db.execute(query.limit(limit))).all()
    out = [message_dict(message, name) for message, name in rows]
    return out if after_seq is not None else out[::-1]


# -- looking back (REST) ------------------------------------------------------------------


async def _was_member(db: AsyncSession, group_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(BreakoutMembership.id)
        .where(BreakoutMembership.group_id == group_id, BreakoutMembership.user_id == user_id)
        .limit(1)
    )
    return found is not None


async def session_history(db: AsyncSession, viewer: User, session_id: int) -> list[dict[str, Any]]:
    """A session's rounds for a page after (or during) the class.

    The class's teachers see every group with its whole membership history (moves included)
    and how much each group wrote; a student sees only the groups they were in.
    """
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_member(db, viewer, session.course_id)
    teacher = await permissions.may_teach(db, viewer, session.course_id)
    out = []
    for found in await list_rounds(db, session_id):
        rows = await memberships(db, found.id)
        mine = {m.group_id for m in rows if m.user_id == viewer.id}
        if not teacher and not mine:
            continue
        names = await _names(db, {m.user_id for m in rows})
        counted = await db.execute(
            select(BreakoutMessage.group_id, func.count(BreakoutMessage.id))
            .join(BreakoutGroup, BreakoutGroup.id == BreakoutMessage.group_id)
            .where(BreakoutGroup.round_id == found.id)
            .group_by(BreakoutMessage.group_id)
        )
        counts = {group_id: int(n) for group_id, n in counted.all()}
        state = await round_dict(db, found)
        state["groups"] = [
            {
                **group,
                "message_count": counts.get(group["id"], 0),
                "memberships": [
                    {
                        "user_id": m.user_id,
                        "display_name": names.get(m.user_id, ""),
                        "joined_at": _timestamp(m.joined_at),
                        "left_at": _timestamp(m.left_at),
                    }
                    for m in rows
                    if m.group_id == group["id"]
                ],
            }
            for group in state["groups"]
            if teacher or group["id"] in mine
        ]
        out.append(state)
    return out


async def _names(db: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {uid: name for uid, name in rows.all()}


async def read_messages(
    db: AsyncSession,
    viewer: User,
    group_id: int,
    after_seq: int | None = None,
    limit: int = HISTORY_CAP,
) -> list[dict[str, Any]]:
    """A group's chat for anyone who was ever in the group, and the class's teachers."""
    group, found = await get_group(db, group_id)
    session = await live_sessions.get_session(db, found.session_id)
    await permissions.require_course_member(db, viewer, session.course_id)
    if not await _was_member(db, group.id, viewer.id) and not await permissions.may_teach(
        db, viewer, session.course_id
    ):
        raise Forbidden("you were not in this group", group_id=group_id)
    return await group_messages(db, group.id, after_seq=after_seq, limit=limit)


# -- the whiteboard's group boards ---------------------------------------------------------


async def in_breakout_group(db: AsyncSession, session_id: int, group_id: int, user_id: int) -> bool:
    """Whether the person is in that group of the session's running round right now.

    The whiteboard asks this for board ``group:<group_id>``: the group's members draw on it
    while the round runs (teachers always may); once the round closes it is read-only to them.
    """
    found = await db.scalar(
        select(BreakoutMembership.id)
        .join(BreakoutRound, BreakoutRound.id == BreakoutMembership.round_id)
        .where(
            BreakoutMembership.group_id == group_id,
            BreakoutMembership.user_id == user_id,
            BreakoutMembership.left_at.is_(None),
            BreakoutRound.session_id == session_id,
            BreakoutRound.status == BreakoutStatus.OPEN,
        )
        .limit(1)
    )
    return found is not None


if in_breakout_group not in whiteboard.GROUP_MEMBERSHIP:
    whiteboard.GROUP_MEMBERSHIP.append(in_breakout_group)
