"""Individual education plans: who reads and writes them, and the log of every access.

Roles come from the hospital programme (``lms.services.hospital.access``), never the client:

- programme admin: reads and writes every plan; reads, writes and grants health notes;
- an instructor teaching the student's class: reads and writes the plan and its health notes;
- the home-school teacher of the student's school: reads the plan; health notes only when a
  programme admin granted it for this plan;
- anyone else (other instructors, other schools' teachers, platform or school admins without a
  programme role, the student): nothing, and the plan is "not found".

Health notes are children's health data: they sit in their own table, are loaded only after the
check above, and every read of a plan or of its health notes, every export and every write is
logged in ``education_plan_access`` in the same transaction (no read is served unlogged). Every
attempt refused for want of the right (reading, exporting, writing the plan or its health notes)
is logged too, as ``refused``, in a transaction of its own: the refused request's transaction
rolls back with its error, and the record of the attempt must outlive it. The programme's admins
read that log.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from lms.db import session_factory, transaction
from lms.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from lms.models import (
    AccommodationKind,
    Admission,
    EducationPlan,
    HealthNote,
    HealthNoteGrant,
    HospitalClass,
    PlanAccess,
    PlanAccessAction,
    PlanAccessOutcome,
    ProgrammeRole,
    ProgrammeStaff,
    School,
    User,
)
from lms.services import clean_text, moment
from lms.services.hospital import access

MAX_GOALS = 30
MAX_ACCOMMODATIONS = 20
NOTE_MAX = 4000
LOG_PAGE_MAX = 200
WRITERS_ONLY = "only programme admins and the student's instructors write plans"
ADMINS_GRANT = "only programme admins grant access to health notes"


@dataclass(frozen=True, slots=True)
class Goal:
    area: str
    goal: str
    measure: str = ""


@dataclass(frozen=True, slots=True)
class Accommodation:
    kind: AccommodationKind
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Rights:
    """What one user may do with one student's plan."""

    read: bool
    write: bool
    health_read: bool
    health_write: bool
    admin: bool


NO_RIGHTS = Rights(read=False, write=False, health_read=False, health_write=False, admin=False)


@dataclass(slots=True)
class PlanContext:
    plan: EducationPlan | None
    admission: Admission
    student: User
    class_name: str
    home_school_name: str


@dataclass(slots=True)
class PlanView:
    context: PlanContext
    rights: Rights
    health_notes: list[HealthNote] | None  # None: the reader may not see them
    grants: list[tuple[HealthNoteGrant, User]] | None  # admins only
    authors: dict[int, User]

    @property
    def plan(self) -> EducationPlan:
        assert self.context.plan is not None
        return self.context.plan


async def _granted(db: AsyncSession, plan_id: int | None, user_id: int) -> bool:
    if plan_id is None:
        return False
    found = await db.scalar(
        select(HealthNoteGrant.id).where(
            HealthNoteGrant.plan_id == plan_id, HealthNoteGrant.user_id == user_id
        )
    )
    return found is not None


def _rights(scope: access.Scope, admission: Admission, granted: bool) -> Rights:
    """The table in the module docstring, for one scope and one stay."""
    admin = scope.is_admin
    teaches = scope.is_instructor and admission.class_id in scope.class_ids
    home = admission.home_school_id in scope.home_school_ids
    return Rights(
        read=admin or teaches or home,
        write=admin or teaches,
        health_read=admin or teaches or (home and granted),
        health_write=admin or teaches,
        admin=admin,
    )


async def rights_for(
    db: AsyncSession, user: User, admission: Admission, plan_id: int | None
) -> Rights:
    """What ``user`` may do with the plan of this stay (Forbidden without a programme role)."""
    scope = await access.scope(db, user, admission.programme_id)
    return _rights(scope, admission, await _granted(db, plan_id, user.id))


def _log(
    db: AsyncSession,
    actor: User,
    plan: EducationPlan,
    action: PlanAccessAction,
    detail: str = "",
    at: datetime | None = None,
    outcome: PlanAccessOutcome = PlanAccessOutcome.ALLOWED,
) -> None:
    db.add(
        PlanAccess(
            programme_id=plan.programme_id,
            plan_id=plan.id,
            student_id=plan.student_id,
            user_id=actor.id,
            action=action,
            outcome=outcome,
            detail=detail[:200],
            at=moment(at),
        )
    )


async def _refuse(
    db: AsyncSession,
    actor: User,
    plan: EducationPlan,
    attempt: PlanAccessAction,
    error: DomainError,
) -> NoReturn:
    """Log ``actor``'s refused ``attempt`` on ``plan``, then raise ``error``.

    The entry is committed in a unit of work of its own on the same engine, since the caller's
    transaction rolls back with ``error``. Every refusal comes from the rights check, before the
    caller's transaction has written anything, so on SQLite this second writer never waits on
    the first. The detail is what the caller was told (``not_found``, ``forbidden``).
    """
    engine = db.bind
    assert isinstance(engine, AsyncEngine)
    async with transaction(session_factory(engine)) as own:
        _log(own, actor, plan, attempt, error.code, outcome=PlanAccessOutcome.REFUSED)
    raise error


async def _context(
    db: AsyncSession, admission: Admission, plan: EducationPlan | None
) -> PlanContext:
    student = await db.get(User, admission.student_id)
    klass = await db.get(HospitalClass, admission.class_id)
    school = await db.get(School, admission.home_school_id)
    assert student is not None
    return PlanContext(
        plan,
        admission,
        student,
        klass.name if klass else "",
        school.name if school else "",
    )


async def _plan(
    db: AsyncSession, user: User, plan_id: int, attempt: PlanAccessAction
) -> tuple[PlanContext, Rights]:
    """The plan and the caller's rights; a plan the caller may not read is not found, and the
    refused ``attempt`` is logged (a plan that does not exist has nothing to log against)."""
    plan = await db.get(EducationPlan, plan_id)
    if plan is None:
        raise NotFound("no such education plan", plan_id=plan_id)
    admission = await db.get(Admission, plan.admission_id)
    assert admission is not None
    try:
        rights = await rights_for(db, user, admission, plan.id)
    except Forbidden:  # no role in the programme at all
        rights = NO_RIGHTS
    if not rights.read:
        await _refuse(db, user, plan, attempt, NotFound("no such education plan", plan_id=plan_id))
    return await _context(db, admission, plan), rights


def _goals(goals: list[Goal]) -> list[dict[str, Any]]:
    if len(goals) > MAX_GOALS:
        raise InvalidInput(f"at most {MAX_GOALS} goals", field="goals")
    return [
        {
            "area": clean_text(g.area, f"goals[{i}].area", max_chars=100),
            "goal": clean_text(g.goal, f"goals[{i}].goal", max_chars=1000),
            "measure": clean_text(g.measure, f"goals[{i}].measure", max_chars=500, min_chars=0),
        }
        for i, g in enumerate(goals)
    ]


def _accommodations(items: list[Accommodation]) -> list[dict[str, Any]]:
    if len(items) > MAX_ACCOMMODATIONS:
        raise InvalidInput(f"at most {MAX_ACCOMMODATIONS} accommodations", field="accommodations")
    kinds = [a.kind for a in items if a.kind is not AccommodationKind.OTHER]
    if len(set(kinds)) != len(kinds):
        raise InvalidInput("each accommodation once (write details in one)", field="accommodations")
    return [
        {
            "kind": a.kind.value,
            "detail": clean_text(
                a.detail, f"accommodations[{i}].detail", max_chars=500, min_chars=0
            ),
        }
        for i, a in enumerate(items)
    ]


# -- listing --------------------------------------------------------------------------------


async def list_plans(
    db: AsyncSession, user: User, programme_id: int
) -> list[tuple[PlanContext, Rights]]:
    """The plans the caller may read (no content: the list is not a read of any plan)."""
    scope = await access.scope(db, user, programme_id)
    rows = (
        await db.execute(
            select(EducationPlan, Admission)
            .join(Admission, Admission.id == EducationPlan.admission_id)
            .where(EducationPlan.programme_id == programme_id)
            .order_by(EducationPlan.semester.desc(), EducationPlan.id)
        )
    ).tuples()
    granted = set(
        await db.scalars(select(HealthNoteGrant.plan_id).where(HealthNoteGrant.user_id == user.id))
    )
    found: list[tuple[PlanContext, Rights]] = []
    for plan, admission in rows:
        rights = _rights(scope, admission, plan.id in granted)
        if rights.read:
            found.append((await _context(db, admission, plan), rights))
    return found


async def candidates(db: AsyncSession, user: User, programme_id: int) -> list[PlanContext]:
    """Stays the caller may plan for: every stay (admins), their classes' stays (instructors)."""
    scope = await access.scope(db, user, programme_id)
    query = select(Admission).where(Admission.programme_id == programme_id)
    if not scope.is_admin:
        if not scope.is_instructor:
            return []
        query = query.where(Admission.class_id.in_(list(scope.class_ids)))
    admissions = await db.scalars(query.order_by(Admission.admitted_on.desc(), Admission.id))
    return [await _context(db, admission, None) for admission in admissions]


# -- writing --------------------------------------------------------------------------------


async def create_plan(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    *,
    admission_id: int,
    semester: str,
    goals: list[Goal],
    accommodations: list[Accommodation],
    instructor_notes: str = "",
    client_id: str,
    now: datetime | None = None,
) -> tuple[EducationPlan, bool]:
    """Write a student's plan for a semester; a retried ``client_id`` returns the stored plan."""
    client_id = clean_text(client_id, "client_id", max_chars=64)
    stored = await db.scalar(
        select(EducationPlan).where(
            EducationPlan.created_by == actor.id, EducationPlan.client_id == client_id
        )
    )
    if stored is not None:
        return stored, False
    admission = await db.get(Admission, admission_id)
    if admission is None or admission.programme_id != programme_id:
        raise NotFound("no such admission in this programme", admission_id=admission_id)
    rights = await rights_for(db, actor, admission, None)
    if not rights.read:
        raise NotFound("no such admission in this programme", admission_id=admission_id)
    if not rights.write:
        raise Forbidden(WRITERS_ONLY)
    semester = clean_text(semester, "semester", max_chars=16)
    taken = await db.scalar(
        select(EducationPlan.id).where(
            EducationPlan.admission_id == admission.id, EducationPlan.semester == semester
        )
    )
    if taken is not None:
        raise Conflict("this stay already has a plan for that semester", plan_id=taken)
    at = moment(now)
    plan = EducationPlan(
        programme_id=programme_id,
        admission_id=admission.id,
        student_id=admission.student_id,
        semester=semester,
        goals=_goals(goals),
        accommodations=_accommodations(accommodations),
        instructor_notes=clean_text(
            instructor_notes, "instructor_notes", max_chars=NOTE_MAX, min_chars=0
        ),
        version=1,
        client_id=client_id,
        created_by=actor.id,
        created_at=at,
        updated_by=actor.id,
        updated_at=at,
    )
    db.add(plan)
    await db.flush()
    _log(db, actor, plan, PlanAccessAction.CREATE, at=at)
    await db.flush()
    return plan, True


async def update_plan(
    db: AsyncSession,
    actor: User,
    plan_id: int,
    *,
    version: int,
    goals: list[Goal] | None = None,
    accommodations: list[Accommodation] | None = None,
    instructor_notes: str | None = None,
    now: datetime | None = None,
) -> EducationPlan:
    """Edit the plan; ``version`` must be the one the writer read, so no edit is lost silently."""
    context, rights = await _plan(db, actor, plan_id, PlanAccessAction.UPDATE)
    plan = context.plan
    assert plan is not None
    if not rights.write:
        await _refuse(db, actor, plan, PlanAccessAction.UPDATE, Forbidden(WRITERS_ONLY))
    if version != plan.version:
        raise Conflict("the plan was changed by someone else; reload it", version=plan.version)
    changed: list[str] = []
    if goals is not None:
        plan.goals = _goals(goals)
        changed.append("goals")
    if accommodations is not None:
        plan.accommodations = _accommodations(accommodations)
        changed.append("accommodations")
    if instructor_notes is not None:
        plan.instructor_notes = clean_text(
            instructor_notes, "instructor_notes", max_chars=NOTE_MAX, min_chars=0
        )
        changed.append("instructor_notes")
    if not changed:
        return plan
    at = moment(now)
    plan.version += 1
    plan.updated_by = actor.id
    plan.updated_at = at
    _log(db, actor, plan, PlanAccessAction.UPDATE, ",".join(changed), at)
    await db.flush()
    return plan


async def add_health_note(
    db: AsyncSession, actor: User, plan_id: int, body: str, *, now: datetime | None = None
) -> HealthNote:
    context, rights = await _plan(db, actor, plan_id, PlanAccessAction.ADD_HEALTH_NOTE)
    plan = context.plan
    assert plan is not None
    if not rights.health_write:
        await _refuse(
            db,
            actor,
            plan,
            PlanAccessAction.ADD_HEALTH_NOTE,
            Forbidden("only programme admins and the student's instructors write health notes"),
        )
    at = moment(now)
    note = HealthNote(
        plan_id=plan.id,
        body=clean_text(body, "body", max_chars=NOTE_MAX),
        author_id=actor.id,
        created_at=at,
    )
    db.add(note)
    await db.flush()
    _log(db, actor, plan, PlanAccessAction.ADD_HEALTH_NOTE, f"#{note.id}", at)
    await db.flush()
    return note


async def retract_health_note(
    db: AsyncSession, actor: User, plan_id: int, note_id: int, *, now: datetime | None = None
) -> HealthNote:
    """Hide a wrong note from the plan (its author or an admin); the row is kept."""
    attempt = PlanAccessAction.RETRACT_HEALTH_NOTE
    context, rights = await _plan(db, actor, plan_id, attempt)
    plan = context.plan
    assert plan is not None
    if not rights.health_read:
        await _refuse(db, actor, plan, attempt, NotFound("no such health note", note_id=note_id))
    note = await db.get(HealthNote, note_id)
    if note is None or note.plan_id != plan_id:
        raise NotFound("no such health note", note_id=note_id)
    if not (rights.admin or (rights.health_write and note.author_id == actor.id)):
        await _refuse(
            db,
            actor,
            plan,
            attempt,
            Forbidden("only the note's author or a programme admin retracts it"),
        )
    if note.retracted_at is None:
        at = moment(now)
        note.retracted_at = at
        note.retracted_by = actor.id
        _log(db, actor, plan, attempt, f"#{note.id}", at)
        await db.flush()
    return note


async def grant_health_notes(
    db: AsyncSession, actor: User, plan_id: int, user_id: int, *, now: datetime | None = None
) -> HealthNoteGrant:
    """Let the student's home-school teacher read this plan's health notes (admins only)."""
    context, rights = await _plan(db, actor, plan_id, PlanAccessAction.GRANT_HEALTH_NOTES)
    plan = context.plan
    assert plan is not None
    if not rights.admin:
        await _refuse(db, actor, plan, PlanAccessAction.GRANT_HEALTH_NOTES, Forbidden(ADMINS_GRANT))
    home_teacher = await db.scalar(
        select(ProgrammeStaff.id).where(
            ProgrammeStaff.programme_id == plan.programme_id,
            ProgrammeStaff.user_id == user_id,
            ProgrammeStaff.role == ProgrammeRole.HOME_TEACHER,
            ProgrammeStaff.home_school_id == context.admission.home_school_id,
        )
    )
    if home_teacher is None:
        raise InvalidInput(
            "only a home-school teacher of the student's school can be granted", field="user_id"
        )
    existing = await db.scalar(
        select(HealthNoteGrant).where(
            HealthNoteGrant.plan_id == plan.id, HealthNoteGrant.user_id == user_id
        )
    )
    if existing is not None:
        return existing
    at = moment(now)
    grant = HealthNoteGrant(plan_id=plan.id, user_id=user_id, granted_by=actor.id, granted_at=at)
    db.add(grant)
    _log(db, actor, plan, PlanAccessAction.GRANT_HEALTH_NOTES, f"#{user_id}", at)
    await db.flush()
    return grant


async def revoke_health_notes(
    db: AsyncSession, actor: User, plan_id: int, user_id: int, *, now: datetime | None = None
) -> None:
    context, rights = await _plan(db, actor, plan_id, PlanAccessAction.REVOKE_HEALTH_NOTES)
    plan = context.plan
    assert plan is not None
    if not rights.admin:
        await _refuse(
            db, actor, plan, PlanAccessAction.REVOKE_HEALTH_NOTES, Forbidden(ADMINS_GRANT)
        )
    grant = await db.scalar(
        select(HealthNoteGrant).where(
            HealthNoteGrant.plan_id == plan_id, HealthNoteGrant.user_id == user_id
        )
    )
    if grant is None:
        return
    await db.delete(grant)
    _log(db, actor, plan, PlanAccessAction.REVOKE_HEALTH_NOTES, f"#{user_id}", now)
    await db.flush()


# -- reading (always logged) ----------------------------------------------------------------


async def _view(db: AsyncSession, context: PlanContext, rights: Rights) -> PlanView:
    plan = context.plan
    assert plan is not None
    notes: list[HealthNote] | None = None
    if rights.health_read:
        notes = list(
            await db.scalars(
                select(HealthNote)
                .where(HealthNote.plan_id == plan.id, HealthNote.retracted_at.is_(None))
                .order_by(HealthNote.created_at.desc(), HealthNote.id.desc())
            )
        )
    grants: list[tuple[HealthNoteGrant, User]] | None = None
    if rights.admin:
        grants = list(
            (
                await db.execute(
                    select(HealthNoteGrant, User)
                    .join(User, User.id == HealthNoteGrant.user_id)
                    .where(HealthNoteGrant.plan_id == plan.id)
                    .order_by(HealthNoteGrant.granted_at)
                )
            ).tuples()
        )
    author_ids = {plan.created_by, plan.updated_by, *(n.author_id for n in notes or [])}
    authors = {u.id: u for u in await db.scalars(select(User).where(User.id.in_(author_ids)))}
    return PlanView(context, rights, notes, grants, authors)


async def read_plan(
    db: AsyncSession, user: User, plan_id: int, *, now: datetime | None = None
) -> PlanView:
    """The plan as this reader may see it; the read (and any health notes read) is logged."""
    context, rights = await _plan(db, user, plan_id, PlanAccessAction.READ_PLAN)
    view = await _view(db, context, rights)
    at = moment(now)
    _log(db, user, view.plan, PlanAccessAction.READ_PLAN, at=at)
    if view.health_notes is not None:
        _log(
            db,
            user,
            view.plan,
            PlanAccessAction.READ_HEALTH_NOTES,
            str(len(view.health_notes)),
            at,
        )
    await db.flush()
    return view


ACCOMMODATION_KO = {
    "shorter_sessions": "짧은 수업 시간",
    "camera_off_allowed": "카메라 끄기 허용",
    "rest_breaks": "휴식 시간",
    "extended_time": "과제·평가 시간 연장",
    "reduced_workload": "과제량 조정",
    "flexible_attendance": "유연한 출석",
    "assistive_technology": "보조공학 기기",
    "infection_control": "감염 관리",
    "other": "기타",
}


async def export_plan(
    db: AsyncSession, user: User, plan_id: int, *, now: datetime | None = None
) -> tuple[PlanView, bytes]:
    """An XLSX of exactly what this reader sees (health notes only if they may read them)."""
    context, rights = await _plan(db, user, plan_id, PlanAccessAction.EXPORT)
    view = await _view(db, context, rights)
    detail = "health_notes" if view.health_notes is not None else "plan_only"
    _log(db, user, view.plan, PlanAccessAction.EXPORT, detail, now)
    await db.flush()
    return view, _xlsx(view)


def _xlsx(view: PlanView) -> bytes:
    plan = view.plan
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "개별화교육계획"
    bold = Font(bold=True)
    sheet.append(["개별화교육계획", plan.semester])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["학생", view.context.student.display_name])
    sheet.append(["학급", view.context.class_name])
    sheet.append(["소속 학교", view.context.home_school_name])
    sheet.append([])
    sheet.append(["목표 영역", "목표", "평가 방법"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for goal in plan.goals:
        sheet.append([goal["area"], goal["goal"], goal["measure"]])
    sheet.append([])
    sheet.append(["지원(편의 제공)", "내용"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for item in plan.accommodations:
        sheet.append([ACCOMMODATION_KO.get(item["kind"], item["kind"]), item["detail"]])
    sheet.append([])
    sheet.append(["강사 메모", plan.instructor_notes])
    if view.health_notes is not None:
        sheet.append([])
        sheet.append(["건강 메모(열람 제한)", "작성일"])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for note in view.health_notes:
            sheet.append([note.body, note.created_at.date().isoformat()])
    for column, width in (("A", 24), ("B", 60), ("C", 30)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- the access log -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccessPage:
    items: list[tuple[PlanAccess, User, User]]  # entry, who, which student
    total: int


async def access_log(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    *,
    plan_id: int | None = None,
    student_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AccessPage:
    """Who read or changed which plan, or was refused, newest first: programme admins only."""
    await access.require_admin(db, actor, programme_id)
    if not 1 <= limit <= LOG_PAGE_MAX or offset < 0:
        raise InvalidInput(f"limit must be 1 to {LOG_PAGE_MAX} and offset at least 0")
    query = select(PlanAccess).where(PlanAccess.programme_id == programme_id)
    if plan_id is not None:
        query = query.where(PlanAccess.plan_id == plan_id)
    if student_id is not None:
        query = query.where(PlanAccess.student_id == student_id)
    total = int(await db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    entries = list(
        await db.scalars(
            query.order_by(PlanAccess.at.desc(), PlanAccess.id.desc()).limit(limit).offset(offset)
        )
    )
    ids = {e.user_id for e in entries} | {e.student_id for e in entries}
    users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_(ids)))}
    return AccessPage([(e, users[e.user_id], users[e.student_id]) for e in entries], total)
