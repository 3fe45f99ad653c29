"""A programme, its calendar of class days, its staff and its classes.

Opening a programme lays out every day from its start to its end: weekdays are class days,
weekends are not. Admins then mark holidays and closures (or a make-up Saturday as a class day);
the running count of class days is what the screen holds against the usual target of 204.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    CalendarDay,
    Course,
    CourseRole,
    DayKind,
    Enrolment,
    HospitalClass,
    HospitalProgramme,
    ProgrammeRole,
    ProgrammeStaff,
    Role,
    School,
    User,
)
from lms.services import clean_text, parse_enum
from lms.services.hospital import access

MAX_PROGRAMME_DAYS = 400
MIN_GRADE, MAX_GRADE = 1, 12


def grade_label(grade: int) -> str:
    """Korean grade words: 1-6 elementary, 7-9 middle, 10-12 high (초3, 중1, 고2)."""
    if grade <= 6:
        return f"초{grade}"
    if grade <= 9:
        return f"중{grade - 6}"
    return f"고{grade - 9}"


def check_grade(grade: int) -> int:
    if not isinstance(grade, int) or not MIN_GRADE <= grade <= MAX_GRADE:
        raise InvalidInput("grade must be 1 (초1) to 12 (고3)", field="grade")
    return grade


async def create_programme(
    db: AsyncSession,
    actor: User,
    *,
    school_id: int,
    school_year: int,
    title: str,
    starts_on: date,
    ends_on: date,
    target_class_days: int = 204,
) -> HospitalProgramme:
    """A platform admin or the host school's admin opens the year; they become its admin."""
    if actor.role is not Role.ADMIN and not (
        actor.role is Role.SCHOOL_ADMIN and actor.school_id == school_id
    ):
        raise Forbidden("only an admin of the host school may open a programme")
    if await db.get(School, school_id) is None:
        raise NotFound("no such school", school_id=school_id)
    title = clean_text(title, "title", max_chars=200)
    if ends_on < starts_on:
        raise InvalidInput("the programme must end after it starts", field="ends_on")
    if (ends_on - starts_on).days + 1 > MAX_PROGRAMME_DAYS:
        raise InvalidInput(f"a programme spans at most {MAX_PROGRAMME_DAYS} days", field="ends_on")
    if not 1 <= target_class_days <= MAX_PROGRAMME_DAYS:
        raise InvalidInput("target_class_days is out of range", field="target_class_days")
    taken = await db.scalar(
        select(HospitalProgramme.id).where(
            HospitalProgramme.school_id == school_id, HospitalProgramme.school_year == school_year
        )
    )
    if taken is not None:
        raise Conflict("this school already has a programme for that year", programme_id=taken)
    programme = HospitalProgramme(
        school_id=school_id,
        school_year=school_year,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        target_class_days=target_class_days,
        created_by=actor.id,
    )
    db.add(programme)
    try:
        await db.flush()
    except IntegrityError:  # the same year opened twice at once
        raise Conflict("this school already has a programme for that year") from None
    day = starts_on
    while day <= ends_on:
        kind = DayKind.WEEKEND if day.weekday() >= 5 else DayKind.CLASS_DAY
        db.add(CalendarDay(programme_id=programme.id, day=day, kind=kind, updated_by=actor.id))
        day += timedelta(days=1)
    db.add(ProgrammeStaff(programme_id=programme.id, user_id=actor.id, role=ProgrammeRole.ADMIN))
    await db.flush()
    return programme


async def calendar(
    db: AsyncSession, programme_id: int, start: date | None = None, end: date | None = None
) -> list[CalendarDay]:
    """The programme's days in order, optionally within ``start``..``end``."""
    query = select(CalendarDay).where(CalendarDay.programme_id == programme_id)
    if start is not None:
        query = query.where(CalendarDay.day >= start)
    if end is not None:
        query = query.where(CalendarDay.day <= end)
    return list(await db.scalars(query.order_by(CalendarDay.day)))


async def class_days(db: AsyncSession, programme_id: int, start: date, end: date) -> list[date]:
    return list(
        await db.scalars(
            select(CalendarDay.day)
            .where(
                CalendarDay.programme_id == programme_id,
                CalendarDay.kind == DayKind.CLASS_DAY,
                CalendarDay.day >= start,
                CalendarDay.day <= end,
            )
            .order_by(CalendarDay.day)
        )
    )


async def class_day_count(db: AsyncSession, programme_id: int, until: date | None = None) -> int:
    """How many class days the calendar has (up to and including ``until``, when given)."""
    query = select(func.count()).where(
        CalendarDay.programme_id == programme_id, CalendarDay.kind == DayKind.CLASS_DAY
    )
    if until is not None:
        query = query.where(CalendarDay.day <= until)
    return int(await db.scalar(query) or 0)


async def set_days(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    changes: list[tuple[date, DayKind, str]],
) -> list[CalendarDay]:
    """Mark days as class days, holidays or closures; the caller regenerates the sessions."""
    await access.require_admin(db, actor, programme_id)
    if not changes:
        raise InvalidInput("no days given", field="days")
    wanted = {day: (parse_enum(DayKind, kind, "kind"), note) for day, kind, note in changes}
    rows = {
        row.day: row
        for row in await db.scalars(
            select(CalendarDay).where(
                CalendarDay.programme_id == programme_id, CalendarDay.day.in_(list(wanted))
            )
        )
    }
    missing = sorted(set(wanted) - set(rows))
    if missing:
        raise InvalidInput("a day is outside the programme", day=missing[0].isoformat())
    for day, (kind, note) in wanted.items():
        row = rows[day]
        row.kind = kind
        row.note = clean_text(note, "note", max_chars=200, min_chars=0)
        row.updated_by = actor.id
    await db.flush()
    return [rows[day] for day in sorted(rows)]


# -- staff -------------------------------------------------------------------------------------


async def add_staff(
    db: AsyncSession,
    actor: User,
    programme_id: int,
    *,
    login: str,
    role: ProgrammeRole,
    home_school_id: int | None = None,
) -> ProgrammeStaff:
    """Give an existing account a role in the programme; idempotent for the same role."""
    await access.require_admin(db, actor, programme_id)
    role = parse_enum(ProgrammeRole, role, "role")
    user = await db.scalar(select(User).where(User.login == login.strip()))
    if user is None:
        raise NotFound("no account with that login", login=login)
    if not user.is_active:
        raise Conflict("this account is deactivated", login=login)
    if user.role is Role.STUDENT:
        raise InvalidInput("a student account cannot be programme staff", field="login")
    if role is ProgrammeRole.HOME_TEACHER:
        if home_school_id is None:
            raise InvalidInput("a home-school teacher needs their school", field="home_school_id")
        if await db.get(School, home_school_id) is None:
            raise NotFound("no such school", school_id=home_school_id)
    elif home_school_id is not None:
        raise InvalidInput("only home-school teachers have a home school", field="home_school_id")
    existing = await db.scalar(
        select(ProgrammeStaff).where(
            ProgrammeStaff.programme_id == programme_id,
            ProgrammeStaff.user_id == user.id,
            ProgrammeStaff.role == role,
        )
    )
    if existing is not None:
        if existing.home_school_id != home_school_id:
            raise Conflict("this person already has that role for another school", login=login)
        return existing
    staff = ProgrammeStaff(
        programme_id=programme_id, user_id=user.id, role=role, home_school_id=home_school_id
    )
    db.add(staff)
    try:
        await db.flush()
    except IntegrityError:  # two admins adding the same person at once
        raise Conflict("this person was just given that role; reload") from None
    return staff


async def list_staff(db: AsyncSession, programme_id: int) -> list[tuple[ProgrammeStaff, User]]:
    rows = await db.execute(
        select(ProgrammeStaff, User)
        .join(User, User.id == ProgrammeStaff.user_id)
        .where(ProgrammeStaff.programme_id == programme_id)
        .order_by(ProgrammeStaff.role, User.display_name, User.id)
    )
    return list(rows.tuples())


async def remove_staff(db: AsyncSession, actor: User, staff_id: int) -> None:
    """Take a role away; the last admin cannot remove themselves (nobody could add one back)."""
    staff = await db.get(ProgrammeStaff, staff_id)
    if staff is None:
        raise NotFound("no such staff member", staff_id=staff_id)
    await access.require_admin(db, actor, staff.programme_id)
    if staff.role is ProgrammeRole.ADMIN:
        admins = await db.scalar(
            select(func.count()).where(
                ProgrammeStaff.programme_id == staff.programme_id,
                ProgrammeStaff.role == ProgrammeRole.ADMIN,
            )
        )
        if admins == 1:
            raise Conflict("a programme keeps at least one admin")
    if staff.role is ProgrammeRole.INSTRUCTOR:
        # An instructor who leaves the programme stops teaching its classes' courses too.
        courses = select(HospitalClass.course_id).where(
            HospitalClass.programme_id == staff.programme_id
        )
        for enrolment in await db.scalars(
            select(Enrolment).where(
                Enrolment.user_id == staff.user_id,
                Enrolment.course_id.in_(courses),
                Enrolment.role.in_([CourseRole.TEACHER, CourseRole.CO_TEACHER]),
            )
        ):
            await db.delete(enrolment)
    await db.delete(staff)
    await db.flush()


# -- classes -----------------------------------------------------------------------------------


async def create_class(
    db: AsyncSession, actor: User, programme_id: int, *, name: str, grade: int
) -> HospitalClass:
    """A class with its backing course in the host school, where its live sessions run."""
    scope = await access.require_admin(db, actor, programme_id)
    name = clean_text(name, "class name", max_chars=100)
    grade = check_grade(grade)
    # Names are how people tell classes apart; a retried request must not make a twin.
    taken = await db.scalar(
        select(HospitalClass.id).where(
            HospitalClass.programme_id == programme_id, HospitalClass.name == name
        )
    )
    if taken is not None:
        raise Conflict("the programme already has a class of that name", class_id=taken)
    course = Course(
        school_id=scope.programme.school_id,
        title=f"{scope.programme.title} {name}"[:200],
        subject="병원학교",
        grade_band=grade_label(grade),
        created_by=actor.id,
    )
    db.add(course)
    await db.flush()
    klass = HospitalClass(programme_id=programme_id, course_id=course.id, name=name, grade=grade)
    db.add(klass)
    await db.flush()
    return klass


async def get_class(db: AsyncSession, class_id: int) -> HospitalClass:
    klass = await db.get(HospitalClass, class_id)
    if klass is None:
        raise NotFound("no such class", class_id=class_id)
    return klass


async def list_classes(db: AsyncSession, programme_id: int) -> list[HospitalClass]:
    return list(
        await db.scalars(
            select(HospitalClass)
            .where(HospitalClass.programme_id == programme_id)
            .order_by(HospitalClass.grade, HospitalClass.name, HospitalClass.id)
        )
    )


async def class_instructors(db: AsyncSession, class_ids: list[int]) -> dict[int, list[User]]:
    """Each class's teachers (the instructors enrolled in its course), in one query."""
    found: dict[int, list[User]] = {class_id: [] for class_id in class_ids}
    if not class_ids:
        return found
    rows = await db.execute(
        select(HospitalClass.id, User)
        .join(Enrolment, Enrolment.course_id == HospitalClass.course_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            HospitalClass.id.in_(class_ids),
            Enrolment.role.in_([CourseRole.TEACHER, CourseRole.CO_TEACHER]),
        )
        .order_by(User.display_name, User.id)
    )
    for class_id, user in rows.tuples():
        found[class_id].append(user)
    return found


async def assign_instructor(db: AsyncSession, actor: User, class_id: int, user_id: int) -> None:
    """Make a programme instructor a teacher of the class's course (idempotent).

    The enrolment is written directly: instructors may belong to another school than the
    host, which ``courses.enrol`` (one school per course) would refuse.
    """
    klass = await get_class(db, class_id)
    await access.require_admin(db, actor, klass.programme_id)
    is_instructor = await db.scalar(
        select(ProgrammeStaff.id).where(
            ProgrammeStaff.programme_id == klass.programme_id,
            ProgrammeStaff.user_id == user_id,
            ProgrammeStaff.role == ProgrammeRole.INSTRUCTOR,
        )
    )
    if is_instructor is None:
        raise InvalidInput("this person is not an instructor of the programme", field="user_id")
    enrolment = await db.scalar(
        select(Enrolment).where(
            Enrolment.course_id == klass.course_id, Enrolment.user_id == user_id
        )
    )
    if enrolment is None:
        db.add(Enrolment(course_id=klass.course_id, user_id=user_id, role=CourseRole.TEACHER))
    elif enrolment.role is CourseRole.STUDENT:
        raise Conflict("this person is a student of the class")
    await db.flush()


async def unassign_instructor(db: AsyncSession, actor: User, class_id: int, user_id: int) -> None:
    klass = await get_class(db, class_id)
    await access.require_admin(db, actor, klass.programme_id)
    enrolment = await db.scalar(
        select(Enrolment).where(
            Enrolment.course_id == klass.course_id,
            Enrolment.user_id == user_id,
            Enrolment.role.in_([CourseRole.TEACHER, CourseRole.CO_TEACHER]),
        )
    )
    if enrolment is None:
        raise NotFound("this person does not teach the class", user_id=user_id)
    await db.delete(enrolment)
    await db.flush()
