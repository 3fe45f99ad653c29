"""The media rules of the classes on this node: teachers' mutes and the student camera and
screen rules, stored in the LMS (``lms.services.media_holds``) and kept here as last read.

A node keeps no rule of its own: a teacher's change is committed, with its moderation log row,
before it is applied or acknowledged, and a class starting on this node (after a restart, or
moved here from a draining node) reads what was stored. ``server.live.media_signaling`` reads
them again on every publish, so a producer is held by the rules as stored, not as remembered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import NotFound
from lms.models import User
from lms.services import media_holds
from lms.services.media_holds import MediaRules

if TYPE_CHECKING:
    from server.live.namespace import ClassNamespace, Connection

# A change of the stored rules: (database session, the teacher, the session id) -> rules now.
RulesChange = Callable[[AsyncSession, User, int], Awaitable[MediaRules]]


class ClassMediaRules:
    """Each live session's media rules on this node, read from and changed through the LMS."""

    def __init__(self, namespace: ClassNamespace) -> None:
        self.namespace = namespace
        self.known: dict[int, MediaRules] = {}  # session id -> the rules as last read

    async def read(self, session_id: int) -> MediaRules:
        """Read the session's rules as stored now (on publish: nothing remembered is trusted)."""
        async with self.namespace.unit_of_work() as db:
            rules = self.known[session_id] = await media_holds.media_rules(db, session_id)
        return rules

    async def current(self, session_id: int) -> MediaRules:
        """The rules as last read; read once when the class starts on this node."""
        rules = self.known.get(session_id)
        return rules if rules is not None else await self.read(session_id)

    async def change(self, connection: Connection, change: RulesChange) -> tuple[int, MediaRules]:
        """Commit a teacher's change (logged in the same transaction); the session and its
        rules now. Only then is it applied to producers and acknowledged."""
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await db.get(User, connection.user_id)
            if actor is None:
                raise NotFound("no such user", user_id=connection.user_id)
            rules = self.known[session_id] = await change(db, actor, session_id)
        return session_id, rules

    def forget(self, session_id: int) -> None:
        """The class left this node: read the rules again if it comes back."""
        self.known.pop(session_id, None)

    async def session_ended(self, session_id: int) -> None:
        """The session's mutes end with it (the moderation log keeps them)."""
        self.forget(session_id)
        async with self.namespace.unit_of_work() as db:
            await media_holds.end_holds(db, session_id)
