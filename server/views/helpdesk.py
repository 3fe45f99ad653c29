"""Help desk REST: tickets with their thread, and the FAQ (``docs/community.md``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.models import Ticket, User
from lms.services import helpdesk
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas import community as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work


async def people(db: AsyncSession, ids: Iterable[int]) -> dict[int, User]:
    """The users behind a page of rows, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {user.id: user for user in await db.scalars(select(User).where(User.id.in_(wanted)))}


def ticket_out(ticket: Ticket, users: dict[int, User]) -> dict[str, Any]:
    return dump(s.TicketOut, ticket, requester=users[ticket.requester_id])


async def list_tickets(request: web.Request) -> web.Response:
    query = read_query(request, s.TicketQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        page = await helpdesk.list_tickets(
            db,
            identity.user,
            status=query.status,
            category=query.category,
            mine=query.mine,
            limit=query.limit,
            offset=query.offset,
        )
        users = await people(db, (ticket.requester_id for ticket in page.items))
        items = [ticket_out(ticket, users) for ticket in page.items]
    return json({"items": items, "total": page.total})


async def open_ticket(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.TicketCreate)
        ticket, created = await helpdesk.open_ticket(
            db,
            identity.user,
            category=body.category,
            subject=body.subject,
            body=body.body,
            client_id=body.client_id,
        )
        result = ticket_out(ticket, {identity.user.id: identity.user})
    return json(result, status=201 if created else 200)


async def thread_out(db: AsyncSession, thread: helpdesk.TicketThread) -> dict[str, Any]:
    users = await people(
        db, [thread.ticket.requester_id, *(message.author_id for message in thread.messages)]
    )
    return {
        "ticket": ticket_out(thread.ticket, users),
        "messages": [
            dump(s.TicketMessageOut, message, author=users[message.author_id])
            for message in thread.messages
        ],
        "staff_view": thread.staff_view,
    }


async def get_ticket(request: web.Request) -> web.Response:
    ticket_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        result = await thread_out(db, await helpdesk.get_thread(db, identity.user, ticket_id))
    return json(result)


async def reply(request: web.Request) -> web.Response:
    ticket_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.TicketReply)
        message, created = await helpdesk.reply(
            db,
            identity.user,
            ticket_id,
            body=body.body,
            client_id=body.client_id,
            internal=body.internal,
        )
        result = dump(s.TicketMessageOut, message, author=identity.user)
    return json(result, status=201 if created else 200)


async def change_status(request: web.Request) -> web.Response:
    ticket_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.TicketStatusChange)
        ticket = await helpdesk.set_status(db, identity.user, ticket_id, body.status)
        result = ticket_out(ticket, await people(db, [ticket.requester_id]))
    return json(result)


async def assign(request: web.Request) -> web.Response:
    ticket_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.TicketAssign)
        ticket = await helpdesk.assign(db, identity.user, ticket_id, body.user_id)
        result = ticket_out(ticket, await people(db, [ticket.requester_id]))
    return json(result)


async def list_faq(request: web.Request) -> web.Response:
    query = read_query(request, s.FaqQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        entries = await helpdesk.list_faq(db, identity.user, category=query.category)
        items = [dump(s.FaqOut, entry) for entry in entries]
    return json({"items": items})


async def create_faq(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.FaqCreate)
        entry = await helpdesk.create_faq(db, identity.user, **body.model_dump())
        result = dump(s.FaqOut, entry)
    return json(result, status=201)


async def update_faq(request: web.Request) -> web.Response:
    entry_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.FaqUpdate)
        entry = await helpdesk.update_faq(
            db, identity.user, entry_id, **body.model_dump(exclude_unset=True)
        )
        result = dump(s.FaqOut, entry)
    return json(result)


async def delete_faq(request: web.Request) -> web.Response:
    entry_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await helpdesk.delete_faq(db, identity.user, entry_id)
    return json({"ok": True})


T = "helpdesk"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/helpdesk/tickets", list_tickets,
          "Tickets: staff see their queue, everyone else their own", T, s.TicketList,
          query=s.TicketQuery),
    Route("POST", "/api/helpdesk/tickets", open_ticket,
          "Ask the help desk (idempotent on client_id)", T, s.TicketOut, s.TicketCreate,
          status=201),
    Route("GET", f"/api/helpdesk/tickets/{ID}", get_ticket,
          "A ticket and its thread (internal notes for staff only)", T, s.TicketThreadOut,
          errors=(404,)),
    Route("POST", f"/api/helpdesk/tickets/{ID}/messages", reply,
          "Reply; a staff answer marks it answered, the requester's reopens it", T,
          s.TicketMessageOut, s.TicketReply, status=201, errors=(403, 404, 409)),
    Route("POST", f"/api/helpdesk/tickets/{ID}/status", change_status,
          "Close or reopen a ticket", T, s.TicketOut, s.TicketStatusChange, errors=(404,)),
    Route("POST", f"/api/helpdesk/tickets/{ID}/assignee", assign,
          "Assign a ticket to a member of staff (staff only)", T, s.TicketOut, s.TicketAssign,
          errors=(403, 404)),
    Route("GET", "/api/helpdesk/faq", list_faq,
          "Frequently asked questions (admins also see drafts)", T, s.FaqList,
          query=s.FaqQuery),
    Route("POST", "/api/helpdesk/faq", create_faq, "Add a FAQ entry (admin)", T, s.FaqOut,
          s.FaqCreate, status=201, errors=(403,)),
    Route("PATCH", f"/api/helpdesk/faq/{ID}", update_faq, "Edit a FAQ entry (admin)", T,
          s.FaqOut, s.FaqUpdate, errors=(403, 404)),
    Route("DELETE", f"/api/helpdesk/faq/{ID}", delete_faq, "Remove a FAQ entry (admin)", T,
          OkResponse, errors=(403, 404)),
)
# fmt: on
