"""Room names in namespace ``/class``; the one place that spells them."""

from __future__ import annotations

NAMESPACE = "/class"


def session_room(session_id: int) -> str:
    """Everyone joined to one live session, on every node."""
    return f"session:{session_id}"


def member_room(user_id: int, session_id: int) -> str:
    """All sockets of one person in one session (tabs, nodes): removal is sent here."""
    return f"user:{user_id}:session:{session_id}"


def group_room(session_id: int, group_id: int) -> str:
    """One breakout group of a session: its members and the teachers visiting it."""
    return f"session:{session_id}:group:{group_id}"


def teachers_room(session_id: int) -> str:
    """The sockets of one session's teachers (teacher, co-teacher, admins over the course):
    what only they may see, such as a quiz's answers arriving."""
    return f"session:{session_id}:teachers"


def user_room(user_id: int) -> str:
    """Every socket of one person, joined to a class or not: deactivating the account cuts it."""
    return f"user:{user_id}"


def login_room(token_id: int) -> str:
    """Every socket opened with one login (auth token): logging out cuts exactly these."""
    return f"login:{token_id}"
