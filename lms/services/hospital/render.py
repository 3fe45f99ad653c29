"""The monthly attendance notice as PDF (fpdf2) and XLSX (openpyxl), from its stored snapshot.

Both files are rendered from the same ``content`` dict (``notices.build_content``), so what the
PDF shows, what the spreadsheet holds and what a later version compares against never differ.
The PDF embeds a subset of a CJK font so Korean names render on any reader; fpdf2 reads the
face out of a .ttc collection by index.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from lms.hospital_rules import NoticeSettings

# What the home school writes in NEIS, in the notice's column order.
STATUS_LABELS = {
    "present": "출석",
    "late": "지각",
    "early_leave": "조퇴",
    "partial": "결과",
    "absent": "결석",
    "excused": "인정",
}
NOT_ADMITTED = "·"
NO_SESSION = "-"
FLAG = "*"
WEEKDAYS = "월화수목금토일"
TITLE = "병원학교 월별 출석 통지서"
# What each word means for a day (the rules of lms.services.hospital.daily, with the defaults).
LEGEND = (
    "출석: 그날의 모든 수업에 출석. 지각: 첫 수업에 늦거나 빠짐. 조퇴: 마지막 수업에서 일찍 "
    "나가거나 빠짐. 결과: 중간 수업을 빠짐. 결석: 출석한 수업이 없음. 인정: 모든 수업이 출석 인정. "
    f"{NO_SESSION} 수업 없음, {NOT_ADMITTED} 재적 기간 아님, {FLAG} 지난 판 확인 이후 정정됨."
)


def cell_text(value: str | None, flagged: bool) -> str:
    """A day's cell: the status word, ``-`` (no class held), ``·`` (not admitted), ``*`` flag."""
    if value is None:
        return NOT_ADMITTED
    text = STATUS_LABELS.get(value, NO_SESSION)
    return text + FLAG if flagged else text


def _day_heading(iso: str) -> tuple[str, str]:
    day = date.fromisoformat(iso)
    return str(day.day), WEEKDAYS[day.weekday()]


def _sign_line(content: dict[str, Any]) -> str:
    if content.get("signed_off_by"):
        return f"확인: {content['signed_off_by']} (프로그램 관리자) · {content['signed_off_at']}"
    return "초안: 프로그램 관리자 확인 전 (DRAFT)"


def _header_lines(content: dict[str, Any]) -> list[str]:
    school = content["home_school"]
    year, month = content["month"].split("-")
    lines = [
        f"{content['programme']['title']} ({content['host_school']})",
        f"소속학교: {school['name']} ({school['code']})   대상 월: {year}년 {int(month)}월   "
        f"판: {content['version']}",
    ]
    if content.get("previous_version"):
        lines.append(
            f"제{content['previous_version']}판 확인 이후 정정된 날은 {FLAG} 로 표시했습니다."
        )
    return lines


class _NoticePDF(FPDF):
    """Pages numbered "n / total", so a printed notice shows when a page is missing."""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("NotoCJK", size=7)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="C")


def render_pdf(content: dict[str, Any], settings: NoticeSettings) -> bytes:
    """A landscape A4 notice: one row per student, one column per class day, then totals."""
    pdf = _NoticePDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(10, 10, 10)
    pdf.add_font(
        "NotoCJK", fname=str(settings.font_path), collection_font_number=settings.font_index
    )
    pdf.set_title(TITLE)
    pdf.set_creator("newSSEM")
    days = content["class_days"]
    totals = list(STATUS_LABELS)
    name_w, grade_w, total_w = 28.0, 10.0, 9.0
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    day_w = (usable - name_w - grade_w - total_w * (len(totals) + 1)) / max(len(days), 1)
    row_h = 7.0

    def page_top() -> None:
        pdf.add_page()
        pdf.set_font("NotoCJK", size=15)
        pdf.cell(0, 9, TITLE, new_x="LMARGIN", new_y="NEXT", align="C")
        pdf.set_font("NotoCJK", size=9)
        for line in _header_lines(content):
            pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font("NotoCJK", size=7)
        pdf.set_fill_color(235, 238, 245)
        pdf.cell(name_w, row_h * 1.4, "이름", border=1, align="C", fill=True)
        pdf.cell(grade_w, row_h * 1.4, "학년", border=1, align="C", fill=True)
        for iso in days:
            number, weekday = _day_heading(iso)
            x, y = pdf.get_x(), pdf.get_y()
            pdf.multi_cell(
                day_w, row_h * 0.7, f"{number}\n{weekday}", border=1, align="C", fill=True
            )
            pdf.set_xy(x + day_w, y)
        for status in totals:
            pdf.cell(total_w, row_h * 1.4, STATUS_LABELS[status], border=1, align="C", fill=True)
        pdf.cell(total_w, row_h * 1.4, "계", border=1, align="C", fill=True)
        pdf.ln(row_h * 1.4)

    page_top()
    for student in content["students"]:
        if pdf.get_y() + row_h > pdf.h - 30:
            page_top()
        flagged = set(student["flags"])
        pdf.set_font("NotoCJK", size=8)
        pdf.cell(name_w, row_h, student["name"], border=1)
        pdf.cell(grade_w, row_h, student["grade_label"], border=1, align="C")
        pdf.set_font("NotoCJK", size=6.5)
        for iso in days:
            text = cell_text(student["days"].get(iso), iso in flagged)
            pdf.cell(day_w, row_h, text, border=1, align="C")
        pdf.set_font("NotoCJK", size=8)
        for status in totals:
            pdf.cell(total_w, row_h, str(student["totals"][status]), border=1, align="C")
        pdf.cell(total_w, row_h, str(student["totals"]["counted_days"]), border=1, align="C")
        pdf.ln(row_h)
    if not content["students"]:
        pdf.set_font("NotoCJK", size=9)
        pdf.cell(0, row_h, "이 달에 재적한 학생이 없습니다.", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(2)
    pdf.set_font("NotoCJK", size=7.5)
    pdf.multi_cell(0, 4.5, LEGEND, new_x="LMARGIN", new_y="NEXT")
    if content["corrections"]:
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.set_font("NotoCJK", size=9)
        pdf.cell(0, 6, "확인 이후 정정 내역", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoCJK", size=7.5)
        for item in content["corrections"]:
            if pdf.get_y() > pdf.h - 20:
                pdf.add_page()
            old = STATUS_LABELS.get(item["old_day"] or "", NO_SESSION)
            new = STATUS_LABELS.get(item["new_day"] or "", NO_SESSION)
            pdf.multi_cell(
                0,
                4.5,
                f"{item['day']} {item['student']}: {old} → {new} ({item['reason']})",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(3)
    pdf.set_font("NotoCJK", size=9)
    pdf.cell(0, 6, _sign_line(content), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoCJK", size=7)
    pdf.cell(
        0,
        5,
        f"작성: {content['generated_by']} · {content['generated_at']}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def render_xlsx(content: dict[str, Any]) -> bytes:
    """The same notice as a workbook: 출석 (the grid), 정정 (corrections), 정보 (the document)."""
    book = Workbook()
    grid = book.active
    assert grid is not None
    grid.title = "출석"
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EBEEF5")
    for line in [TITLE, *_header_lines(content)]:
        grid.append([line])
    grid["A1"].font = Font(bold=True, size=14)
    days = content["class_days"]
    heading = ["이름", "학년", "반"]
    heading += [f"{_day_heading(iso)[0]}({_day_heading(iso)[1]})" for iso in days]
    heading += [STATUS_LABELS[status] for status in STATUS_LABELS] + ["계"]
    grid.append(heading)
    header_row = grid.max_row
    for cell in grid[header_row]:
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for student in content["students"]:
        flagged = set(student["flags"])
        row = [student["name"], student["grade_label"], student["class_name"]]
        row += [cell_text(student["days"].get(iso), iso in flagged) for iso in days]
        row += [student["totals"][status] for status in STATUS_LABELS]
        row.append(student["totals"]["counted_days"])
        grid.append(row)
    grid.append([])
    grid.append([_sign_line(content)])
    grid.column_dimensions["A"].width = 14
    grid.freeze_panes = grid.cell(row=header_row + 1, column=4)
    # Home schools print it: one page wide, landscape, the heading row on every page.
    grid.page_setup.orientation = "landscape"
    grid.page_setup.paperSize = grid.PAPERSIZE_A4
    grid.page_setup.fitToWidth = 1
    grid.page_setup.fitToHeight = 0
    grid.sheet_properties.pageSetUpPr.fitToPage = True
    grid.print_title_rows = f"{header_row}:{header_row}"

    fixes = book.create_sheet("정정")
    fixes.append(["날짜", "학생", "이전", "정정", "사유", "정정 시각", "정정자"])
    for cell in fixes[1]:
        cell.font = bold
    for item in content["corrections"]:
        fixes.append(
            [
                item["day"],
                item["student"],
                STATUS_LABELS.get(item["old_day"] or "", NO_SESSION),
                STATUS_LABELS.get(item["new_day"] or "", NO_SESSION),
                item["reason"],
                item["changed_at"],
                item["changed_by"],
            ]
        )

    info = book.create_sheet("정보")
    school = content["home_school"]
    for key, value in [
        ("프로그램", content["programme"]["title"]),
        ("운영 학교", content["host_school"]),
        ("소속학교", f"{school['name']} ({school['code']})"),
        ("대상 월", content["month"]),
        ("판", content["version"]),
        ("작성", content["generated_by"]),
        ("작성 시각", content["generated_at"]),
        ("확인", content.get("signed_off_by") or ""),
        ("확인 시각", content.get("signed_off_at") or ""),
    ]:
        info.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
