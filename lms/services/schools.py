"""Schools: created by platform admins; everyone else sees only their own."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, InvalidInput
from lms.models import Role, School, SchoolKind, User
from lms.services import clean_text, parse_enum

# Codes appear in URLs and exports (e.g. NEIS school codes), so they stay plain ASCII.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


async def create_school(db: AsyncSession, *, code: str, name: str, kind: SchoolKind) -> School:
    """A new school. Only platform admins call this; the server checks that."""
    code = clean_text(code, "school code", max_chars=32)
    if not _CODE.fullmatch(code):
        raise InvalidInput("school code may use only letters, digits, '-' and '_'", field="code")
    name = clean_text(name, "school name", max_chars=200)
    kind = parse_enum(SchoolKind, kind, "kind")
    if await db.scalar(select(School.id).where(School.code == code)) is not None:
        raise Conflict("school code already exists", code=code)
    school = School(code=code, name=name, kind=kind)
    db.add(school)
    await db.flush()
    return school


async def list_schools(db: AsyncSession, viewer: User) -> list[School]:
    """Admins see every school; everyone else only the one they belong to."""
    query = select(School).order_by(School.name, School.id)
    if viewer.role is not Role.ADMIN:
        if viewer.school_id is None:
            return []
        query = query.where(School.id == viewer.school_id)
    return list(await db.scalars(query))
