"""Response models of the moderation log over REST (``docs/moderation.md``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from server.schemas import Out, Query


class PersonOut(Out):
    id: int
    display_name: str


class ModerationLogEntryOut(Out):
    id: int
    session_id: int
    action: str  # settings, admit, deny, readmit, remove, mute, unmute, mute_all, ...
    actor: PersonOut
    target: PersonOut | None
    details: dict[str, Any]
    created_at: str


class ModerationLogList(Out):
    items: list[ModerationLogEntryOut]


class ModerationLogQuery(Query):
    after_id: int | None = Field(None, ge=0)
    limit: int = Field(500, ge=1, le=500)
