"""Response models of breakout rounds and group chat over REST (``docs/breakouts.md``)."""

from __future__ import annotations

from pydantic import Field

from server.schemas import Out, Query


class BreakoutMemberOut(Out):
    user_id: int
    display_name: str


class BreakoutMembershipOut(BreakoutMemberOut):
    joined_at: str
    left_at: str | None  # moved out or the round closed; null while still in the group


class BreakoutGroupOut(Out):
    id: int
    index: int
    name: str
    members: list[BreakoutMemberOut]  # in the group now (empty once the round closed)
    message_count: int
    memberships: list[BreakoutMembershipOut]


class BreakoutRoundOut(Out):
    id: int
    session_id: int
    mode: str
    group_count: int
    status: str
    started_at: str
    ends_at: str
    closed_at: str | None
    close_reason: str | None
    groups: list[BreakoutGroupOut]


class BreakoutRoundList(Out):
    items: list[BreakoutRoundOut]


class BreakoutSenderOut(Out):
    id: int
    display_name: str


class BreakoutMessageOut(Out):
    id: int
    group_id: int
    seq: int
    client_id: str
    sender: BreakoutSenderOut
    body: str
    created_at: str


class BreakoutMessageList(Out):
    items: list[BreakoutMessageOut]


class BreakoutMessagesQuery(Query):
    after_seq: int | None = Field(None, ge=0)
    limit: int = Field(200, ge=1, le=200)
