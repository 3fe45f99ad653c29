"""Who sees what in a hospital programme: roles come from ``ProgrammeStaff``, never the client.

This is children's health data, so only the programme's own staff see it: its admins (all of
it), its instructors (the students of the classes they teach) and home-school teachers (the
students of their own school, which is also exactly what that school's monthly notice holds).
A platform or school admin without a staff row sees nothing; they may only open a programme.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, NotFound
from lms.models import (
    Admission,
    Enrolment,
    HospitalClass,
    HospitalProgramme,
    ProgrammeRole,
    ProgrammeStaff,
    User,
)
from lms.models.course import CourseRole

# The names ``GET /api/me`` lists in ``capabilities`` (client-web/js/nav.js reads them).
CAPABILITY = {
    ProgrammeRole.ADMIN: "hospital_admin",
    ProgrammeRole.INSTRUCTOR: "hospital_instructor",
    ProgrammeRole.HOME_TEACHER: "home_teacher",
}


@dataclass(frozen=True)
class Scope:
    """What one user may see in one programme."""

    programme: HospitalProgramme
    roles: frozenset[ProgrammeRole]
    home_school_ids: frozenset[int] = field(default_factory=frozenset)
    class_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return ProgrammeRole.ADMIN in self.roles

    @property
    def is_instructor(self) -> bool:
        return ProgrammeRole.INSTRUCTOR in self.roles

    def sees_all(self) -> bool:
        return self.is_admin

    def sees(self, admission: Admission) -> bool:
        """Whether this user may see the student of ``admission`` (and that stay's data)."""
        return (
            self.is_admin
            or admission.class_id in self.class_ids
            or admission.home_school_id in self.home_school_ids
        )


async def get_programme(db: AsyncSession, programme_id: int) -> HospitalProgramme:
    programme = await db.get(HospitalProgramme, programme_id)
    if programme is None:
        raise NotFound("no such programme", programme_id=programme_id)
    return programme


async def scope(db: AsyncSession, user: User, programme_id: int) -> Scope:
    """The caller's roles in the programme; Forbidden when they have none (404 if no such)."""
    programme = await get_programme(db, programme_id)
    if not user.is_active:
        raise Forbidden("this account is deactivated")
    rows = list(
        await db.scalars(
            select(ProgrammeStaff).where(
                ProgrammeStaff.programme_id == programme_id, ProgrammeStaff.user_id == user.id
            )
        )
    )
    if not rows:
        raise Forbidden("you have no role in this programme", programme_id=programme_id)
    roles = frozenset(row.role for row in rows)
    home_schools = frozenset(
        row.home_school_id
        for row in rows
        if row.role is ProgrammeRole.HOME_TEACHER and row.home_school_id is not None
    )
    class_ids: frozenset[int] = frozenset()
    if ProgrammeRole.INSTRUCTOR in roles:
        class_ids = frozenset(
            await db.scalars(
                select(HospitalClass.id)
                .join(Enrolment, Enrolment.course_id == HospitalClass.course_id)
                .where(
                    HospitalClass.programme_id == programme_id,
                    Enrolment.user_id == user.id,
                    Enrolment.role.in_([CourseRole.TEACHER, CourseRole.CO_TEACHER]),
                )
            )
        )
    return Scope(programme, roles, home_schools, class_ids)


async def require(db: AsyncSession, user: User, programme_id: int, *roles: ProgrammeRole) -> Scope:
    """The caller's scope, refused unless they hold one of ``roles`` in the programme."""
    found = await scope(db, user, programme_id)
    if not found.roles & set(roles):
        names = ", ".join(role.value for role in roles)
        raise Forbidden(f"this needs a programme role: {names}", programme_id=programme_id)
    return found


async def require_admin(db: AsyncSession, user: User, programme_id: int) -> Scope:
    return await require(db, user, programme_id, ProgrammeRole.ADMIN)


async def capabilities(db: AsyncSession, user: User) -> list[str]:
    """The programme capabilities of a user across all programmes, for ``GET /api/me``."""
    roles = set(
        await db.scalars(select(ProgrammeStaff.role).where(ProgrammeStaff.user_id == user.id))
    )
    return sorted(CAPABILITY[role] for role in roles)


async def my_programmes(db: AsyncSession, user: User) -> list[tuple[HospitalProgramme, set[str]]]:
    """The programmes the user has a role in, newest school year first, with their roles."""
    rows = (
        await db.execute(
            select(HospitalProgramme, ProgrammeStaff.role)
            .join(ProgrammeStaff, ProgrammeStaff.programme_id == HospitalProgramme.id)
            .where(ProgrammeStaff.user_id == user.id)
            .order_by(HospitalProgramme.school_year.desc(), HospitalProgramme.id)
        )
    ).tuples()
    found: dict[int, tuple[HospitalProgramme, set[str]]] = {}
    for programme, role in rows:
        found.setdefault(programme.id, (programme, set()))[1].add(role.value)
    return list(found.values())
