"""REST shapes of the hospital classroom (``docs/hospital.md``)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from pydantic import Field, PlainSerializer, model_validator

from lms.models import AttendanceStatus, DayKind, DayStatus, LiveSessionStatus, ProgrammeRole
from server.schemas import Body, Out, Query, UTCDatetime

ClientId = Field(min_length=1, max_length=64)
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# Timetable times leave the server as Seoul wall-clock "HH:MM".
WallClock = Annotated[time, PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)]


# -- requests ---------------------------------------------------------------------------------


class ProgrammeCreate(Body):
    school_id: int
    school_year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    target_class_days: int = Field(204, ge=1, le=400)

    @model_validator(mode="after")
    def _ends_after_start(self) -> ProgrammeCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class DayEdit(Body):
    day: date
    kind: DayKind
    note: str = Field("", max_length=200)


class CalendarEdit(Body):
    days: list[DayEdit] = Field(min_length=1, max_length=400)


class StaffCreate(Body):
    login: str = Field(min_length=1, max_length=64)
    role: ProgrammeRole
    home_school_id: int | None = None


class ClassCreate(Body):
    name: str = Field(min_length=1, max_length=100)
    grade: int = Field(ge=1, le=12)


class InstructorAssign(Body):
    user_id: int = Field(gt=0)


class SlotCreate(Body):
    weekday: int = Field(ge=0, le=6)
    period: int = Field(ge=1, le=12)
    starts_at: time
    ends_at: time
    subject: str = Field(min_length=1, max_length=100)
    instructor_id: int | None = Field(None, gt=0)


class GenerateRequest(Body):
    start: date | None = None
    end: date | None = None


class AdmissionCreate(Body):
    student_login: str = Field(min_length=1, max_length=64)
    class_id: int = Field(gt=0)
    home_school_id: int = Field(gt=0)
    grade: int = Field(ge=1, le=12)
    admitted_on: date
    client_id: str = ClientId
    home_teacher_id: int | None = Field(None, gt=0)
    guardian_name: str = Field("", max_length=100)
    guardian_phone: str = Field("", max_length=40)
    note: str = Field("", max_length=500)


class AdmissionUpdate(Body):
    """Only the fields sent change; ``home_teacher_id: null`` clears the follow-up teacher."""

    home_teacher_id: int | None = Field(None, gt=0)
    guardian_name: str | None = Field(None, max_length=100)
    guardian_phone: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=500)


class DischargeRequest(Body):
    discharged_on: date


class NoticeBatchCreate(Body):
    month: str = Field(pattern=MONTH_PATTERN)
    client_id: str = ClientId


class MonthQuery(Query):
    month: str | None = Field(None, pattern=MONTH_PATTERN)


class AttendanceQuery(Query):
    month: str = Field(pattern=MONTH_PATTERN)
    home_school_id: int | None = Field(None, gt=0)


class AdmissionQuery(Query):
    student_id: int | None = Field(None, gt=0)
    current: bool = False


# -- responses --------------------------------------------------------------------------------


class Person(Out):
    id: int
    login: str
    display_name: str


class SchoolRef(Out):
    id: int
    code: str
    name: str


class ProgrammeOut(Out):
    id: int
    school_id: int
    school_year: int
    title: str
    starts_on: date
    ends_on: date
    target_class_days: int
    class_days: int
    class_days_to_date: int
    my_roles: list[ProgrammeRole]
    home_school_ids: list[int] = Field(default_factory=list)


class ProgrammeList(Out):
    items: list[ProgrammeOut]


class CalendarDayOut(Out):
    day: date
    kind: DayKind
    note: str


class CalendarOut(Out):
    items: list[CalendarDayOut]
    class_days: int
    class_days_to_date: int
    target_class_days: int


class StaffOut(Out):
    id: int
    role: ProgrammeRole
    user: Person
    home_school: SchoolRef | None = None


class StaffList(Out):
    items: list[StaffOut]


class SlotOut(Out):
    id: int
    class_id: int
    weekday: int
    period: int
    starts_at: WallClock
    ends_at: WallClock
    subject: str
    instructor_id: int | None


class ClassOut(Out):
    id: int
    name: str
    grade: int
    grade_label: str
    course_id: int
    instructors: list[Person] = Field(default_factory=list)
    slots: list[SlotOut] = Field(default_factory=list)


class ClassList(Out):
    items: list[ClassOut]


class GenerationOut(Out):
    created: int
    removed: int
    kept: int


class AdmissionOut(Out):
    id: int
    student: Person
    class_id: int
    home_school: SchoolRef
    grade: int
    grade_label: str
    admitted_on: date
    discharged_on: date | None
    home_teacher: Person | None
    guardian_name: str
    guardian_phone: str
    note: str
    created_at: UTCDatetime


class AdmissionList(Out):
    items: list[AdmissionOut]


class SchoolList(Out):
    items: list[SchoolRef]


class GridRow(Out):
    student: Person
    home_school_id: int
    class_id: int
    grade_label: str
    days: dict[str, str | None]
    corrected: list[str]
    totals: dict[str, int]


class AttendanceGrid(Out):
    month: str
    class_days: list[date]
    rows: list[GridRow]


class DayCorrection(Out):
    changed_by: Person
    changed_at: UTCDatetime
    old_status: AttendanceStatus
    new_status: AttendanceStatus
    reason: str


class DaySession(Out):
    id: int
    title: str
    scheduled_start: UTCDatetime
    started_at: UTCDatetime | None
    ended_at: UTCDatetime | None
    status: AttendanceStatus
    computed_status: AttendanceStatus
    first_join_at: UTCDatetime | None
    seconds_present: int
    left_early: bool
    corrections: list[DayCorrection]


class DayDetail(Out):
    """Why a student's day has its status: the held sessions the rules read."""

    day: date
    student: Person
    status: DayStatus | None
    sessions: list[DaySession]


class TodaySession(Out):
    id: int
    class_id: int
    class_name: str
    title: str
    scheduled_start: UTCDatetime
    scheduled_end: UTCDatetime
    status: LiveSessionStatus


class TodayList(Out):
    day: date
    items: list[TodaySession]


class NoticeOut(Out):
    id: int
    home_school: SchoolRef
    month: str
    version: int
    batch: str
    generated_at: UTCDatetime
    generated_by: Person
    signed_off_at: UTCDatetime | None
    signed_off_by: Person | None
    pdf_sha256: str
    xlsx_sha256: str
    students: int
    flagged_days: int


class NoticeList(Out):
    items: list[NoticeOut]
