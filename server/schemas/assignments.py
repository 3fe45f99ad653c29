"""REST shapes of assignments and submissions (``docs/assignments.md``)."""

from __future__ import annotations

from pydantic import Field

from lms.models import LatePolicy, SubmissionStatus
from server.schemas import AwareUTC, Body, Out, UTCDatetime


class AssignmentSave(Body):
    title: str = Field(min_length=1, max_length=200)
    instructions: str = Field("", max_length=20_000)
    due_at: AwareUTC
    opens_at: AwareUTC | None = None
    cutoff_at: AwareUTC | None = None
    late_policy: LatePolicy = LatePolicy.ACCEPT
    late_penalty_percent: int = Field(0, ge=0, le=100)
    accepts_text: bool = True
    accepts_files: bool = False
    max_points: float = Field(100.0, gt=0, le=1000)


class AssignmentOut(Out):
    id: int
    course_id: int
    title: str
    instructions: str
    opens_at: UTCDatetime | None
    due_at: UTCDatetime
    cutoff_at: UTCDatetime | None
    late_policy: LatePolicy
    late_penalty_percent: int
    accepts_text: bool
    accepts_files: bool
    max_points: float


class AssignmentList(Out):
    items: list[AssignmentOut]


class SubmissionSave(Body):
    text: str = Field("", max_length=50_000)
    client_id: str = Field(min_length=1, max_length=64)
    file_ids: list[int] = Field(default_factory=list, max_length=10)


class GradeSave(Body):
    points: float
    feedback: str = Field("", max_length=10_000)


class SubmissionFileOut(Out):
    id: int
    name: str
    size: int
    mime: str
    url: str


class SubmissionOut(Out):
    id: int
    assignment_id: int
    user_id: int
    text: str
    status: SubmissionStatus
    revision: int
    submitted_at: UTCDatetime
    late_days: int
    raw_points: float | None
    points: float | None
    feedback: str
    graded_at: UTCDatetime | None
    files: list[SubmissionFileOut] = Field(default_factory=list)


class MySubmission(Out):
    submission: SubmissionOut | None


class StudentSubmission(Out):
    user_id: int
    display_name: str
    submission: SubmissionOut | None


class SubmissionList(Out):
    items: list[StudentSubmission]
