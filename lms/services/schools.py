"""Schools: created by platform admins; everyone else sees only their own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, InvalidInput
from lms.models import Role, School, SchoolKind, User


async def create_school(db: AsyncSession, *, code: str, name: str, kind: SchoolKind) -> School:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("school code and name must not be empty")
    if await db.scalar(select(School.id).where(School.code == code)) is not None:
        raise Conflict("school code already exists", code=code)
    school = School(code=code, name=name, kind=SchoolKind(kind))
    db.add(school)
    await db.flush()
    return school


async def list_schools(db: AsyncSession, viewer: User) -> list[School]:
    query = select(School).order_by(School.name, School.id)
    if viewer.role is not Role.ADMIN:
        query = query.where(School.id == viewer.school_id)
    return list(await db.scalars(query))
