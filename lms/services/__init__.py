"""Domain services: every rule of the LMS lives here, behind typed async functions.

Each function takes the caller's ``AsyncSession`` and only flushes; the caller owns the
transaction, so one REST request or socket event is one unit of work.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from lms.db import utcnow
from lms.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)


def clean_text(value: str, field: str, *, max_chars: int, min_chars: int = 1) -> str:
    """Stripped text within its column's length, so the database never sees an overlong value."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    value = value.strip()
    if not min_chars <= len(value) <= max_chars:
        if min_chars == 0:
            message = f"{field} must be at most {max_chars} characters"
        else:
            message = f"{field} must be {min_chars} to {max_chars} characters"
        raise InvalidInput(message, field=field)
    return value


def parse_enum(enum_cls: type[E], value: str, field: str) -> E:
    """A closed set of words from the client; anything else is the client's mistake (400)."""
    try:
        return enum_cls(value)
    except ValueError:
        allowed = [member.value for member in enum_cls]
        raise InvalidInput(f"{field} must be one of {allowed}", field=field) from None


def aware(value: datetime, field: str) -> datetime:
    """Times are stored in UTC; a naive one is ambiguous, so it is refused rather than guessed."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must be a timestamp with a time zone", field=field)
    return value


def moment(now: datetime | None) -> datetime:
    """The time an action happens: the caller's (tests, replays) when given, else the clock."""
    return aware(now, "now") if now is not None else utcnow()
