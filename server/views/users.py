"""Creating accounts: platform admins anywhere, school admins for their own school."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import Role, School, User
from lms.services import accounts
from server.auth import require_user
from server.schemas import UserCreate, UserOut, dump
from server.views.common import read_body, unit_of_work

# Roles a school admin may hand out; raising someone to admin is a platform decision.
SCHOOL_ADMIN_GRANTS = frozenset({Role.TEACHER, Role.STUDENT})


def check_may_create(actor: User, body: UserCreate) -> None:
    if actor.role is Role.ADMIN:
        return
    if actor.role is not Role.SCHOOL_ADMIN:
        raise Forbidden("only admins create accounts")
    if body.school_id != actor.school_id:
        raise Forbidden("a school admin creates accounts for their own school only")
    if body.role not in SCHOOL_ADMIN_GRANTS:
        raise Forbidden("a school admin may create teachers and students only")


async def create_user(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, UserCreate)
        check_may_create(identity.user, body)
        if body.role is not Role.ADMIN and body.school_id is None:
            raise InvalidInput("school_id is required for this role", field="school_id")
        if body.school_id is not None and await db.get(School, body.school_id) is None:
            raise NotFound("no such school", school_id=body.school_id)
        if await db.scalar(select(User.id).where(User.login == body.login)) is not None:
            raise Conflict("this login is taken", field="login")
        user = await accounts.create_user(
            db,
            login=body.login,
            display_name=body.display_name,
            password=body.password,
            role=body.role,
            school_id=body.school_id,
        )
        result = dump(UserOut, user)
    return web.json_response(result, status=201)
