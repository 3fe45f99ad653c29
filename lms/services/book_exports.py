"""The gradebook and the attendance book as files a school office opens in Excel.

CSV is UTF-8 with a byte-order mark (Excel on a Korean Windows reads Hangul correctly only
then); XLSX has a bold, frozen header row and column widths that fit Korean names. Both are
made from the same table of cells, so the two files always say the same thing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lms.models import AttendanceStatus
from lms.services.attendance_book import AttendanceBook, Totals
from lms.services.gradebook import Gradebook

Cell = str | int | float | None
Table = list[list[Cell]]

STATUS_KO = {
    AttendanceStatus.PRESENT: "출석",
    AttendanceStatus.LATE: "지각",
    AttendanceStatus.EXCUSED: "인정결석",
    AttendanceStatus.ABSENT: "결석",
}
TOTAL_HEADER = ["출석", "지각", "인정결석", "결석", "출석률(%)"]
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: float | None) -> Cell:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


# --- tables ---------------------------------------------------------------------------------


def gradebook_table(book: Gradebook) -> Table:
    """Header, then one row per student: name, login, each item's points, the course total."""
    header: list[Cell] = ["이름", "아이디"]
    header += [f"{item.title} ({_number(item.max_points)}점)" for item in book.items]
    header.append("과정 합계(%)")
    table: Table = [header]
    for row in book.students:
        cells: list[Cell] = [row.display_name, row.login]
        for item in book.items:
            grade = row.grades.get(item.id)
            cells.append(_number(grade.points) if grade is not None else None)
        cells.append(_number(row.total_percent))
        table.append(cells)
    table.append(["가중치", ""] + [_number(item.weight) for item in book.items] + [None])
    return table


def _totals(totals: Totals) -> list[Cell]:
    rate = totals.rate
    return [totals.present, totals.late, totals.excused, totals.absent, rate]


def attendance_table(book: AttendanceBook) -> Table:
    """Header (session dates and titles), one row per student with statuses and totals."""
    header: list[Cell] = ["이름", "아이디"]
    header += [f"{s.day.isoformat()} {s.title}" for s in book.sessions]
    header += TOTAL_HEADER
    table: Table = [header]
    for row in book.rows:
        name = row.display_name if row.enrolled else f"{row.display_name} (수강 취소)"
        cells: list[Cell] = [name, row.login]
        for session in book.sessions:
            cell = row.cells.get(session.id)
            cells.append(STATUS_KO[cell.status] if cell is not None else None)
        cells += _totals(row.totals)
        table.append(cells)
    return table


def month_table(book: AttendanceBook) -> Table:
    table: Table = [["월", "수업 수", *TOTAL_HEADER]]
    for summary in book.summaries:
        table.append([summary.month, summary.sessions, *_totals(summary.totals)])
    return table


# --- files ----------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in table:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet(workbook: Workbook, title: str, table: Table, *, freeze: str, first: bool) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    for row in table:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = freeze
    for index, column in enumerate(zip(*table, strict=False), start=1):
        longest = max((_width(cell) for cell in column[1:]), default=4)
        head = min(_width(column[0]), 24)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, head, 6), 40)


def _width(cell: Cell) -> int:
    """Hangul is about twice as wide as Latin in Excel's default font."""
    text = "" if cell is None else str(cell)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2


def to_xlsx(sheets: Sequence[tuple[str, Table, str]]) -> bytes:
    """One sheet per ``(title, table, frozen cell)``."""
    workbook = Workbook()
    for index, (title, table, freeze) in enumerate(sheets):
        _sheet(workbook, title, table, freeze=freeze, first=index == 0)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def gradebook_file(book: Gradebook, fmt: str) -> tuple[bytes, str]:
    table = gradebook_table(book)
    if fmt == "csv":
        return to_csv(table), CSV_TYPE
    return to_xlsx([("성적부", table, "C2")]), XLSX_TYPE


def attendance_file(book: AttendanceBook, fmt: str) -> tuple[bytes, str]:
    table = attendance_table(book)
    if fmt == "csv":
        return to_csv(table), CSV_TYPE
    return to_xlsx([("출석부", table, "C2"), ("월별 요약", month_table(book), "B2")]), XLSX_TYPE
