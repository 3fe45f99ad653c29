"""Admissions: a student's stays in the programme, each tied to the home school they count for.

A stay runs from ``admitted_on`` to ``discharged_on`` (inclusive, open while in the programme).
Leaving and coming back is a new admission, so the history stays whole. Admission enrols the
student in the class's course (so the live class and automatic attendance see them); discharge
takes the enrolment away again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, InvalidInput, NotFound
from lms.models import (
    Admission,
    CourseRole,
    Enrolment,
    HospitalClass,
    ProgrammeRole,
    ProgrammeStaff,
    Role,
    School,
    User,
)
from lms.services import clean_text, moment
from lms.services.hospital import access, programme, seoul_day


async def admit(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    *,
    student_login: str,
    class_id: int,
    home_school_id: int,
    grade: int,
    admitted_on: date,
    client_id: str,
    home_teacher_id: int | None = None,
    guardian_name: str = "",
    guardian_phone: str = "",
    note: str = "",
) -> tuple[Admission, bool]:
    """Admit (or readmit) a student; ``False`` when ``client_id`` was already stored (a retry)."""
    scope = await access.require_admin(db, actor, programme_id)
    client_id = clean_text(client_id, "client_id", max_chars=64)
    stored = await db.scalar(
        select(Admission).where(
            Admission.programme_id == programme_id,
            Admission.created_by == actor.id,
            Admission.client_id == client_id,
        )
    )
    if stored is not None:
        return stored, False
    student = await db.scalar(select(User).where(User.login == student_login.strip()))
    if student is None or student.role is not Role.STUDENT:
        raise NotFound("no student account with that login", login=student_login)
    if not student.is_active:
        raise Conflict("this account is deactivated", login=student_login)
    klass = await db.get(HospitalClass, class_id)
    if klass is None or klass.programme_id != programme_id:
        raise NotFound("no such class in this programme", class_id=class_id)
    if await db.get(School, home_school_id) is None:
        raise NotFound("no such school", school_id=home_school_id)
    grade = programme.check_grade(grade)
    p = scope.programme
    if not p.starts_on <= admitted_on <= p.ends_on:
        raise InvalidInput("the admission date is outside the programme", field="admitted_on")
    if home_teacher_id is not None:
        await _check_home_teacher(db, programme_id, home_teacher_id, home_school_id)
    overlapping = await db.scalar(
        select(Admission.id).where(
            Admission.programme_id == programme_id,
            Admission.student_id == student.id,
            or_(Admission.discharged_on.is_(None), Admission.discharged_on >= admitted_on),
        )
    )
    if overlapping is not None:
        raise Conflict("the student is already admitted on that day", admission_id=overlapping)
    admission = Admission(
        programme_id=programme_id,
        student_id=student.id,
        class_id=class_id,
        home_school_id=home_school_id,
        grade=grade,
        admitted_on=admitted_on,
        home_teacher_id=home_teacher_id,
        guardian_name=clean_text(guardian_name, "guardian_name", max_chars=100, min_chars=0),
        guardian_phone=clean_text(guardian_phone, "guardian_phone", max_chars=40, min_chars=0),
        note=clean_text(note, "note", max_chars=500, min_chars=0),
        client_id=client_id,
        created_by=actor.id,
    )
    db.add(admission)
    enrolled = await db.scalar(
        select(Enrolment).where(
            Enrolment.course_id == klass.course_id, Enrolment.user_id == student.id
        )
    )
    if enrolled is None:
        db.add(Enrolment(course_id=klass.course_id, user_id=student.id, role=CourseRole.STUDENT))
    try:
        await db.flush()
    except IntegrityError:  # the same request twice at once: the retry finds the stored one
        raise Conflict("this admission is being saved; retry to get it") from None
    return admission, True


async def _check_home_teacher(
    db: AsyncSession, programme_id: int, user_id: int, home_school_id: int
) -> None:
    """The follow-up teacher must be a home-school teacher of the student's own school."""
    found = await db.scalar(
        select(ProgrammeStaff.id).where(
            ProgrammeStaff.programme_id == programme_id,
            ProgrammeStaff.user_id == user_id,
            ProgrammeStaff.role == ProgrammeRole.HOME_TEACHER,
            ProgrammeStaff.home_school_id == home_school_id,
        )
    )
    if found is None:
        raise InvalidInput(
            "the home-school teacher must be a programme home teacher of that school",
            field="home_teacher_id",
        )


async def update_contact(
    db: AsyncSession,
    actor: User,
    admission_id: int,
    changes: dict[str, object],
) -> Admission:
    """Change who follows the student and how to reach the guardian; dates, class and home
    school are history and change only by discharge and readmission."""
    admission = await db.get(Admission, admission_id)
    if admission is None:
        raise NotFound("no such admission", admission_id=admission_id)
    await access.require_admin(db, actor, admission.programme_id)
    limits = {"guardian_name": 100, "guardian_phone": 40, "note": 500}
    for name, value in changes.items():
        if name == "home_teacher_id":
            if value is not None:
                assert isinstance(value, int)
                await _check_home_teacher(
                    db, admission.programme_id, value, admission.home_school_id
                )
            admission.home_teacher_id = value
        elif name in limits:
            assert isinstance(value, str)
            setattr(admission, name, clean_text(value, name, max_chars=limits[name], min_chars=0))
        else:
            raise InvalidInput(f"{name} cannot be changed", field=name)
    await db.flush()
    return admission


async def discharge(
    db: AsyncSession, actor: User, admission_id: int, discharged_on: date
) -> Admission:
    """Close a stay on its last day (today or earlier); the class enrolment ends with it."""
    admission = await db.get(Admission, admission_id)
    if admission is None:
        raise NotFound("no such admission", admission_id=admission_id)
    await access.require_admin(db, actor, admission.programme_id)
    if admission.discharged_on == discharged_on:
        return admission  # a retried request: the same discharge, already recorded
    if admission.discharged_on is not None:
        raise Conflict("this stay has already ended", admission_id=admission_id)
    if discharged_on < admission.admitted_on:
        raise InvalidInput("discharge cannot be before admission", field="discharged_on")
    if discharged_on > seoul_day(moment(None)):
        raise InvalidInput("a discharge is recorded on or after its day", field="discharged_on")
    admission.discharged_on = discharged_on
    admission.discharged_by = actor.id
    klass = await db.get(HospitalClass, admission.class_id)
    assert klass is not None  # enforced by the foreign key
    enrolment = await db.scalar(
        select(Enrolment).where(
            Enrolment.course_id == klass.course_id,
            Enrolment.user_id == admission.student_id,
            Enrolment.role == CourseRole.STUDENT,
        )
    )
    if enrolment is not None:
        await db.delete(enrolment)
    await db.flush()
    return admission


async def visible_admissions(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    *,
    student_id: int | None = None,
    current_on: date | None = None,
) -> tuple[access.Scope, list[Admission]]:
    """The stays the caller may see (all of them for admins), newest first per student."""
    scope = await access.scope(db, actor, programme_id)
    query = select(Admission).where(Admission.programme_id == programme_id)
    if student_id is not None:
        query = query.where(Admission.student_id == student_id)
    if current_on is not None:
        query = query.where(
            Admission.admitted_on <= current_on,
            or_(Admission.discharged_on.is_(None), Admission.discharged_on >= current_on),
        )
    if not scope.sees_all():
        query = query.where(
            or_(
                Admission.class_id.in_(list(scope.class_ids)),
                Admission.home_school_id.in_(list(scope.home_school_ids)),
            )
        )
    rows = list(
        await db.scalars(query.order_by(Admission.student_id, Admission.admitted_on.desc()))
    )
    if student_id is not None and not rows:
        # Someone else's student and a student never admitted look the same.
        raise NotFound("no such student in this programme", student_id=student_id)
    return scope, rows


def admitted_on_day(admissions: list[Admission], day: date) -> Admission | None:
    """The stay covering ``day``, if the student was in the programme that day."""
    for admission in admissions:
        if admission.admitted_on <= day and (
            admission.discharged_on is None or day <= admission.discharged_on
        ):
            return admission
    return None
