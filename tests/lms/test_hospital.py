"""The hospital classroom's services on both backends: calendar, admissions, timetable
sessions, per-day rules, the monthly notice (PDF and XLSX content) and who sees what."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.attendance_rules import AttendanceRules
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.hospital_rules import DayRules, NoticeSettings
from lms.models import (
    AttendanceRecord,
    AttendanceStatus,
    DayKind,
    DayStatus,
    Enrolment,
    HospitalClass,
    HospitalProgramme,
    LeaveReason,
    LiveSession,
    LiveSessionStatus,
    ProgrammeRole,
    Role,
    School,
    SchoolKind,
    TimetableSession,
    User,
)
from lms.services import accounts, attendance, live_sessions
from lms.services.hospital import (
    access,
    admissions,
    daily,
    notices,
    programme,
    seoul_moment,
    timetable,
)
from lms.services.hospital.daily import SessionMark, day_status

DB = async_sessionmaker[AsyncSession]
PASSWORD = "correct horse"
RULES = AttendanceRules()
DAY_RULES = DayRules()
FONT = NoticeSettings()
START, END = date(2026, 3, 2), date(2027, 2, 28)
NOVEMBER = date(2026, 11, 1)
P, L, E, A = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)


@dataclass
class Hospital:
    programme: HospitalProgramme
    host: School
    school_a: School
    school_b: School
    admin: User
    instructor: User
    other_instructor: User
    teacher_a: User
    teacher_b: User
    students: list[User]  # 0, 1: school A in class 1; 2: school B in class 2
    class1: HospitalClass
    class2: HospitalClass
    outsider: User


@pytest.fixture
async def hospital(db: DB) -> Hospital:
    async with db() as s, s.begin():
        host = School(code="HOSP", name="서울병원학교", kind=SchoolKind.SPECIAL)
        school_a = School(code="HA", name="가람초등학교", kind=SchoolKind.ELEMENTARY)
        school_b = School(code="HB", name="나래중학교", kind=SchoolKind.MIDDLE)
        s.add_all([host, school_a, school_b])
        await s.flush()

        async def user(login: str, name: str, role: Role, school: School) -> User:
            return await accounts.create_user(
                s,
                login=login,
                display_name=name,
                password=PASSWORD,
                role=role,
                school_id=school.id,
            )

        opener = await user("hostadmin", "이교감", Role.SCHOOL_ADMIN, host)
        prog = await programme.create_programme(
            s,
            opener,
            school_id=host.id,
            school_year=2026,
            title="2026 서울 병원학교",
            starts_on=START,
            ends_on=END,
        )
        admin = opener
        instructor = await user("inst1", "오강사", Role.TEACHER, host)
        other_instructor = await user("inst2", "윤강사", Role.TEACHER, host)
        teacher_a = await user("homeA", "가담임", Role.TEACHER, school_a)
        teacher_b = await user("homeB", "나담임", Role.TEACHER, school_b)
        outsider = await user("outsider", "남선생", Role.TEACHER, host)
        for login in ("inst1", "inst2"):
            await programme.add_staff(s, admin, prog.id, login=login, role=ProgrammeRole.INSTRUCTOR)
        await programme.add_staff(
            s, admin, prog.id, login="homeA", role=ProgrammeRole.HOME_TEACHER,
            home_school_id=school_a.id,
        )  # fmt: skip
        await programme.add_staff(
            s, admin, prog.id, login="homeB", role=ProgrammeRole.HOME_TEACHER,
            home_school_id=school_b.id,
        )  # fmt: skip
        class1 = await programme.create_class(s, admin, prog.id, name="초등 3학년", grade=3)
        class2 = await programme.create_class(s, admin, prog.id, name="중학 1학년", grade=7)
        await programme.assign_instructor(s, admin, class1.id, instructor.id)
        await programme.assign_instructor(s, admin, class2.id, other_instructor.id)
        students = [
            await user("kid1", "김하람", Role.STUDENT, school_a),
            await user("kid2", "이도윤", Role.STUDENT, school_a),
            await user("kid3", "장서연", Role.STUDENT, school_b),
        ]
        for i, (kid, klass, school, grade) in enumerate(
            [
                (students[0], class1, school_a, 3),
                (students[1], class1, school_a, 3),
                (students[2], class2, school_b, 7),
            ]
        ):
            await admissions.admit(
                s,
                admin,
                prog.id,
                student_login=kid.login,
                class_id=klass.id,
                home_school_id=school.id,
                grade=grade,
                admitted_on=START,
                client_id=f"admit-{i}",
                home_teacher_id=teacher_a.id if school is school_a else teacher_b.id,
                guardian_name="보호자",
                guardian_phone="010-1234-5678",
            )
        return Hospital(
            prog, host, school_a, school_b, admin, instructor, other_instructor,
            teacher_a, teacher_b, students, class1, class2, outsider,
        )  # fmt: skip


async def reload(s: AsyncSession, user: User) -> User:
    found = await s.get(User, user.id)
    assert found is not None
    return found


# -- per-day rules (pure) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([], None),
        ([P, P, P], DayStatus.PRESENT),
        ([L, P, P], DayStatus.LATE),
        ([A, P, P], DayStatus.LATE),
        ([P, P, A], DayStatus.EARLY_LEAVE),
        ([P, A, P], DayStatus.PARTIAL),
        ([A, A, A], DayStatus.ABSENT),
        ([E, E], DayStatus.EXCUSED),
        ([E, P], DayStatus.PRESENT),
        ([E, A], DayStatus.ABSENT),
        ([L, P, A], DayStatus.EARLY_LEAVE),  # precedence: early leave before late
    ],
)
def test_day_status_rules(marks: list[AttendanceStatus], expected: DayStatus | None) -> None:
    assert day_status([SessionMark(m) for m in marks], DAY_RULES) == expected


def test_day_status_left_early_and_configuration() -> None:
    marks = [SessionMark(P), SessionMark(P, left_early=True)]
    assert day_status(marks, DAY_RULES) is DayStatus.EARLY_LEAVE
    # A left-early middle session is not an early leave for the day.
    assert day_status([SessionMark(P, True), SessionMark(P)], DAY_RULES) is DayStatus.PRESENT
    late_first = DayRules(precedence=(DayStatus.LATE, DayStatus.EARLY_LEAVE, DayStatus.PARTIAL))
    assert day_status([SessionMark(L), SessionMark(A)], late_first) is DayStatus.LATE
    strict = DayRules(absent_at_or_below_percent=50)
    assert day_status([SessionMark(P), SessionMark(A)], strict) is DayStatus.ABSENT
    assert day_status([SessionMark(P), SessionMark(A)], DAY_RULES) is DayStatus.EARLY_LEAVE


# -- calendar -------------------------------------------------------------------------------


async def test_calendar_counts_class_days_and_holiday_edits(db: DB, hospital: Hospital) -> None:
    pid = hospital.programme.id
    async with db() as s:
        days = await programme.calendar(s, pid)
        assert days[0].day == START and days[-1].day == END
        weekdays = [d.day for d in days if d.day.weekday() < 5]
        assert all(d.kind is DayKind.WEEKEND for d in days if d.day.weekday() >= 5)
        assert await programme.class_day_count(s, pid) == len(weekdays)
    # Close the winter break so the year has exactly the usual 204 class days.
    closing = weekdays[204:]
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        await programme.set_days(s, admin, pid, [(d, DayKind.CLOSURE, "겨울방학") for d in closing])
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        assert await programme.class_day_count(s, pid) == 204
        assert hospital.programme.target_class_days == 204
        await programme.set_days(s, admin, pid, [(date(2026, 10, 9), DayKind.HOLIDAY, "한글날")])
        assert await programme.class_day_count(s, pid) == 203
        assert await programme.class_day_count(s, pid, until=date(2026, 3, 31)) == 22
        # A make-up Saturday counts.
        await programme.set_days(s, admin, pid, [(date(2026, 10, 10), DayKind.CLASS_DAY, "보강")])
        assert await programme.class_day_count(s, pid) == 204
        with pytest.raises(InvalidInput):
            await programme.set_days(s, admin, pid, [(date(2027, 3, 2), DayKind.HOLIDAY, "")])
        instructor = await reload(s, hospital.instructor)
        with pytest.raises(Forbidden):
            await programme.set_days(s, instructor, pid, [(START, DayKind.HOLIDAY, "")])


# -- admissions -------------------------------------------------------------------------------


async def test_admission_discharge_and_readmission_keep_history(db: DB, hospital: Hospital) -> None:
    pid = hospital.programme.id
    kid = hospital.students[0]
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        _, stays = await admissions.visible_admissions(s, admin, pid, student_id=kid.id)
        [stay] = stays
        with pytest.raises(InvalidInput):
            await admissions.discharge(s, admin, stay.id, START - timedelta(days=1))
        await admissions.discharge(s, admin, stay.id, date(2026, 4, 10))
        assert (
            await s.scalar(
                select(Enrolment.id).where(
                    Enrolment.course_id == hospital.class1.course_id, Enrolment.user_id == kid.id
                )
            )
            is None
        )
        with pytest.raises(Conflict):
            await admissions.discharge(s, admin, stay.id, date(2026, 4, 11))
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        with pytest.raises(Conflict):  # overlaps the first stay
            await admissions.admit(
                s, admin, pid, student_login=kid.login, class_id=hospital.class2.id,
                home_school_id=hospital.school_a.id, grade=3, admitted_on=date(2026, 4, 1),
                client_id="again-0",
            )  # fmt: skip
        again, created = await admissions.admit(
            s, admin, pid, student_login=kid.login, class_id=hospital.class1.id,
            home_school_id=hospital.school_a.id, grade=3, admitted_on=date(2026, 5, 4),
            client_id="again-1",
        )  # fmt: skip
        assert created
        retry, created = await admissions.admit(
            s, admin, pid, student_login=kid.login, class_id=hospital.class1.id,
            home_school_id=hospital.school_a.id, grade=3, admitted_on=date(2026, 5, 4),
            client_id="again-1",
        )  # fmt: skip
        assert not created and retry.id == again.id
        with pytest.raises(InvalidInput):  # home teacher of another school
            await admissions.admit(
                s, admin, pid, student_login=hospital.students[2].login,
                class_id=hospital.class2.id, home_school_id=hospital.school_b.id, grade=7,
                admitted_on=date(2026, 6, 1), client_id="x", home_teacher_id=hospital.teacher_a.id,
            )  # fmt: skip
    async with db() as s:
        admin = await reload(s, hospital.admin)
        _, stays = await admissions.visible_admissions(s, admin, pid, student_id=kid.id)
        assert [(a.admitted_on, a.discharged_on) for a in stays] == [
            (date(2026, 5, 4), None),
            (START, date(2026, 4, 10)),
        ]
        assert (
            await s.scalar(
                select(func.count()).select_from(Enrolment).where(Enrolment.user_id == kid.id)
            )
            == 1
        )


# -- timetable -> sessions ----------------------------------------------------------------------


async def add_monday_slot(s: AsyncSession, h: Hospital) -> int:
    admin = await reload(s, h.admin)
    slot = await timetable.add_slot(
        s, admin, h.class1.id, weekday=0, period=1, starts_at=time(9, 0), ends_at=time(9, 40),
        subject="국어", instructor_id=h.instructor.id,
    )  # fmt: skip
    return slot.id


async def test_timetable_generation_is_idempotent_and_spares_attended_sessions(
    db: DB, hospital: Hospital
) -> None:
    pid = hospital.programme.id
    nov = (date(2026, 11, 1), date(2026, 11, 30))
    async with db() as s, s.begin():
        await add_monday_slot(s, hospital)
        admin = await reload(s, hospital.admin)
        with pytest.raises(Conflict):  # overlapping period
            await timetable.add_slot(
                s, admin, hospital.class1.id, weekday=0, period=2, starts_at=time(9, 30),
                ends_at=time(10, 0), subject="수학",
            )  # fmt: skip
        result = await timetable.generate(s, admin, pid, *nov)
        assert (result.created, result.removed, result.kept) == (5, 0, 0)  # 2, 9, 16, 23, 30
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        again = await timetable.generate(s, admin, pid, *nov)
        assert (again.created, again.removed) == (0, 0)
        first = await s.scalar(
            select(LiveSession).join(TimetableSession).where(
                TimetableSession.day == date(2026, 11, 2)
            )
        )  # fmt: skip
        assert first is not None
        # Seoul 09:00 is 00:00 UTC.
        assert first.scheduled_start == datetime.fromisoformat("2026-11-02T00:00:00+00:00")
        assert first.course_id == hospital.class1.course_id
        # The 9th is held; then both the 2nd and the 9th become holidays.
        await run_session(s, hospital, date(2026, 11, 9), {hospital.students[0]: (0, None)})
        await programme.set_days(
            s, admin, pid,
            [(date(2026, 11, 2), DayKind.HOLIDAY, ""), (date(2026, 11, 9), DayKind.HOLIDAY, "")],
        )  # fmt: skip
        changed = await timetable.generate(s, admin, pid, *nov)
        assert (changed.created, changed.removed, changed.kept) == (0, 1, 1)
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        await programme.set_days(s, admin, pid, [(date(2026, 11, 2), DayKind.CLASS_DAY, "")])
        back = await timetable.generate(s, admin, pid, *nov)
        assert back.created == 1
        days = sorted(await s.scalars(select(TimetableSession.day)))
        assert days == [date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
    # Retiring the period removes its unheld sessions; the held one on the 9th stays.
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        [slot_id] = await s.scalars(select(TimetableSession.slot_id).distinct())
        await timetable.remove_slot(s, admin, slot_id)
        with pytest.raises(NotFound):
            await timetable.remove_slot(s, admin, slot_id)
        gone = await timetable.generate(s, admin, pid, *nov)
        assert (gone.created, gone.removed, gone.kept) == (0, 4, 1)
        held = await s.scalar(select(LiveSession).join(TimetableSession))
        assert held is not None and held.status is LiveSessionStatus.ENDED


async def run_session(
    s: AsyncSession,
    h: Hospital,
    day: date,
    presence: dict[User, tuple[int, int | None]],
    period: time = time(9, 0),
    minutes: int = 40,
) -> LiveSession:
    """Hold the class's session of ``day`` with joins/leaves at minute offsets."""
    session = await s.scalar(
        select(LiveSession).where(
            LiveSession.course_id == h.class1.course_id,
            LiveSession.scheduled_start == seoul_moment(day, period),
        )
    )
    assert session is not None
    start = seoul_moment(day, period)
    instructor = await reload(s, h.instructor)
    await live_sessions.start_session(s, instructor, session.id, now=start)
    for user, (join, leave) in presence.items():
        await attendance.open_interval(
            s, session.id, user.id, grace_seconds=120, now=start + timedelta(minutes=join)
        )
        if leave is not None:
            await attendance.close_interval(
                s, session.id, user.id, LeaveReason.LEFT, now=start + timedelta(minutes=leave)
            )
    await live_sessions.end_session(
        s, instructor, session.id, RULES, now=start + timedelta(minutes=minutes)
    )
    return session


# -- per-day statuses from real sessions and the monthly notice -----------------------------------


async def november_with_two_periods(db: DB, h: Hospital) -> None:
    """Class 1 meets Monday and Tuesday, 2 periods; four class days are held in November."""
    async with db() as s, s.begin():
        admin = await reload(s, h.admin)
        for weekday in (0, 1):
            for period, start in ((1, time(9, 0)), (2, time(10, 0))):
                await timetable.add_slot(
                    s, admin, h.class1.id, weekday=weekday, period=period, starts_at=start,
                    ends_at=(datetime.combine(START, start) + timedelta(minutes=40)).time(),
                    subject="국어",
                )  # fmt: skip
        await timetable.generate(s, admin, h.programme.id, date(2026, 11, 1), date(2026, 11, 10))
        kid1, kid2 = h.students[0], h.students[1]
        nine, ten = time(9, 0), time(10, 0)
        # Mon 2nd: both present all day.
        for t in (nine, ten):
            await run_session(s, h, date(2026, 11, 2), {kid1: (0, None), kid2: (0, None)}, t)
        # Tue 3rd: kid1 late to the first period; kid2 leaves the last one after 25 of 40 min.
        await run_session(s, h, date(2026, 11, 3), {kid1: (15, None), kid2: (0, None)}, nine)
        await run_session(s, h, date(2026, 11, 3), {kid1: (0, None), kid2: (0, 25)}, ten)
        # Mon 9th: kid1 absent all day; kid2 present.
        for t in (nine, ten):
            await run_session(s, h, date(2026, 11, 9), {kid2: (0, None)}, t)
        # Tue 10th: not held (a scheduled session that never ran is not counted).


async def test_month_grid_from_live_attendance(db: DB, hospital: Hospital) -> None:
    await november_with_two_periods(db, hospital)
    async with db() as s:
        admin = await reload(s, hospital.admin)
        _, stays = await admissions.visible_admissions(s, admin, hospital.programme.id)
        days, rows = await daily.month_grid(s, hospital.programme.id, stays, NOVEMBER, DAY_RULES)
        assert len(days) == 21  # November 2026's weekdays
        by_name = {row.student.display_name: row for row in rows}
        kid1, kid2 = by_name["김하람"], by_name["이도윤"]

        def status(row: daily.StudentMonth, d: int) -> DayStatus | None:
            cell = row.days[date(2026, 11, d)]
            assert cell is not None
            return cell.status

        assert [status(kid1, d) for d in (2, 3, 9, 10)] == [
            DayStatus.PRESENT, DayStatus.LATE, DayStatus.ABSENT, None,
        ]  # fmt: skip
        assert [status(kid2, d) for d in (2, 3, 9)] == [
            DayStatus.PRESENT, DayStatus.EARLY_LEAVE, DayStatus.PRESENT,
        ]  # fmt: skip
        assert kid1.totals["present"] == 1 and kid1.totals["counted_days"] == 3
        # The other class's student has rows too, with no held sessions.
        assert by_name["장서연"].totals["counted_days"] == 0
        # Why the 3rd is an early leave for 이도윤: the second period was left 15 minutes early.
        status, details = await daily.day_detail(
            s, hospital.programme.id, hospital.students[1].id, date(2026, 11, 3), DAY_RULES
        )
        assert status is DayStatus.EARLY_LEAVE
        assert [(d.record.status, d.left_early) for d in details] == [(P, False), (P, True)]


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace removed.

    fpdf2 embeds a CFF (OpenType) CJK face with its own code-to-CID CMap as the font's
    encoding; pypdf reads those two-byte codes a byte at a time, so every character comes out
    behind a NUL (its ToUnicode map still names the right character). Poppler's pdftotext reads
    the same file cleanly; dropping the NULs gives pypdf's text the same content.
    """
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\x00]+", "", text)


def xlsx_rows(data: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def grid_of(rows: list[list[object]]) -> dict[str, dict[str, object]]:
    """The 출석 sheet as {student name: {column heading: value}}."""
    header_index = next(i for i, row in enumerate(rows) if row[0] == "이름")
    header = [str(cell) for cell in rows[header_index]]
    found = {}
    for row in rows[header_index + 1 :]:
        if not row or row[0] is None or row[1] is None:
            break
        found[str(row[0])] = dict(zip(header, row, strict=False))
    return found


async def test_monthly_notice_content_versions_and_flags(db: DB, hospital: Hospital) -> None:
    await november_with_two_periods(db, hospital)
    pid = hospital.programme.id
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        batch, created = await notices.generate_batch(
            s, admin, pid, NOVEMBER, "nov-1", DAY_RULES, FONT
        )
        assert created and len(batch) == 2  # one per home school
        again, created = await notices.generate_batch(
            s, admin, pid, NOVEMBER, "nov-1", DAY_RULES, FONT
        )
        assert not created and [n.id for n in again] == [n.id for n in batch]
        notice = next(n for n in batch if n.home_school_id == hospital.school_a.id)
        assert notice.version == 1 and notice.signed_off_at is None
        assert hashlib.sha256(notice.pdf).hexdigest() == notice.pdf_sha256
        draft = pdf_text(notice.pdf)
        assert "초안" in draft and "가람초등학교" in draft
        assert "장서연" not in draft  # another school's student
        signed = await notices.sign_off(s, admin, notice.id, FONT)
        with pytest.raises(Conflict):
            await notices.sign_off(s, admin, notice.id, FONT)
        notice_id = signed.id

    async with db() as s:
        notice = await notices.get_notice(s, await reload(s, hospital.admin), notice_id)
        text = pdf_text(notice.pdf)
        for word in ("병원학교월별출석통지서", "김하람", "이도윤", "확인:이교감", "2026년11월"):
            assert word in text, word
        assert "초안" not in text and "장서연" not in text
        # Row of 이도윤: 2nd 출석, 3rd 조퇴, 9th 출석, the 10th not held.
        row = text[text.index("이도윤") :]
        assert row.startswith("이도윤초3출석조퇴") and "출석-" in row
        sheets = xlsx_rows(notice.xlsx)
        grid = grid_of(sheets["출석"])
        assert set(grid) == {"김하람", "이도윤"}
        assert [grid["김하람"][k] for k in ("2(월)", "3(화)", "9(월)", "10(화)")] == [
            "출석", "지각", "결석", "-",
        ]  # fmt: skip
        assert [grid["이도윤"][k] for k in ("2(월)", "3(화)", "9(월)")] == ["출석", "조퇴", "출석"]
        assert (grid["김하람"]["출석"], grid["김하람"]["지각"], grid["김하람"]["결석"]) == (1, 1, 1)
        assert grid["김하람"]["계"] == 3 and grid["이도윤"]["조퇴"] == 1
        info = dict((row[0], row[1]) for row in sheets["정보"])
        assert info["확인"] == "이교감" and info["판"] == 1

    # A correction after the sign-off: kid1's absent 9th is excused for a treatment.
    async with db() as s, s.begin():
        instructor = await reload(s, hospital.instructor)
        records = await s.scalars(
            select(AttendanceRecord)
            .join(LiveSession, LiveSession.id == AttendanceRecord.session_id)
            .where(
                AttendanceRecord.user_id == hospital.students[0].id,
                LiveSession.scheduled_start >= seoul_moment(date(2026, 11, 9), time(0)),
                LiveSession.scheduled_start < seoul_moment(date(2026, 11, 10), time(0)),
            )
        )
        for record in records:
            await attendance.correct_status(s, instructor, record.id, E, "항암 치료 일정")
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        batch, _ = await notices.generate_batch(s, admin, pid, NOVEMBER, "nov-2", DAY_RULES, FONT)
        second = next(n for n in batch if n.home_school_id == hospital.school_a.id)
        assert second.version == 2 and second.content["previous_version"] == 1
        [kid1] = [x for x in second.content["students"] if x["name"] == "김하람"]
        assert kid1["flags"] == ["2026-11-09"] and kid1["days"]["2026-11-09"] == "excused"
        [fix] = second.content["corrections"]
        assert (fix["old_day"], fix["new_day"], fix["reason"]) == (
            "absent",
            "excused",
            "항암 치료 일정",
        )
        grid = grid_of(xlsx_rows(second.xlsx)["출석"])
        assert grid["김하람"]["9(월)"] == "인정*" and grid["이도윤"]["9(월)"] == "출석"
        assert "정정내역" in pdf_text(second.pdf) and "항암치료일정" in pdf_text(second.pdf)
        versions = await notices.list_notices(s, admin, pid, NOVEMBER)
        assert sorted(n.version for n in versions if n.home_school_id == hospital.school_a.id) == [
            1,
            2,
        ]
        # The old version is kept unchanged.
        first = next(n for n in versions if n.id == notice_id)
        assert first.content["students"][0]["flags"] == []


async def test_each_role_sees_only_its_own(db: DB, hospital: Hospital) -> None:
    await november_with_two_periods(db, hospital)
    pid = hospital.programme.id
    async with db() as s, s.begin():
        admin = await reload(s, hospital.admin)
        batch, _ = await notices.generate_batch(s, admin, pid, NOVEMBER, "b", DAY_RULES, FONT)
        by_school = {n.home_school_id: n.id for n in batch}
        await notices.sign_off(s, admin, by_school[hospital.school_b.id], FONT)
    async with db() as s:
        teacher_a = await reload(s, hospital.teacher_a)
        _, stays = await admissions.visible_admissions(s, teacher_a, pid)
        assert {a.student_id for a in stays} == {k.id for k in hospital.students[:2]}
        with pytest.raises(NotFound):  # another school's student
            await admissions.visible_admissions(
                s, teacher_a, pid, student_id=hospital.students[2].id
            )
        # School A's notice is not signed off yet, B's is someone else's.
        assert await notices.list_notices(s, teacher_a, pid) == []
        for notice_id in by_school.values():
            with pytest.raises(NotFound):
                await notices.get_notice(s, teacher_a, notice_id)
        teacher_b = await reload(s, hospital.teacher_b)
        [visible] = await notices.list_notices(s, teacher_b, pid)
        assert visible.home_school_id == hospital.school_b.id
        instructor = await reload(s, hospital.instructor)
        _, stays = await admissions.visible_admissions(s, instructor, pid)
        assert {a.class_id for a in stays} == {hospital.class1.id}
        with pytest.raises(Forbidden):
            await notices.list_notices(s, instructor, pid)
        with pytest.raises(Forbidden):
            await notices.generate_batch(s, instructor, pid, NOVEMBER, "x", DAY_RULES, FONT)
        outsider = await reload(s, hospital.outsider)
        with pytest.raises(Forbidden):
            await admissions.visible_admissions(s, outsider, pid)
        kid = await reload(s, hospital.students[0])
        with pytest.raises(Forbidden):
            await access.scope(s, kid, pid)
        assert await access.capabilities(s, teacher_a) == ["home_teacher"]
        assert await access.capabilities(s, await reload(s, hospital.admin)) == ["hospital_admin"]
        assert await access.capabilities(s, outsider) == []


async def test_programme_refusals(db: DB, hospital: Hospital) -> None:
    async with db() as s, s.begin():
        teacher = await reload(s, hospital.instructor)
        with pytest.raises(Forbidden):
            await programme.create_programme(
                s, teacher, school_id=hospital.host.id, school_year=2027, title="x",
                starts_on=START, ends_on=END,
            )  # fmt: skip
        admin = await reload(s, hospital.admin)
        with pytest.raises(Conflict):
            await programme.create_programme(
                s, admin, school_id=hospital.host.id, school_year=2026, title="x",
                starts_on=START, ends_on=END,
            )  # fmt: skip
        with pytest.raises(InvalidInput):
            await programme.create_class(s, admin, hospital.programme.id, name="x", grade=13)
        with pytest.raises(InvalidInput):
            await programme.add_staff(
                s, admin, hospital.programme.id, login="kid1", role=ProgrammeRole.INSTRUCTOR
            )
        with pytest.raises(InvalidInput):
            await programme.add_staff(
                s, admin, hospital.programme.id, login="outsider", role=ProgrammeRole.HOME_TEACHER
            )
        [own] = [
            staff for staff, user in await programme.list_staff(s, hospital.programme.id)
            if user.id == admin.id
        ]  # fmt: skip
        with pytest.raises(Conflict):  # the last admin
            await programme.remove_staff(s, admin, own.id)
        [leaving] = [
            staff for staff, user in await programme.list_staff(s, hospital.programme.id)
            if user.id == hospital.other_instructor.id
        ]  # fmt: skip
        await programme.remove_staff(s, admin, leaving.id)
        teachers = await programme.class_instructors(s, [hospital.class2.id])
        assert teachers[hospital.class2.id] == []
        with pytest.raises(InvalidInput):
            await notices.generate_batch(
                s, admin, hospital.programme.id, date(2027, 5, 1), "far", DAY_RULES, FONT
            )


async def excuse_kid1_on_the_9th(db: DB, hospital: Hospital) -> None:
    async with db() as s, s.begin():
        instructor = await reload(s, hospital.instructor)
        records = await s.scalars(
            select(AttendanceRecord)
            .join(LiveSession, LiveSession.id == AttendanceRecord.session_id)
            .where(
                AttendanceRecord.user_id == hospital.students[0].id,
                LiveSession.scheduled_start >= seoul_moment(date(2026, 11, 9), time(0)),
                LiveSession.scheduled_start < seoul_moment(date(2026, 11, 10), time(0)),
            )
        )
        for record in records:
            await attendance.correct_status(s, instructor, record.id, E, "병원 검사")


async def test_a_late_correction_to_an_issued_month_is_reported_next_month(
    db: DB, hospital: Hospital
) -> None:
    await november_with_two_periods(db, hospital)
    pid, school_a = hospital.programme.id, hospital.school_a.id
    december = date(2026, 12, 1)

    async def school_a_notice(s: AsyncSession, month: date, batch: str) -> Any:
        admin = await reload(s, hospital.admin)
        made, _ = await notices.generate_batch(s, admin, pid, month, batch, DAY_RULES, FONT)
        return next(n for n in made if n.home_school_id == school_a)

    async with db() as s, s.begin():
        november = await school_a_notice(s, NOVEMBER, "nov")
        await notices.sign_off(s, await reload(s, hospital.admin), november.id, FONT)
    await excuse_kid1_on_the_9th(db, hospital)
    async with db() as s, s.begin():
        dec = await school_a_notice(s, december, "dec-1")
        assert dec.content["previous_version"] is None
        assert all(not student["flags"] for student in dec.content["students"])
        [late] = dec.content["corrections"]
        assert (late["day"], late["student"], late["old_day"], late["new_day"]) == (
            "2026-11-09", "김하람", "absent", "excused",
        )  # fmt: skip
        assert late["reason"] == "병원 검사"
        assert "병원검사" in pdf_text(dec.pdf)
        fixes = xlsx_rows(dec.xlsx)["정정"]
        assert fixes[1][:5] == ["2026-11-09", "김하람", "결석", "인정", "병원 검사"]
        # Once November is re-issued and signed, December no longer carries it.
        again = await school_a_notice(s, NOVEMBER, "nov-2")
        await notices.sign_off(s, await reload(s, hospital.admin), again.id, FONT)
        dec2 = await school_a_notice(s, december, "dec-2")
        assert dec2.version == 2 and dec2.content["corrections"] == []
