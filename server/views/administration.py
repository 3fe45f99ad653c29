"""Administration REST: the user list, CSV import of accounts, deactivation and reactivation
(``docs/administration.md``)."""

from __future__ import annotations

import base64
import binascii
import logging

from aiohttp import web

from lms.errors import InvalidInput
from lms.services import user_admin, user_import
from server import keys
from server.auth import require_user
from server.route import ID, Route
from server.schemas import administration as s
from server.schemas import dump
from server.views.common import json, path_id, read_body, read_query, unit_of_work

log = logging.getLogger(__name__)


def decode_csv(text: str) -> bytes:
    """The uploaded file's bytes; decoding the text is the service's job (it reports UTF-8)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("csv_base64 is not base64", field="csv_base64") from None


async def list_users(request: web.Request) -> web.Response:
    query = read_query(request, s.UserQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        page = await user_admin.list_users(
            db,
            identity.user,
            q=query.q,
            role=query.role,
            school_id=query.school_id,
            active=query.active,
            limit=query.limit,
            offset=query.offset,
        )
        items = [dump(s.AdminUserOut, user) for user in page.items]
    return json({"items": items, "total": page.total})


async def get_user(request: web.Request) -> web.Response:
    user_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        user = await user_admin.get_managed_user(db, identity.user, user_id)
        result = dump(s.AdminUserOut, user)
    return json(result)


async def import_users(request: web.Request) -> web.Response:
    """Check (read-only), hash outside any transaction, then insert everything in one."""
    body = await read_body(request, s.UserImportRequest)
    data = decode_csv(body.csv_base64)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        plan = await user_import.check_import(db, identity.user, data)
    if not plan.ok:
        raise InvalidInput(
            f"{len({error.line for error in plan.errors})} of {plan.total_rows} rows have "
            "errors; nothing was imported",
            reason="bad_rows",
            total_rows=plan.total_rows,
            errors=[error.to_dict() for error in plan.errors],
        )
    if body.dry_run:
        users = [dump(s.ImportedUser, row, id=None, one_time_password=None) for row in plan.rows]
        return json({"status": "checked", "total_rows": plan.total_rows, "users": users})
    await user_import.hash_passwords(plan)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        created = await user_import.apply_import(db, identity.user, plan)
        users = [
            dump(
                s.ImportedUser,
                row,
                id=user.id,
                one_time_password=row.password if row.generated else None,
            )
            for row, user in zip(plan.rows, created, strict=True)
        ]
    return json({"status": "imported", "total_rows": plan.total_rows, "users": users}, 201)


async def deactivate_user(request: web.Request) -> web.Response:
    """Deactivate, then (after the commit) cut the person's live-class sockets on every node."""
    user_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        user = await user_admin.deactivate_user(db, identity.user, user_id)
        result = dump(s.AdminUserOut, user)
    try:
        await request.app[keys.LIVE].account_deactivated(user_id)
    except Exception:  # deactivated in the database: its sockets are refused at their next join
        log.exception("could not cut the live sockets of user %s", user_id)
    return json(result)


async def reactivate_user(request: web.Request) -> web.Response:
    user_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        user = await user_admin.reactivate_user(db, identity.user, user_id)
        result = dump(s.AdminUserOut, user)
    return json(result)


T = "administration"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/admin/users", list_users,
          "Users by name, filtered and paged (a school admin: their school only)", T,
          s.AdminUserList, query=s.UserQuery),
    Route("GET", f"/api/admin/users/{ID}", get_user, "One user (admins)", T, s.AdminUserOut,
          errors=(404,)),
    Route("POST", "/api/admin/users/import", import_users,
          "Create accounts from a CSV file, all or nothing; 400 lists every bad row", T,
          s.UserImportResult, s.UserImportRequest, status=201),
    Route("POST", f"/api/admin/users/{ID}/deactivate", deactivate_user,
          "Deactivate an account: tokens revoked, records kept", T, s.AdminUserOut,
          errors=(404, 409)),
    Route("POST", f"/api/admin/users/{ID}/reactivate", reactivate_user,
          "Let a deactivated account log in again", T, s.AdminUserOut, errors=(404, 409)),
)
# fmt: on
