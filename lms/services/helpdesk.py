"""Help desk: anyone asks, staff answer, the FAQ answers what is asked often.

Staff are platform admins (every ticket) and school admins (tickets of their school's users).
A requester sees their own tickets and never staff's internal notes. Status follows the
conversation: a staff answer makes a ticket ``answered``, the requester's reply makes it
``open`` again (reopening a closed one), so the staff queue is always "open" tickets.
Opening a ticket and posting a message are idempotent on the client's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import FaqEntry, Role, Ticket, TicketCategory, TicketMessage, TicketStatus, User
from lms.services import clean_text, moment

SUBJECT_MAX = 200
BODY_MAX = 5000
FAQ_QUESTION_MAX = 300
FAQ_ANSWER_MAX = 10000
PAGE_MAX = 100


@dataclass(frozen=True, slots=True)
class TicketPage:
    items: list[Ticket]
    total: int


@dataclass(frozen=True, slots=True)
class TicketThread:
    ticket: Ticket
    messages: list[TicketMessage]
    staff_view: bool


def is_staff(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.SCHOOL_ADMIN)


def staffs_ticket(user: User, ticket: Ticket) -> bool:
    """Whether ``user`` answers this ticket: admins all, a school admin their school's."""
    if not is_staff(user):
        return False
    return user.role is Role.ADMIN or (
        ticket.school_id is not None and ticket.school_id == user.school_id
    )


def _client_id(value: str) -> str:
    return clean_text(value, "client_id", max_chars=64)


async def open_ticket(
    db: AsyncSession,
    requester: User,
    *,
    category: TicketCategory,
    subject: str,
    body: str,
    client_id: str,
    now: datetime | None = None,
) -> tuple[Ticket, bool]:
    """Open a ticket with its first message; a retried ``client_id`` returns the stored one."""
    client_id = _client_id(client_id)
    existing = await db.scalar(
        select(Ticket).where(Ticket.requester_id == requester.id, Ticket.client_id == client_id)
    )
    if existing is not None:
        return existing, False
    at = moment(now)
    ticket = Ticket(
        requester_id=requester.id,
        school_id=requester.school_id,
        category=category,
        subject=clean_text(subject, "subject", max_chars=SUBJECT_MAX),
        status=TicketStatus.OPEN,
        client_id=client_id,
        created_at=at,
        updated_at=at,
    )
    db.add(ticket)
    await db.flush()
    db.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_id=requester.id,
            body=clean_text(body, "body", max_chars=BODY_MAX),
            client_id=client_id,
            created_at=at,
        )
    )
    await db.flush()
    return ticket, True


async def list_tickets(
    db: AsyncSession,
    viewer: User,
    *,
    status: TicketStatus | None = None,
    category: TicketCategory | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> TicketPage:
    """Staff see their queue (newest activity first); everyone else their own tickets."""
    if not 1 <= limit <= PAGE_MAX or offset < 0:
        raise InvalidInput(f"limit must be 1 to {PAGE_MAX} and offset at least 0")
    query = select(Ticket)
    if mine or not is_staff(viewer):
        query = query.where(Ticket.requester_id == viewer.id)
    elif viewer.role is Role.SCHOOL_ADMIN:
        query = query.where(Ticket.school_id == viewer.school_id)
    if status is not None:
        query = query.where(Ticket.status == status)
    if category is not None:
        query = query.where(Ticket.category == category)
    total = await db.scalar(select(func.count()).select_from(query.subquery()))
    rows = await db.scalars(
        query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit).offset(offset)
    )
    return TicketPage(list(rows), int(total or 0))


async def _visible_ticket(db: AsyncSession, viewer: User, ticket_id: int) -> tuple[Ticket, bool]:
    """The ticket and whether the viewer is staff for it; someone else's ticket is not found."""
    ticket = await db.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket", ticket_id=ticket_id)
    staff = staffs_ticket(viewer, ticket)
    if not staff and ticket.requester_id != viewer.id:
        # 404, not 403: whether a ticket number exists is not the asker's business.
        raise NotFound("no such ticket", ticket_id=ticket_id)
    return ticket, staff


async def get_thread(db: AsyncSession, viewer: User, ticket_id: int) -> TicketThread:
    ticket, staff = await _visible_ticket(db, viewer, ticket_id)
    query = select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
    if not staff:
        query = query.where(TicketMessage.internal.is_(False))
    messages = await db.scalars(query.order_by(TicketMessage.created_at, TicketMessage.id))
    return TicketThread(ticket, list(messages), staff)


async def reply(
    db: AsyncSession,
    author: User,
    ticket_id: int,
    *,
    body: str,
    client_id: str,
    internal: bool = False,
    now: datetime | None = None,
) -> tuple[TicketMessage, bool]:
    """Add a message and move the status with the conversation."""
    client_id = _client_id(client_id)
    ticket, staff = await _visible_ticket(db, author, ticket_id)
    existing = await db.scalar(
        select(TicketMessage).where(
            TicketMessage.ticket_id == ticket.id,
            TicketMessage.author_id == author.id,
            TicketMessage.client_id == client_id,
        )
    )
    if existing is not None:
        return existing, False
    is_requester = ticket.requester_id == author.id
    if internal and not staff:
        raise Forbidden("only staff write internal notes")
    if ticket.status is TicketStatus.CLOSED and not is_requester and not internal:
        raise Conflict("this ticket is closed; the requester can reopen it", ticket_id=ticket.id)
    at = moment(now)
    message = TicketMessage(
        ticket_id=ticket.id,
        author_id=author.id,
        body=clean_text(body, "body", max_chars=BODY_MAX),
        internal=internal,
        client_id=client_id,
        created_at=at,
    )
    db.add(message)
    if not internal:
        if is_requester:
            ticket.status = TicketStatus.OPEN
            ticket.closed_at = None
        else:
            ticket.status = TicketStatus.ANSWERED
        ticket.updated_at = at
    await db.flush()
    return message, True


async def set_status(
    db: AsyncSession,
    actor: User,
    ticket_id: int,
    status: TicketStatus,
    *,
    now: datetime | None = None,
) -> Ticket:
    """Close or reopen. The requester and staff may do both; ``answered`` follows a reply only."""
    ticket, _ = await _visible_ticket(db, actor, ticket_id)
    if status is TicketStatus.ANSWERED:
        raise InvalidInput("a ticket becomes answered when staff reply", field="status")
    if ticket.status is status:
        return ticket
    at = moment(now)
    ticket.status = status
    ticket.closed_at = at if status is TicketStatus.CLOSED else None
    ticket.updated_at = at
    await db.flush()
    return ticket


async def assign(db: AsyncSession, actor: User, ticket_id: int, assignee_id: int | None) -> Ticket:
    """Hand a ticket to one member of staff who can see it (or to nobody)."""
    ticket, staff = await _visible_ticket(db, actor, ticket_id)
    if not staff:
        raise Forbidden("only staff assign tickets")
    if assignee_id is not None:
        assignee = await db.get(User, assignee_id)
        if assignee is None:
            raise NotFound("no such user", user_id=assignee_id)
        if not staffs_ticket(assignee, ticket):
            raise InvalidInput("the assignee must be staff for this ticket", field="user_id")
    ticket.assignee_id = assignee_id
    await db.flush()
    return ticket


# -- FAQ ------------------------------------------------------------------------------------


def _require_faq_editor(actor: User) -> None:
    if not (actor.is_active and actor.role is Role.ADMIN):
        raise Forbidden("only platform admins edit the FAQ")


async def list_faq(
    db: AsyncSession, viewer: User, *, category: TicketCategory | None = None
) -> list[FaqEntry]:
    """Published entries for everyone; admins also see drafts."""
    query = select(FaqEntry)
    if not (viewer.role is Role.ADMIN and viewer.is_active):
        query = query.where(FaqEntry.published.is_(True))
    if category is not None:
        query = query.where(FaqEntry.category == category)
    return list(await db.scalars(query.order_by(FaqEntry.position, FaqEntry.id)))


async def create_faq(
    db: AsyncSession,
    actor: User,
    *,
    category: TicketCategory,
    question: str,
    answer: str,
    position: int = 0,
    published: bool = True,
    now: datetime | None = None,
) -> FaqEntry:
    _require_faq_editor(actor)
    entry = FaqEntry(
        category=category,
        question=clean_text(question, "question", max_chars=FAQ_QUESTION_MAX),
        answer=clean_text(answer, "answer", max_chars=FAQ_ANSWER_MAX),
        position=position,
        published=published,
        updated_by=actor.id,
        updated_at=moment(now),
    )
    db.add(entry)
    await db.flush()
    return entry


async def update_faq(
    db: AsyncSession,
    actor: User,
    entry_id: int,
    *,
    category: TicketCategory | None = None,
    question: str | None = None,
    answer: str | None = None,
    position: int | None = None,
    published: bool | None = None,
    now: datetime | None = None,
) -> FaqEntry:
    _require_faq_editor(actor)
    entry = await db.get(FaqEntry, entry_id)
    if entry is None:
        raise NotFound("no such FAQ entry", faq_id=entry_id)
    if category is not None:
        entry.category = category
    if question is not None:
        entry.question = clean_text(question, "question", max_chars=FAQ_QUESTION_MAX)
    if answer is not None:
        entry.answer = clean_text(answer, "answer", max_chars=FAQ_ANSWER_MAX)
    if position is not None:
        entry.position = position
    if published is not None:
        entry.published = published
    entry.updated_by = actor.id
    entry.updated_at = moment(now)
    await db.flush()
    return entry


async def delete_faq(db: AsyncSession, actor: User, entry_id: int) -> None:
    _require_faq_editor(actor)
    entry = await db.get(FaqEntry, entry_id)
    if entry is None:
        raise NotFound("no such FAQ entry", faq_id=entry_id)
    await db.delete(entry)
    await db.flush()
