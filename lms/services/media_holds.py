"""A live class's media holds: teachers' mutes and the rules on student cameras and screens.

Rules kept here, whoever calls:
- only the class's teachers (``may_teach``) hold or lift, and only while the session is live;
- a mute holds one person's source (microphone, camera or screen) on every tab and on whatever
  they publish later, until a teacher lifts it or the session ends; the person cannot lift it;
- "mute all" holds the people named (the students in the room then); lifting all lifts every
  teacher's hold on that source;
- student cameras are allowed and student screens are not, until a teacher says otherwise;
- each change writes its moderation log row in the same transaction, so one commit makes both
  durable and the caller acknowledges after it.

Stored rather than kept in the media node's memory: a node that restarts, or a class resumed
on another node, comes back with every mute and rule in place (``server.live.media_signaling``
reads them when a class starts on a node and whenever someone publishes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.errors import Conflict, InvalidInput, NotFound
from lms.models import (
    LiveSessionStatus,
    MediaHold,
    MediaSource,
    ModerationAction,
    RoomSettings,
    User,
)
from lms.services import live_sessions, parse_enum, permissions, room_log
from lms.services.moderation import log_action

# The sources a class rule governs, and the moderation action that logs a change of it.
POLICY_ACTIONS = {
    MediaSource.CAMERA: ModerationAction.CAMERAS,
    MediaSource.SCREEN: ModerationAction.SCREENS,
}


@dataclass(frozen=True)
class MediaRules:
    """One session's holds as they stand: what the media signaling applies to producers."""

    student_cameras_allowed: bool = True
    student_screens_allowed: bool = False
    muted: frozenset[tuple[int, str]] = frozenset()  # (user id, source) a teacher holds

    def policy(self) -> dict[str, bool]:
        return {
            "student_cameras_allowed": self.student_cameras_allowed,
            "student_screens_allowed": self.student_screens_allowed,
        }

    def allows(self, student: bool, source: str) -> bool:
        """Whether the class's rules let this person publish ``source`` (teachers always may)."""
        if not student:
            return True
        if source == MediaSource.CAMERA:
            return self.student_cameras_allowed
        if source == MediaSource.SCREEN:
            return self.student_screens_allowed
        return True

    def is_muted(self, user_id: int, source: str) -> bool:
        return (user_id, source) in self.muted

    def muted_sources(self, user_id: int) -> list[str]:
        """The sources a teacher holds for this person, for their (re)joining client."""
        return sorted(source for held, source in self.muted if held == user_id)

    def holds_of(self, user_id: int) -> dict[str, Any]:
        """What applies to one person: their muted sources and the class's rules."""
        return {"muted": self.muted_sources(user_id), "policy": self.policy()}


async def media_rules(db: AsyncSession, session_id: int) -> MediaRules:
    """The session's holds as stored now."""
    return rules_from(await db.get(RoomSettings, session_id), await muted(db, session_id))


def rules_from(settings: RoomSettings | None, held: frozenset[tuple[int, str]]) -> MediaRules:
    """The rules from the session's ``room_settings`` row (None: the defaults) and its mutes."""
    if settings is None:
        return MediaRules(muted=held)
    return MediaRules(settings.student_cameras_allowed, settings.student_screens_allowed, held)


async def muted(db: AsyncSession, session_id: int) -> frozenset[tuple[int, str]]:
    """(user id, source) of every teacher's hold in the session."""
    rows = await db.execute(
        select(MediaHold.user_id, MediaHold.source).where(MediaHold.session_id == session_id)
    )
    return frozenset((user_id, MediaSource(source).value) for user_id, source in rows.tuples())


async def _moderate(db: AsyncSession, actor: User, session_id: int) -> None:
    """The actor teaches this live class; then queue behind the room's other writers."""
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    if session.status is not LiveSessionStatus.LIVE:
        raise Conflict("this session is not live", session_id=session_id)
    await room_log.lock_room(db, session_id)


async def _hold(
    db: AsyncSession, actor: User, session_id: int, user_ids: Iterable[int], source: MediaSource
) -> None:
    """Hold ``source`` of each person not held yet (under the room lock: no duplicate)."""
    wanted = set(user_ids)
    if not wanted:
        return
    held = set(
        await db.scalars(
            select(MediaHold.user_id).where(
                MediaHold.session_id == session_id,
                MediaHold.source == source,
                MediaHold.user_id.in_(wanted),
            )
        )
    )
    for user_id in sorted(wanted - held):
        db.add(MediaHold(session_id=session_id, user_id=user_id, source=source, held_by=actor.id))
    await db.flush()


async def _lift(
    db: AsyncSession, session_id: int, user_ids: Iterable[int] | None, source: MediaSource
) -> None:
    """Lift the holds on ``source`` of these people (None: of everyone)."""
    query = delete(MediaHold).where(MediaHold.session_id == session_id, MediaHold.source == source)
    if user_ids is not None:
        query = query.where(MediaHold.user_id.in_(set(user_ids)))
    await db.execute(query.execution_options(synchronize_session=False))


async def set_mute(
    db: AsyncSession, actor: User, session_id: int, user_id: int, source: str, held: bool
) -> MediaRules:
    """A teacher holds (or lifts) one person's source. Each click is logged; holding twice
    holds once, and lifting leaves what the person turned off themselves off."""
    media_source = parse_enum(MediaSource, source, "source")
    await _moderate(db, actor, session_id)
    if await db.get(User, user_id) is None:
        raise NotFound("no such user", user_id=user_id)
    if held:
        await _hold(db, actor, session_id, [user_id], media_source)
    else:
        await _lift(db, session_id, [user_id], media_source)
    action = ModerationAction.MUTE if held else ModerationAction.UNMUTE
    await log_action(db, session_id, actor.id, action, user_id, {"source": media_source.value})
    return await media_rules(db, session_id)


async def set_mute_all(
    db: AsyncSession, actor: User, session_id: int, user_ids: Iterable[int] | None, source: str
) -> MediaRules:
    """Mute all: hold one source of these people (the students in the room now), or with
    ``user_ids`` None lift every teacher's hold on that source."""
    media_source = parse_enum(MediaSource, source, "source")
    await _moderate(db, actor, session_id)
    details: dict[str, Any] = {"source": media_source.value}
    if user_ids is None:
        await _lift(db, session_id, None, media_source)
        action = ModerationAction.UNMUTE_ALL
    else:
        details["user_ids"] = people = sorted(set(user_ids))
        await _hold(db, actor, session_id, people, media_source)
        action = ModerationAction.MUTE_ALL
    await log_action(db, session_id, actor.id, action, details=details)
    return await media_rules(db, session_id)


async def allow(
    db: AsyncSession, actor: User, session_id: int, source: str, allowed: bool
) -> MediaRules:
    """Allow or forbid student cameras (``camera``) or screen sharing (``screen``)."""
    ruled = parse_enum(MediaSource, source, "source")
    if ruled not in POLICY_ACTIONS:
        raise InvalidInput("only student cameras and screens have a class rule", field="source")
    await _moderate(db, actor, session_id)
    found = await db.get(RoomSettings, session_id, populate_existing=True)
    if found is None:
        found = RoomSettings(session_id=session_id)
        db.add(found)
    if ruled is MediaSource.CAMERA:
        found.student_cameras_allowed = allowed
    else:
        found.student_screens_allowed = allowed
    found.updated_by = actor.id
    found.updated_at = utcnow()
    await log_action(db, session_id, actor.id, POLICY_ACTIONS[ruled], details={"allowed": allowed})
    await db.flush()
    return await media_rules(db, session_id)


async def end_holds(db: AsyncSession, session_id: int) -> None:
    """The session ended: its teachers' mutes end with it (the log keeps them)."""
    await db.execute(
        delete(MediaHold)
        .where(MediaHold.session_id == session_id)
        .execution_options(synchronize_session=False)
    )
