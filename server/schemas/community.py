"""REST shapes of the help desk and the project community (``docs/community.md``)."""

from __future__ import annotations

from pydantic import Field

from lms.models import OfferStatus, ProjectRole, ProjectStatus, TicketCategory, TicketStatus
from server.schemas import Body, Out, Query, UTCDatetime

ClientId = Field(min_length=1, max_length=64)


class Person(Out):
    id: int
    display_name: str


# -- help desk --------------------------------------------------------------------------------


class TicketCreate(Body):
    category: TicketCategory
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    client_id: str = ClientId


class TicketReply(Body):
    body: str = Field(min_length=1, max_length=5000)
    client_id: str = ClientId
    internal: bool = False


class TicketStatusChange(Body):
    status: TicketStatus


class TicketAssign(Body):
    user_id: int | None = Field(None, gt=0)


class TicketQuery(Query):
    status: TicketStatus | None = None
    category: TicketCategory | None = None
    mine: bool = False
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class TicketOut(Out):
    id: int
    requester: Person
    school_id: int | None
    category: TicketCategory
    subject: str
    status: TicketStatus
    assignee_id: int | None
    created_at: UTCDatetime
    updated_at: UTCDatetime
    closed_at: UTCDatetime | None


class TicketList(Out):
    items: list[TicketOut]
    total: int


class TicketMessageOut(Out):
    id: int
    author: Person
    body: str
    internal: bool
    created_at: UTCDatetime


class TicketThreadOut(Out):
    ticket: TicketOut
    messages: list[TicketMessageOut]
    staff_view: bool


class FaqCreate(Body):
    category: TicketCategory
    question: str = Field(min_length=1, max_length=300)
    answer: str = Field(min_length=1, max_length=10000)
    position: int = Field(0, ge=0, le=10000)
    published: bool = True


class FaqUpdate(Body):
    category: TicketCategory | None = None
    question: str | None = Field(None, min_length=1, max_length=300)
    answer: str | None = Field(None, min_length=1, max_length=10000)
    position: int | None = Field(None, ge=0, le=10000)
    published: bool | None = None


class FaqQuery(Query):
    category: TicketCategory | None = None


class FaqOut(Out):
    id: int
    category: TicketCategory
    question: str
    answer: str
    position: int
    published: bool
    updated_at: UTCDatetime


class FaqList(Out):
    items: list[FaqOut]


# -- project community ------------------------------------------------------------------------


class ProjectCreate(Body):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=5000)
    subject: str = Field(min_length=1, max_length=100)
    client_id: str = ClientId


class ProjectQuery(Query):
    status: ProjectStatus | None = None
    subject: str | None = Field(None, max_length=100)
    mine: bool = False
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class ProjectStatusChange(Body):
    status: ProjectStatus


class ProjectOut(Out):
    id: int
    title: str
    summary: str
    subject: str
    school_id: int | None
    proposer_id: int
    status: ProjectStatus
    members: int
    my_role: ProjectRole | None
    created_at: UTCDatetime
    updated_at: UTCDatetime


class ProjectList(Out):
    items: list[ProjectOut]
    total: int


class MemberAdd(Body):
    user_id: int = Field(gt=0)


class MemberOut(Out):
    user: Person
    role: ProjectRole
    joined_at: UTCDatetime


class MemberList(Out):
    items: list[MemberOut]


class MentorProfileSave(Body):
    subjects: list[str] = Field(min_length=1, max_length=10)
    bio: str = Field("", max_length=2000)
    accepting: bool = True
    max_projects: int = Field(3, ge=1, le=50)


class MentorOut(Out):
    user: Person
    subjects: list[str]
    bio: str
    accepting: bool
    max_projects: int
    load: int | None = None


class MentorList(Out):
    items: list[MentorOut]


class OfferCreate(Body):
    message: str = Field("", max_length=2000)


class OfferDecision(Body):
    accept: bool


class OfferOut(Out):
    id: int
    project_id: int
    mentor: Person
    message: str
    status: OfferStatus
    created_at: UTCDatetime
    decided_at: UTCDatetime | None


class OfferList(Out):
    items: list[OfferOut]


class MatchCreate(Body):
    mentor_id: int = Field(gt=0)


class PostCreate(Body):
    body: str = Field(min_length=1, max_length=5000)
    client_id: str = ClientId


class PostQuery(Query):
    limit: int = Field(50, ge=1, le=100)
    before_id: int | None = Field(None, gt=0)


class PostOut(Out):
    id: int
    author: Person
    body: str
    created_at: UTCDatetime


class PostList(Out):
    items: list[PostOut]
