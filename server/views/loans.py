"""Equipment loans over REST (``docs/loans.md``): inventory, lend, return, overdue list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from lms.db import utcnow
from lms.models import Device
from lms.services import loans
from lms.services.loans import LoanRow
from lms.services.owners import Owner
from server.auth import require_user
from server.route import ID, Route
from server.schemas import dump
from server.schemas import loans as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work


def loan_out(row: LoanRow, now: datetime) -> dict[str, Any]:
    return dump(
        s.LoanOut,
        row.loan,
        device=dump(s.DeviceRef, row.device),
        borrower=dump(s.Person, row.borrower),
        overdue=loans.is_overdue(row.loan, now),
    )


def device_out(device: Device, current: LoanRow | None, now: datetime) -> dict[str, Any]:
    return dump(
        s.DeviceOut, device, current_loan=loan_out(current, now) if current is not None else None
    )


async def list_devices(request: web.Request) -> web.Response:
    query = read_query(request, s.DeviceQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await loans.list_devices(
            db,
            identity.user,
            Owner(query.owner_kind, query.owner_id),
            status=query.status,
            kind=query.kind,
        )
        now = utcnow()
        items = [device_out(device, current, now) for device, current in found]
    return json({"items": items})


async def add_device(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.DeviceCreate)
        device = await loans.add_device(db, identity.user, **body.model_dump())
        result = device_out(device, None, utcnow())
    return json(result, status=201)


async def update_device(request: web.Request) -> web.Response:
    device_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.DeviceUpdate)
        device = await loans.update_device(
            db, identity.user, device_id, **body.model_dump(exclude_unset=True)
        )
        owner = Owner(device.owner_kind, device.owner_id)
        open_loans = await loans.list_loans(
            db, identity.user, owner, open_only=True, device_id=device.id
        )
        result = device_out(device, open_loans[0] if open_loans else None, utcnow())
    return json(result)


async def lend(request: web.Request) -> web.Response:
    device_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.LoanCreate)
        row, created = await loans.lend(db, identity.user, device_id, **body.model_dump())
        result = loan_out(row, utcnow())
    return json(result, status=201 if created else 200)


async def return_loan(request: web.Request) -> web.Response:
    loan_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.LoanReturn)
        row = await loans.return_loan(
            db, identity.user, loan_id, condition=body.condition, notes=body.notes
        )
        result = loan_out(row, utcnow())
    return json(result)


async def list_loans(request: web.Request) -> web.Response:
    query = read_query(request, s.LoanQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        rows = await loans.list_loans(
            db,
            identity.user,
            Owner(query.owner_kind, query.owner_id),
            open_only=query.state == "open",
            overdue_only=query.state == "overdue",
            device_id=query.device_id,
        )
        now = utcnow()
        items = [loan_out(row, now) for row in rows]
    return json({"items": items})


async def my_loans(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        now = utcnow()
        items = [loan_out(row, now) for row in await loans.my_loans(db, identity.user)]
    return json({"items": items})


async def borrowers(request: web.Request) -> web.Response:
    query = read_query(request, s.OwnerScoped)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        people = await loans.borrowers(db, identity.user, Owner(query.owner_kind, query.owner_id))
        items = [dump(s.Person, person) for person in people]
    return json({"items": items})


T = "loans"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/loans/devices", list_devices,
          "An owner's inventory, each device with its open loan (manager)", T, s.DeviceList,
          query=s.DeviceQuery, errors=(403, 404)),
    Route("POST", "/api/loans/devices", add_device, "Add a device to the inventory (manager)",
          T, s.DeviceOut, s.DeviceCreate, status=201, errors=(403, 404, 409)),
    Route("PATCH", f"/api/loans/devices/{ID}", update_device,
          "Repair, retire or edit a device (manager)", T, s.DeviceOut, s.DeviceUpdate,
          errors=(403, 404, 409)),
    Route("POST", f"/api/loans/devices/{ID}/loans", lend,
          "Lend a device to a student (idempotent on client_id)", T, s.LoanOut, s.LoanCreate,
          status=201, errors=(403, 404, 409)),
    Route("POST", f"/api/loans/{ID}/return", return_loan,
          "Take a device back (a second return changes nothing)", T, s.LoanOut, s.LoanReturn,
          errors=(403, 404)),
    Route("GET", "/api/loans", list_loans, "Loan records: all, open or overdue (manager)", T,
          s.LoanList, query=s.LoanQuery, errors=(403, 404)),
    Route("GET", "/api/loans/mine", my_loans, "The caller's own loans", T, s.LoanList),
    Route("GET", "/api/loans/borrowers", borrowers, "Who may borrow (the owner's students)",
          T, s.BorrowerList, query=s.OwnerScoped, errors=(403, 404)),
)
# fmt: on
