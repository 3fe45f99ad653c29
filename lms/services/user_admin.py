"""Managing people: the admin's user list, deactivation and reactivation.

A platform admin manages everyone; a school admin the teachers and students of their own
school. Deactivating never deletes: enrolments, attendance, grades and messages stay, the
account just stops working (every login token is revoked at once, logins and joins refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import AuthToken, Role, User

MAX_PAGE = 100
# Roles a school admin manages; other school admins and platform admins are the district's.
SCHOOL_ADMIN_MANAGES = frozenset({Role.TEACHER, Role.STUDENT})


@dataclass
class UserPage:
    items: list[User]
    total: int


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def require_user_manager(actor: User) -> None:
    if not actor.is_active or actor.role not in (Role.ADMIN, Role.SCHOOL_ADMIN):
        raise Forbidden("only admins manage accounts")


async def list_users(
    db: AsyncSession,
    actor: User,
    *,
    q: str | None = None,
    role: Role | None = None,
    school_id: int | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> UserPage:
    """A page of users by name; a school admin's list is always their own school's."""
    require_user_manager(actor)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit must be 1 to {MAX_PAGE} and offset at least 0")
    conditions = []
    if actor.role is Role.SCHOOL_ADMIN:
        if school_id is not None and school_id != actor.school_id:
            raise Forbidden("a school admin sees their own school only", school_id=school_id)
        school_id = actor.school_id
    if school_id is not None:
        conditions.append(User.school_id == school_id)
    if role is not None:
        conditions.append(User.role == role)
    if active is not None:
        conditions.append(User.is_active.is_(active))
    if q:
        pattern = like_pattern(q.strip())
        conditions.append(
            or_(
                func.lower(User.login).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    total = await db.scalar(select(func.count(User.id)).where(*conditions)) or 0
    items = list(
        await db.scalars(
            select(User)
            .where(*conditions)
            .order_by(User.display_name, User.id)
            .limit(limit)
            .offset(offset)
        )
    )
    return UserPage(items, total)


async def _managed_user(db: AsyncSession, actor: User, user_id: int) -> User:
    require_user_manager(actor)
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("no such user", user_id=user_id)
    if actor.role is Role.SCHOOL_ADMIN and (
        user.school_id != actor.school_id or user.role not in SCHOOL_ADMIN_MANAGES
    ):
        raise Forbidden("a school admin manages their own school's teachers and students")
    if user.id == actor.id:
        raise Conflict("you cannot change your own account's status")
    return user


async def get_managed_user(db: AsyncSession, actor: User, user_id: int) -> User:
    """One user, for an admin allowed to manage them."""
    require_user_manager(actor)
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("no such user", user_id=user_id)
    if actor.role is Role.SCHOOL_ADMIN and user.school_id != actor.school_id:
        raise Forbidden("a school admin sees their own school only")
    return user


async def deactivate_user(db: AsyncSession, actor: User, user_id: int) -> User:
    """Stop an account working now (every token revoked); all its records are kept."""
    user = await _managed_user(db, actor, user_id)
    user.is_active = False
    await db.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await db.flush()
    return user


async def reactivate_user(db: AsyncSession, actor: User, user_id: int) -> User:
    """Let a deactivated account log in again; it finds its courses and records as they were."""
    user = await _managed_user(db, actor, user_id)
    user.is_active = True
    await db.flush()
    return user
