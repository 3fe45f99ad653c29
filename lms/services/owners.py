"""Owner scopes: who manages a school or a hospital programme, and who belongs to it.

Surveys and loans are shared platform modules; each row names its owner as
``(owner_kind, owner_id)``. This module is the only place that turns an owner into people:

- ``school``: managed by platform admins and the school's school admins; its students are the
  active student accounts of the school, its instructors the active teacher accounts.
- ``programme`` (the hospital classroom): managed by platform admins and the programme's
  programme admins; its students are the students currently admitted, its instructors the
  programme's instructors (their ``ProgrammeStaff`` rows). As in the rest of the hospital
  classroom, a platform or school admin without a role in the programme does not manage it.

A new kind of owner adds one ``Scope`` to ``SCOPES``; the features need no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Protocol

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, NotFound
from lms.models import (
    Admission,
    HospitalProgramme,
    OwnerKind,
    ProgrammeRole,
    ProgrammeStaff,
    Role,
    School,
    User,
)

SEOUL = timezone(timedelta(hours=9), "KST")


class Membership(StrEnum):
    """How a person with an account belongs to an owner."""

    STUDENT = "student"
    INSTRUCTOR = "instructor"


@dataclass(frozen=True, slots=True)
class Owner:
    kind: OwnerKind
    id: int


class Scope(Protocol):
    async def name(self, db: AsyncSession, owner_id: int) -> str | None:
        """The owner's display name, or ``None`` when it does not exist."""

    async def names(self, db: AsyncSession, owner_ids: list[int]) -> dict[int, str]:
        """Display names of many owners in one query."""

    async def manages(self, db: AsyncSession, user: User, owner_id: int) -> bool: ...

    async def managed_ids(self, db: AsyncSession, user: User) -> list[int]:
        """Every owner of this kind the user manages."""

    async def members(
        self, db: AsyncSession, owner_id: int, membership: Membership
    ) -> list[User]: ...

    async def memberships(self, db: AsyncSession, user: User) -> list[tuple[int, Membership]]:
        """Every owner of this kind the user belongs to, and as what."""


class SchoolScope:
    async def name(self, db: AsyncSession, owner_id: int) -> str | None:
        return await db.scalar(select(School.name).where(School.id == owner_id))

    async def names(self, db: AsyncSession, owner_ids: list[int]) -> dict[int, str]:
        rows = await db.execute(select(School.id, School.name).where(School.id.in_(owner_ids)))
        return dict(rows.tuples().all())

    async def manages(self, db: AsyncSession, user: User, owner_id: int) -> bool:
        if user.role is Role.ADMIN:
            return True
        return user.role is Role.SCHOOL_ADMIN and user.school_id == owner_id

    async def managed_ids(self, db: AsyncSession, user: User) -> list[int]:
        if user.role is Role.ADMIN:
            return list(await db.scalars(select(School.id).order_by(School.id)))
        if user.role is Role.SCHOOL_ADMIN and user.school_id is not None:
            return [user.school_id]
        return []

    async def members(self, db: AsyncSession, owner_id: int, membership: Membership) -> list[User]:
        role = Role.STUDENT if membership is Membership.STUDENT else Role.TEACHER
        rows = await db.scalars(
            select(User)
            .where(User.school_id == owner_id, User.role == role, User.is_active.is_(True))
            .order_by(User.display_name, User.id)
        )
        return list(rows)

    async def memberships(self, db: AsyncSession, user: User) -> list[tuple[int, Membership]]:
        if user.school_id is None:
            return []
        if user.role is Role.STUDENT:
            return [(user.school_id, Membership.STUDENT)]
        if user.role is Role.TEACHER:
            return [(user.school_id, Membership.INSTRUCTOR)]
        return []


class ProgrammeScope:
    """A hospital programme: its admins manage, admitted students and instructors belong."""

    async def name(self, db: AsyncSession, owner_id: int) -> str | None:
        return await db.scalar(
            select(HospitalProgramme.title).where(HospitalProgramme.id == owner_id)
        )

    async def names(self, db: AsyncSession, owner_ids: list[int]) -> dict[int, str]:
        rows = await db.execute(
            select(HospitalProgramme.id, HospitalProgramme.title).where(
                HospitalProgramme.id.in_(owner_ids)
            )
        )
        return dict(rows.tuples().all())

    async def _staff_ids(self, db: AsyncSession, user: User, role: ProgrammeRole) -> list[int]:
        rows = await db.scalars(
            select(ProgrammeStaff.programme_id).where(
                ProgrammeStaff.user_id == user.id, ProgrammeStaff.role == role
            )
        )
        return sorted(set(rows))

    async def manages(self, db: AsyncSession, user: User, owner_id: int) -> bool:
        return owner_id in await self._staff_ids(db, user, ProgrammeRole.ADMIN)

    async def managed_ids(self, db: AsyncSession, user: User) -> list[int]:
        return await self._staff_ids(db, user, ProgrammeRole.ADMIN)

    @staticmethod
    def _current() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        """Admitted on or before today (Seoul) and not yet discharged."""
        today = datetime.now(UTC).astimezone(SEOUL).date()
        return (
            Admission.admitted_on <= today,
            or_(Admission.discharged_on.is_(None), Admission.discharged_on >= today),
        )

    async def members(self, db: AsyncSession, owner_id: int, membership: Membership) -> list[User]:
        if membership is Membership.STUDENT:
            ids = select(Admission.student_id).where(
                Admission.programme_id == owner_id, *self._current()
            )
        else:
            ids = select(ProgrammeStaff.user_id).where(
                ProgrammeStaff.programme_id == owner_id,
                ProgrammeStaff.role == ProgrammeRole.INSTRUCTOR,
            )
        rows = await db.scalars(
            select(User)
            .where(User.id.in_(ids), User.is_active.is_(True))
            .order_by(User.display_name, User.id)
        )
        return list(rows)

    async def memberships(self, db: AsyncSession, user: User) -> list[tuple[int, Membership]]:
        admitted = await db.scalars(
            select(Admission.programme_id).where(Admission.student_id == user.id, *self._current())
        )
        found = [(pid, Membership.STUDENT) for pid in sorted(set(admitted))]
        found += [
            (pid, Membership.INSTRUCTOR)
            for pid in await self._staff_ids(db, user, ProgrammeRole.INSTRUCTOR)
        ]
        return found


SCOPES: dict[OwnerKind, Scope] = {
    OwnerKind.SCHOOL: SchoolScope(),
    OwnerKind.PROGRAMME: ProgrammeScope(),
}


def scope(kind: OwnerKind) -> Scope:
    found = SCOPES.get(kind)
    if found is None:  # a kind whose feature is not installed on this platform
        raise NotFound("no such owner", owner_kind=kind.value)
    return found


async def owner_name(db: AsyncSession, owner: Owner) -> str:
    name = await scope(owner.kind).name(db, owner.id)
    if name is None:
        raise NotFound("no such owner", owner_kind=owner.kind.value, owner_id=owner.id)
    return name


async def owner_names(db: AsyncSession, found: list[Owner]) -> dict[Owner, str]:
    """Names of many owners, one query per kind (a platform admin manages every school)."""
    by_kind: dict[OwnerKind, list[int]] = {}
    for owner in found:
        by_kind.setdefault(owner.kind, []).append(owner.id)
    names: dict[Owner, str] = {}
    for kind, ids in by_kind.items():
        for owner_id, name in (await scope(kind).names(db, ids)).items():
            names[Owner(kind, owner_id)] = name
    return names


async def manages(db: AsyncSession, user: User, owner: Owner) -> bool:
    return user.is_active and await scope(owner.kind).manages(db, user, owner.id)


async def require_manager(db: AsyncSession, user: User, owner: Owner) -> None:
    """Refuse anyone who does not manage the owner; a missing owner is 404."""
    await owner_name(db, owner)
    if not await manages(db, user, owner):
        raise Forbidden("you do not manage this", owner_kind=owner.kind.value, owner_id=owner.id)


async def managed_owners(db: AsyncSession, user: User) -> list[Owner]:
    if not user.is_active:
        return []
    found: list[Owner] = []
    for kind, handler in SCOPES.items():
        found.extend(Owner(kind, owner_id) for owner_id in await handler.managed_ids(db, user))
    return found


async def memberships(db: AsyncSession, user: User) -> list[tuple[Owner, Membership]]:
    if not user.is_active:
        return []
    found: list[tuple[Owner, Membership]] = []
    for kind, handler in SCOPES.items():
        found.extend((Owner(kind, i), m) for i, m in await handler.memberships(db, user))
    return found


async def membership_in(db: AsyncSession, user: User, owner: Owner) -> list[Membership]:
    return [m for o, m in await memberships(db, user) if o == owner]


async def members(db: AsyncSession, owner: Owner, membership: Membership) -> list[User]:
    return await scope(owner.kind).members(db, owner.id, membership)
