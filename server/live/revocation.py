"""A revoked login leaves the live class at once, on every node.

Logging out revokes one login (auth token); deactivating an account revokes all of its logins.
Either way its open sockets must stop receiving the class now, not at their next event or
reconnect. Every socket enters ``user_room`` and ``login_room`` when it connects; the node that
revoked (the one the REST call landed on) asks the fan-out to disconnect that room wherever its
sockets are, and the node holding each socket first tells the client why (``revoked``) and sets
how its attendance closes. Its departure then runs as any other: presence, media, tools.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from lms.models import LeaveReason
from server.live.fanout import Fanout
from server.live.rooms import NAMESPACE, login_room, user_room

if TYPE_CHECKING:
    from server.live.namespace import ClassNamespace


class Revocation(StrEnum):
    """Why a login stopped working; the ``reason`` of the ``revoked`` event."""

    LOGGED_OUT = "logged_out"
    ACCOUNT_DEACTIVATED = "account_deactivated"


# Logging out is leaving on purpose; a deactivated account was taken out of the class.
LEAVE_REASONS: dict[Revocation, LeaveReason] = {
    Revocation.LOGGED_OUT: LeaveReason.LEFT,
    Revocation.ACCOUNT_DEACTIVATED: LeaveReason.REMOVED,
}


class Revocations:
    """Cuts the sockets of revoked logins; the one place that knows how."""

    def __init__(self, namespace: ClassNamespace, fanout: Fanout) -> None:
        self.namespace = namespace
        self.fanout = fanout
        fanout.manager.before_disconnect = self.before_disconnect

    async def account_deactivated(self, user_id: int) -> None:
        await self.cut(user_room(user_id), Revocation.ACCOUNT_DEACTIVATED)

    async def login_revoked(self, token_id: int) -> None:
        await self.cut(login_room(token_id), Revocation.LOGGED_OUT)

    async def cut(self, room: str, revocation: Revocation) -> None:
        await self.fanout.disconnect_room(room, NAMESPACE, revocation.value)

    async def before_disconnect(self, sid: str, reason: str) -> None:
        """On the node holding the socket: tell the client why, then let it go as revoked."""
        connection = self.namespace.connections.get(sid)
        if connection is None:
            return
        try:
            revocation = Revocation(reason)
        except ValueError:
            revocation = Revocation.LOGGED_OUT
        connection.drop_reason = LEAVE_REASONS[revocation]
        await self.namespace.emit(
            "revoked", {"reason": revocation.value}, to=sid, ignore_queue=True
        )
