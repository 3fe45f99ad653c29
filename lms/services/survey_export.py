"""Survey results as CSV and XLSX: exactly what the results screen shows, nothing more.

The files are made from ``SurveyResults`` (already aggregated, small groups already hidden), so
an export can never carry more than the manager may see on screen.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lms.models import SurveyQuestionKind
from lms.services.surveys import LIKERT_POINTS, SurveyResults

AUDIENCE_KO = {"students": "학생", "guardians": "보호자", "instructors": "강사"}
HEADER = ["집단", "응답 수", "문항", "유형", "선택지", "응답 개수", "평균", "서술 응답"]
PARTICIPATION_HEADER = ["집단", "응답", "대상"]
SUPPRESSED = "응답이 적어 표시하지 않음"


def rows(results: SurveyResults) -> list[list[object]]:
    """One row per option count, per Likert point and per free-text answer."""
    out: list[list[object]] = []
    for group in results.groups:
        audience = AUDIENCE_KO[group.audience.value]
        if group.suppressed:
            out.append([audience, "", SUPPRESSED, "", "", "", "", ""])
            continue
        for result in group.questions:
            q = result.question
            base = [audience, group.responses, q.prompt, q.kind.value]
            if q.kind is SurveyQuestionKind.TEXT:
                out.extend([*base, "", "", "", text] for text in result.texts)
                if not result.texts:
                    out.append([*base, "", 0, "", ""])
                continue
            labels = (
                [f"{i + 1} {q.options[i]}" for i in range(LIKERT_POINTS)]
                if q.kind is SurveyQuestionKind.LIKERT
                else list(q.options)
            )
            for label, count in zip(labels, result.counts, strict=True):
                mean = result.mean if result.mean is not None else ""
                out.append([*base, label, count, mean, ""])
    return out


def participation_rows(results: SurveyResults) -> list[list[object]]:
    return [
        [AUDIENCE_KO[audience.value], responded, invited]
        for audience, (responded, invited) in results.participation.items()
    ]


def to_csv(results: SurveyResults) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a Korean Windows opens the Hangul correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows(results))
    writer.writerow([])
    writer.writerow(PARTICIPATION_HEADER)
    writer.writerows(participation_rows(results))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(results: SurveyResults) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "결과"
    sheet.append([results.survey.title, results.survey.semester])
    sheet.append(HEADER)
    for row in rows(results):
        sheet.append(row)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    participation = book.create_sheet("응답률")
    participation.append(PARTICIPATION_HEADER)
    for row in participation_rows(results):
        participation.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
