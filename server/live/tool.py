"""``LiveTool``: the base of each live-class tool (quizzes, group rooms, documents, whiteboard…).

The namespace owns connections, rooms, presence and dispatch; a tool owns one feature's events
and state. A tool declares its events as ``event name -> (method name, payload model)``, like
``ClassNamespace.EVENTS``; the namespace validates, authenticates and rate-limits them in its one
``dispatch`` and calls the tool's method with ``(connection, payload)``. The hooks let a tool
take part in joining (refuse, or add its state to the join ack), leaving and the session's end
without the namespace knowing what the tool does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from lms.models import LeaveReason, LiveSession
from server.live import payloads as p

if TYPE_CHECKING:
    from server.live.namespace import ClassNamespace, Connection

Ack = dict[str, Any]


class LiveTool:
    """One feature of the live class. Subclasses set ``name`` and ``events``."""

    name: ClassVar[str]
    events: ClassVar[Mapping[str, tuple[str, type[p.Payload]]]] = {}

    def __init__(self, namespace: ClassNamespace) -> None:
        self.namespace = namespace

    async def check_join(
        self, db: AsyncSession, connection: Connection, session: LiveSession, may_moderate: bool
    ) -> None:
        """Raise a ``DomainError`` to refuse this join (a locked room, a waiting room)."""

    async def check_event(self, connection: Connection, event: str, payload: p.Payload) -> None:
        """Raise a ``DomainError`` to refuse any event of a joined socket (chat forbidden)."""

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        """What a (re)joining client needs to show this tool: the join ack's ``tools[name]``."""
        return None

    async def departed(self, connection: Connection, session_id: int, reason: LeaveReason) -> None:
        """A socket left the room (on purpose, by a drop, removal or node shutdown)."""

    async def closed_outside(self, connection: Connection) -> None:
        """A socket that was in no room closed (one held in the waiting room, say)."""

    async def session_ended(self, session_id: int) -> None:
        """The session ended: release what this node holds for it."""
