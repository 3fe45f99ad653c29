"""REST shapes of the gradebook and the attendance book (``docs/gradebook.md``,
``docs/attendance-book.md``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from lms.models import AttendanceStatus, GradeSource
from server.schemas import Body, Out, Query, UTCDatetime

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class GradeItemCreate(Body):
    title: str = Field(min_length=1, max_length=200)
    max_points: float = Field(gt=0, le=10_000)
    weight: float = Field(1.0, ge=0, le=100)
    category: str = Field("", max_length=100)
    hidden: bool = False
    client_id: str = Field(min_length=1, max_length=64)


class GradeItemUpdate(Body):
    """Only the fields sent change; title and maximum for manual items only. A new maximum on an
    item with grades needs ``rescale``: true keeps each grade's percentage, false its points."""

    title: str | None = Field(None, min_length=1, max_length=200)
    max_points: float | None = Field(None, gt=0, le=10_000)
    rescale: bool | None = None
    weight: float | None = Field(None, ge=0, le=100)
    category: str | None = Field(None, max_length=100)
    hidden: bool | None = None


class GradeSave(Body):
    """``points: null`` clears the grade; ``feedback`` left out keeps the stored feedback."""

    points: float | None
    feedback: str | None = Field(None, max_length=10_000)


class ExportQuery(Query):
    format: Literal["csv", "xlsx"] = "xlsx"
    month: str | None = Field(None, pattern=MONTH_PATTERN)


class MonthQuery(Query):
    month: str | None = Field(None, pattern=MONTH_PATTERN)


class GradeItemOut(Out):
    id: int
    course_id: int
    title: str
    source_kind: GradeSource
    source_id: int | None
    max_points: float
    weight: float
    category: str
    hidden: bool


class GradeOut(Out):
    id: int
    item_id: int
    user_id: int
    points: float | None
    feedback: str
    overridden: bool
    graded_by: int | None
    graded_at: UTCDatetime | None


class GradebookRow(Out):
    user_id: int
    display_name: str
    login: str
    grades: dict[str, GradeOut]  # by item id
    total_percent: float | None


class GradebookOut(Out):
    course_id: int
    course_title: str
    can_edit: bool
    items: list[GradeItemOut]
    students: list[GradebookRow]


class StudentGradeLine(Out):
    item: GradeItemOut
    grade: GradeOut | None
    percent: float | None


class StudentGradesOut(Out):
    course_id: int
    course_title: str
    user_id: int
    display_name: str
    lines: list[StudentGradeLine]
    total_percent: float | None


class GradeHistoryOut(Out):
    id: int
    grade_id: int
    old_points: float | None
    new_points: float | None
    feedback: str
    overridden: bool
    changed_by: int | None
    changed_at: UTCDatetime


class GradeHistoryList(Out):
    items: list[GradeHistoryOut]


class TotalsOut(Out):
    present: int
    late: int
    excused: int
    absent: int
    taken: int
    points: int
    max_points: int
    rate: float | None


class BookSessionOut(Out):
    id: int
    title: str
    scheduled_start: UTCDatetime
    started_at: UTCDatetime | None
    day: date
    month: str


class BookCellOut(Out):
    record_id: int
    status: AttendanceStatus
    computed_status: AttendanceStatus
    corrected: bool


class BookRowOut(Out):
    user_id: int
    display_name: str
    login: str
    enrolled: bool
    cells: dict[str, BookCellOut]  # by session id
    totals: TotalsOut


class MonthSummaryOut(Out):
    month: str
    sessions: int
    totals: TotalsOut


class AttendanceBookOut(Out):
    course_id: int
    course_title: str
    month: str | None
    months: list[str]
    can_correct: bool
    sessions: list[BookSessionOut]
    rows: list[BookRowOut]
    summaries: list[MonthSummaryOut]
