"""A small demo programme in the demo school, so ``make run`` shows the hospital classroom.

A programme admin, two instructors, a home-school teacher and three students from two home
schools, two classes with a weekly timetable, and sessions around today. Seeding again changes
nothing that exists.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.models import (
    DayKind,
    HospitalClass,
    HospitalProgramme,
    ProgrammeRole,
    ProgrammeStaff,
    Role,
    School,
    SchoolKind,
    User,
)
from lms.services import accounts
from lms.services.hospital import admissions, programme, seoul_day, timetable

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

HOME_SCHOOLS = (
    ("DEMO-H1", "서울한빛초등학교", SchoolKind.ELEMENTARY),
    ("DEMO-H2", "서울푸른중학교", SchoolKind.MIDDLE),
)
# (login, name, platform role, school: "host" or a home-school code, programme role)
PEOPLE = (
    ("hadmin", "한관리", Role.TEACHER, "host", ProgrammeRole.ADMIN),
    ("instructor1", "오강사", Role.TEACHER, "host", ProgrammeRole.INSTRUCTOR),
    ("instructor2", "윤강사", Role.TEACHER, "host", ProgrammeRole.INSTRUCTOR),
    ("hometeacher", "서담임", Role.TEACHER, "DEMO-H1", ProgrammeRole.HOME_TEACHER),
    ("hstudent1", "김하람", Role.STUDENT, "DEMO-H1", None),
    ("hstudent2", "이도윤", Role.STUDENT, "DEMO-H1", None),
    ("hstudent3", "장서연", Role.STUDENT, "DEMO-H2", None),
)
CLASSES = (("초등 3학년", 3, "instructor1"), ("중학 1학년", 7, "instructor2"))
# (class index, weekday 0-4 every day, period, start, end, subject)
PERIODS = (
    (0, 1, time(9, 0), time(9, 40), "국어"),
    (0, 2, time(10, 0), time(10, 40), "수학"),
    (1, 1, time(13, 0), time(13, 45), "영어"),
    (1, 2, time(14, 0), time(14, 45), "과학"),
)
STUDENTS = (("hstudent1", 0, "DEMO-H1", 3), ("hstudent2", 0, "DEMO-H1", 3))
STUDENTS += (("hstudent3", 1, "DEMO-H2", 7),)
# Fixed-date public holidays; the lunar ones move each year and are set by the admin.
HOLIDAYS = ((3, 1, "삼일절"), (5, 5, "어린이날"), (6, 6, "현충일"), (8, 15, "광복절"))
HOLIDAYS += ((10, 3, "개천절"), (10, 9, "한글날"), (12, 25, "성탄절"))


def school_year_of(today: date) -> tuple[int, date, date]:
    """A Korean school year runs from March to the end of the next February."""
    year = today.year if today.month >= 3 else today.year - 1
    return year, date(year, 3, 1), date(year + 1, 3, 1) - timedelta(days=1)


async def _account(
    db: AsyncSession, login: str, name: str, role: Role, school_id: int, password: str
) -> User:
    user = await db.scalar(select(User).where(User.login == login))
    if user is None:
        user = await accounts.create_user(
            db, login=login, display_name=name, password=password, role=role, school_id=school_id
        )
    return user


async def seed_hospital(db: AsyncSession, logins: DemoLogins) -> None:
    """Create what is missing of the demo programme and list its logins with the others."""
    schools = {}
    for code, name, kind in HOME_SCHOOLS:
        school = await db.scalar(select(School).where(School.code == code))
        if school is None:
            school = School(code=code, name=name, kind=kind)
            db.add(school)
            await db.flush()
        schools[code] = school
    users = {}
    for login, name, role, where, _ in PEOPLE:
        school_id = logins.school_id if where == "host" else schools[where].id
        users[login] = await _account(db, login, name, role, school_id, logins.password)
    for login, _, role, _, _ in PEOPLE:
        entry = (login, role.value)
        if entry not in logins.logins:
            logins.logins.append(entry)

    year, starts_on, ends_on = school_year_of(seoul_day(utcnow()))
    found = await db.scalar(
        select(HospitalProgramme).where(
            HospitalProgramme.school_id == logins.school_id,
            HospitalProgramme.school_year == year,
        )
    )
    if found is not None:
        return
    admin = users["hadmin"]
    # The programme is opened as the platform admin would, then handed to its admin.
    opener = await db.scalar(select(User).where(User.login == "schooladmin"))
    assert opener is not None  # seeded by lms.services.demo before this runs
    prog = await programme.create_programme(
        db,
        opener,
        school_id=logins.school_id,
        school_year=year,
        title=f"{year}학년도 서울 병원학교",
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.add(ProgrammeStaff(programme_id=prog.id, user_id=admin.id, role=ProgrammeRole.ADMIN))
    await db.flush()
    for login, _, _, where, programme_role in PEOPLE:
        if programme_role in (ProgrammeRole.INSTRUCTOR, ProgrammeRole.HOME_TEACHER):
            await programme.add_staff(
                db,
                admin,
                prog.id,
                login=login,
                role=programme_role,
                home_school_id=schools[where].id if where != "host" else None,
            )
    changes = [
        (date(year + (month < 3), month, day), DayKind.HOLIDAY, note)
        for month, day, note in HOLIDAYS
    ]
    changes += [
        (day, DayKind.CLOSURE, "여름방학")
        for day in _weekdays(date(year, 7, 24), date(year, 8, 16))
    ]
    changes += [
        (day, DayKind.CLOSURE, "겨울방학") for day in _weekdays(date(year + 1, 1, 6), ends_on)
    ]
    changes = [c for c in changes if c[0].weekday() < 5 and starts_on <= c[0] <= ends_on]
    await programme.set_days(db, admin, prog.id, changes)
    classes: list[HospitalClass] = []
    for name, grade, instructor in CLASSES:
        klass = await programme.create_class(db, admin, prog.id, name=name, grade=grade)
        await programme.assign_instructor(db, admin, klass.id, users[instructor].id)
        classes.append(klass)
    for index, period, start, end, subject in PERIODS:
        for weekday in range(5):
            await timetable.add_slot(
                db,
                admin,
                classes[index].id,
                weekday=weekday,
                period=period,
                starts_at=start,
                ends_at=end,
                subject=subject,
                instructor_id=users[CLASSES[index][2]].id,
            )
    home_teacher = users["hometeacher"]
    for login, index, code, grade in STUDENTS:
        await admissions.admit(
            db,
            admin,
            prog.id,
            student_login=login,
            class_id=classes[index].id,
            home_school_id=schools[code].id,
            grade=grade,
            admitted_on=starts_on,
            client_id=f"demo-{login}",
            home_teacher_id=home_teacher.id if code == "DEMO-H1" else None,
            guardian_name="보호자",
            guardian_phone="010-0000-0000",
        )
    today = seoul_day(utcnow())
    await timetable.generate(db, admin, prog.id, today - timedelta(days=7), today + timedelta(14))


def _weekdays(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days
