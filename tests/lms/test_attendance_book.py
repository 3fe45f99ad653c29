"""The attendance book: statuses per session and student, corrections, Seoul months, totals
with Moodle's default points, and the exported files read back cell by cell."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Forbidden, InvalidInput
from lms.models import (
    AttendanceRecord,
    AttendanceStatus,
    Enrolment,
    LiveSession,
    LiveSessionStatus,
)
from lms.services import attendance, attendance_book, book_exports
from tests.lms.conftest import World

Db = async_sessionmaker[AsyncSession]
KST = timezone(timedelta(hours=9))
P, L, E, A = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)


async def taken(
    s: AsyncSession, world: World, title: str, start: datetime, statuses: list[AttendanceStatus]
) -> LiveSession:
    session = LiveSession(
        course_id=world.course.id, title=title, scheduled_start=start,
        scheduled_end=start + timedelta(minutes=40), status=LiveSessionStatus.ENDED,
        started_at=start, ended_at=start + timedelta(minutes=40),
    )  # fmt: skip
    s.add(session)
    await s.flush()
    for student, status in zip(world.students, statuses, strict=True):
        s.add(
            AttendanceRecord(
                session_id=session.id, user_id=student.id, status=status, computed_status=status
            )
        )
    await s.flush()
    return session


@pytest.fixture
async def sessions(db: Db, world: World) -> list[LiveSession]:
    """Three taken sessions around a month end in Seoul, one still scheduled."""
    async with db() as s, s.begin():
        march = await taken(s, world, "1차시", datetime(2026, 3, 31, 23, 30, tzinfo=KST), [P, L, A])
        april = await taken(s, world, "2차시", datetime(2026, 4, 1, 0, 30, tzinfo=KST), [P, P, A])
        later = await taken(s, world, "3차시", datetime(2026, 4, 8, 9, 0, tzinfo=KST), [L, E, P])
        start = datetime(2026, 4, 15, 9, 0, tzinfo=KST)
        s.add(
            LiveSession(
                course_id=world.course.id, title="예정", scheduled_start=start,
                scheduled_end=start + timedelta(minutes=40),
            )
        )  # fmt: skip
        return [march, april, later]


async def test_matrix_totals_and_seoul_months(db: Db, world: World, sessions) -> None:
    async with db() as s, s.begin():
        book = await attendance_book.course_book(s, world.course.id)
    assert [x.title for x in book.sessions] == ["1차시", "2차시", "3차시"]
    assert book.months == ["2026-03", "2026-04"]
    one, two, three = book.rows
    assert [one.cells[x.id].status for x in book.sessions] == [P, P, L]
    assert (two.totals.present, two.totals.late, two.totals.excused) == (1, 1, 1)
    # Points: present 2, late 1, excused 1, absent 0; over 2 per taken session.
    assert one.totals.rate == pytest.approx(100 * 5 / 6, abs=0.1)
    assert three.totals.rate == pytest.approx(100 * 2 / 6, abs=0.1)
    march, april = book.summaries
    assert (march.month, march.sessions, march.totals.absent, march.totals.late) == (
        "2026-03",
        1,
        1,
        1,
    )
    assert (april.sessions, april.totals.present, april.totals.absent) == (2, 3, 1)
    assert april.totals.taken == 6


async def test_month_filter(db: Db, world: World, sessions) -> None:
    async with db() as s, s.begin():
        book = await attendance_book.course_book(s, world.course.id, month="2026-04")
        assert [x.title for x in book.sessions] == ["2차시", "3차시"]
        assert book.months == ["2026-03", "2026-04"]
        assert [r.totals.taken for r in book.rows] == [2, 2, 2]
        assert [summary.month for summary in book.summaries] == ["2026-04"]
        empty = await attendance_book.course_book(s, world.course.id, month="2025-12")
        assert empty.sessions == [] and all(r.totals.rate is None for r in empty.rows)
        for bad in ("2026-13", "2026-4", "april"):
            with pytest.raises(InvalidInput):
                await attendance_book.course_book(s, world.course.id, month=bad)


async def test_a_correction_shows_and_stays_audited(db: Db, world: World, sessions) -> None:
    async with db() as s, s.begin():
        book = await attendance_book.course_book(s, world.course.id)
        cell = book.rows[2].cells[sessions[0].id]
        await attendance.correct_status(s, world.teacher, cell.record_id, E, "병원 진료 확인서")
    async with db() as s, s.begin():
        book = await attendance_book.course_book(s, world.course.id)
        cell = book.rows[2].cells[sessions[0].id]
        assert (cell.status, cell.computed_status, cell.corrected) == (E, A, True)
        assert (book.rows[2].totals.excused, book.rows[2].totals.absent) == (1, 1)
        assert not book.rows[0].cells[sessions[0].id].corrected


async def test_a_student_who_left_keeps_their_past(db: Db, world: World, sessions) -> None:
    async with db() as s, s.begin():
        await s.execute(delete(Enrolment).where(Enrolment.user_id == world.students[0].id))
    async with db() as s, s.begin():
        book = await attendance_book.course_book(s, world.course.id)
        assert [(r.login, r.enrolled) for r in book.rows] == [
            ("student2", True),
            ("student3", True),
            ("student1", False),
        ]
        _, row = await attendance_book.student_book(s, world.course.id, world.students[1].id)
        assert row.totals.taken == 3


async def test_rights(db: Db, world: World, sessions) -> None:
    async with db() as s, s.begin():
        for reader in (world.teacher, world.school_admin, world.admin):
            await attendance_book.require_reader(s, reader, world.course.id)
        for outsider in (world.students[0], world.other_school_admin, world.other_teacher):
            with pytest.raises(Forbidden):
                await attendance_book.require_reader(s, outsider, world.course.id)
        me = world.students[0]
        await attendance_book.require_student_reader(s, me, world.course.id, me.id)
        with pytest.raises(Forbidden):
            await attendance_book.require_student_reader(
                s, me, world.course.id, world.students[1].id
            )


async def test_exports_read_back_cell_by_cell(db: Db, world: World, sessions) -> None:
    async with db() as s, s.begin():
        book = await attendance_book.course_book(s, world.course.id)
    expected = [
        ["이름", "아이디", "2026-03-31 1차시", "2026-04-01 2차시", "2026-04-08 3차시",
         "출석", "지각", "인정결석", "결석", "출석률(%)"],
        ["student1", "student1", "출석", "출석", "지각", 2, 1, 0, 0, 83.3],
        ["student2", "student2", "지각", "출석", "인정결석", 1, 1, 1, 0, 66.7],
        ["student3", "student3", "결석", "결석", "출석", 1, 0, 0, 2, 33.3],
    ]  # fmt: skip
    data, content_type = book_exports.attendance_file(book, "csv")
    assert content_type == "text/csv" and data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [[str(cell) for cell in row] for row in expected]

    data, content_type = book_exports.attendance_file(book, "xlsx")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["출석부", "월별 요약"]
    sheet = workbook["출석부"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == expected
    assert sheet.freeze_panes == "C2" and sheet["C1"].font.bold
    assert sheet.column_dimensions["A"].width >= 8
    summary = [[c.value for c in row] for row in workbook["월별 요약"].iter_rows()]
    assert summary == [
        ["월", "수업 수", "출석", "지각", "인정결석", "결석", "출석률(%)"],
        ["2026-03", 1, 1, 1, 0, 1, 50.0],
        ["2026-04", 2, 3, 1, 1, 1, 66.7],
    ]
