"""REST shapes of course requests, course content, enrolment methods and course groups
(``docs/courseware.md``)."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from lms.models import CourseRequestStatus, CourseRole, LessonKind
from server.schemas import Body, CourseOut, Out, Query, UserOut, UTCDatetime
from server.schemas.administration import CsvBase64

ClientId = Field(min_length=1, max_length=64)
Ids = list[int]


# -- course requests ----------------------------------------------------------------------


class CourseRequestCreate(Body):
    client_id: str = ClientId
    title: str = Field(min_length=1, max_length=200)
    subject: str = Field("", max_length=100)
    grade_band: str = Field("", max_length=32)
    schedule: str = Field("", max_length=200, description="as on a timetable: '화·목 5교시'")
    starts_on: date | None = None
    ends_on: date | None = None
    justification: str = Field("", max_length=2000)
    partner_school_ids: Ids = Field(
        default_factory=list, max_length=20, description="other schools of a cross-school course"
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> CourseRequestCreate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class CourseRequestDecision(Body):
    reason: str = Field("", max_length=1000)


class CourseRequestRejection(Body):
    reason: str = Field(min_length=1, max_length=1000)


class CourseRequestQuery(Query):
    status: CourseRequestStatus | None = None
    mine: bool = False
    school_id: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class Person(Out):
    id: int
    display_name: str


class CourseRequestOut(Out):
    id: int
    requested_by: Person
    school_id: int
    title: str
    subject: str
    grade_band: str
    schedule: str
    starts_on: date | None
    ends_on: date | None
    justification: str
    cross_school: bool
    partner_school_ids: Ids
    status: CourseRequestStatus
    reason: str
    decided_by: int | None
    decided_at: UTCDatetime | None
    course_id: int | None
    created_at: UTCDatetime


class ApprovalOut(Out):
    request: CourseRequestOut
    course: CourseOut


class CourseRequestList(Out):
    items: list[CourseRequestOut]
    total: int


# -- sections and lessons -------------------------------------------------------------------


class SectionCreate(Body):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=5000)


class SectionUpdate(Body):
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=5000)


class SectionOrder(Body):
    section_ids: Ids = Field(max_length=100)


class LessonOrder(Body):
    lesson_ids: Ids = Field(max_length=200)


class LessonContentIn(Body):
    url: str = Field("", max_length=2000)
    file_id: int | None = Field(None, ge=1)
    live_session_id: int | None = Field(None, ge=1)
    ref_id: int | None = Field(None, ge=1)
    duration_seconds: int | None = Field(None, ge=1, le=12 * 3600)


class LessonCreate(LessonContentIn):
    client_id: str = ClientId
    section_id: int = Field(ge=1)
    kind: LessonKind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    visible: bool = True


class LessonUpdate(Body):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    visible: bool | None = None
    section_id: int | None = Field(None, ge=1)
    content: LessonContentIn | None = None


class ProgressOut(Out):
    position_seconds: float
    watched_seconds: float
    duration_seconds: float | None
    completed_at: UTCDatetime | None
    rewatch_count: int
    updated_at: UTCDatetime


class LessonOut(Out):
    id: int
    course_id: int
    section_id: int
    kind: LessonKind
    title: str
    description: str
    position: int
    visible: bool
    url: str
    file_id: int | None
    live_session_id: int | None
    ref_id: int | None
    duration_seconds: int | None
    progress: ProgressOut | None = None


class SectionOut(Out):
    id: int
    course_id: int
    title: str
    summary: str
    position: int
    lessons: list[LessonOut] = Field(default_factory=list)


class OutlineOut(Out):
    course_id: int
    teaching: bool
    sections: list[SectionOut]


class SectionList(Out):
    items: list[SectionOut]


class LessonList(Out):
    items: list[LessonOut]


class VideoProgressIn(Body):
    position_seconds: float = Field(ge=0, le=12 * 3600)
    watched_seconds: float = Field(ge=0, le=12 * 3600)
    duration_seconds: float | None = Field(None, gt=0, le=12 * 3600)
    rewatch: bool = False


class StudentProgressOut(Out):
    user: UserOut
    progress: ProgressOut | None


class LessonReport(Out):
    lesson: LessonOut
    items: list[StudentProgressOut]


# -- enrolment methods ----------------------------------------------------------------------


class CandidateQuery(Query):
    q: str = Field(min_length=1, max_length=100)


class CandidateList(Out):
    items: list[UserOut]


class EnrolCsvRequest(Body):
    csv_base64: str = CsvBase64
    dry_run: bool = False


class EnrolCsvRow(Out):
    line: int
    user: UserOut
    role: CourseRole


class EnrolCsvResult(Out):
    status: str
    total_rows: int
    enrolled: list[EnrolCsvRow]
    already_enrolled: list[EnrolCsvRow]


class SelfEnrolmentSet(Body):
    enabled: bool
    key: str | None = Field(None, max_length=64, description="empty or missing draws a new key")


class SelfEnrolmentOut(Out):
    course_id: int
    enabled: bool
    enrol_key: str | None
    updated_at: UTCDatetime | None


class SelfEnrolRequest(Body):
    key: str = Field(min_length=1, max_length=64)


# -- course groups --------------------------------------------------------------------------


class GroupCreate(Body):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=500)
    user_ids: Ids = Field(default_factory=list, max_length=500)


class GroupUpdate(Body):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    user_ids: Ids | None = Field(None, max_length=500)


class GroupOut(Out):
    id: int
    course_id: int
    name: str
    description: str
    member_ids: Ids


class GroupList(Out):
    items: list[GroupOut]
