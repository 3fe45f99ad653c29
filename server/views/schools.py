"""Schools: the unit a school admin is scoped to. Only platform admins create them."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from lms.errors import Conflict, Forbidden
from lms.models import Role, School
from lms.services import schools
from server.auth import require_user
from server.schemas import SchoolCreate, SchoolOut, dump
from server.views.common import read_body, unit_of_work


async def list_schools(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await schools.list_schools(db, identity.user)
        items = [dump(SchoolOut, school) for school in found]
    return web.json_response({"items": items})


async def create_school(request: web.Request) -> web.Response:
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        if identity.user.role is not Role.ADMIN:
            raise Forbidden("only a platform admin may create schools")
        body = await read_body(request, SchoolCreate)
        if await db.scalar(select(School.id).where(School.code == body.code)) is not None:
            raise Conflict("a school with this code exists", field="code")
        school = await schools.create_school(db, code=body.code, name=body.name, kind=body.kind)
        result = dump(SchoolOut, school)
    return web.json_response(result, status=201)
