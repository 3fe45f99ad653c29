"""REST shapes of individual education plans (``docs/education-plans.md``)."""

from __future__ import annotations

from pydantic import Field

from lms.models import AccommodationKind, PlanAccessAction, PlanAccessOutcome
from server.schemas import Body, Out, Query, UTCDatetime

SEMESTER = r"^\d{4}-(1|2|summer|winter)$"
Id = Field(gt=0, le=2**31 - 1)


class GoalIn(Body):
    area: str = Field(min_length=1, max_length=100)
    goal: str = Field(min_length=1, max_length=1000)
    measure: str = Field("", max_length=500)


class AccommodationIn(Body):
    kind: AccommodationKind
    detail: str = Field("", max_length=500)


class PlanCreate(Body):
    admission_id: int = Id
    semester: str = Field(min_length=6, max_length=16, pattern=SEMESTER)
    goals: list[GoalIn] = Field(default_factory=list, max_length=30)
    accommodations: list[AccommodationIn] = Field(default_factory=list, max_length=20)
    instructor_notes: str = Field("", max_length=4000)
    client_id: str = Field(min_length=1, max_length=64)


class PlanUpdate(Body):
    version: int = Field(ge=1)
    goals: list[GoalIn] | None = Field(None, max_length=30)
    accommodations: list[AccommodationIn] | None = Field(None, max_length=20)
    instructor_notes: str | None = Field(None, max_length=4000)


class HealthNoteCreate(Body):
    body: str = Field(min_length=1, max_length=4000)


class GrantCreate(Body):
    user_id: int = Id


class LogQuery(Query):
    plan_id: int | None = Field(None, gt=0, le=2**31 - 1)
    student_id: int | None = Field(None, gt=0, le=2**31 - 1)
    limit: int = Field(100, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class Person(Out):
    id: int
    display_name: str


class Stay(Out):
    admission_id: int
    student: Person
    class_name: str
    home_school_id: int
    home_school_name: str


class RightsOut(Out):
    read: bool
    write: bool
    health_read: bool
    health_write: bool
    admin: bool


class GoalOut(Out):
    area: str
    goal: str
    measure: str


class AccommodationOut(Out):
    kind: AccommodationKind
    detail: str


class HealthNoteOut(Out):
    id: int
    body: str
    author: Person
    created_at: UTCDatetime


class GrantOut(Out):
    user: Person
    granted_at: UTCDatetime


class PlanSummary(Out):
    id: int
    programme_id: int
    semester: str
    stay: Stay
    updated_at: UTCDatetime
    rights: RightsOut


class PlanList(Out):
    items: list[PlanSummary]


class StayList(Out):
    items: list[Stay]


class PlanOut(PlanSummary):
    goals: list[GoalOut]
    accommodations: list[AccommodationOut]
    instructor_notes: str
    version: int
    created_by: Person
    updated_by: Person
    # null: the reader may not see health notes (not "there are none")
    health_notes: list[HealthNoteOut] | None
    health_grants: list[GrantOut] | None


class AccessEntry(Out):
    id: int
    plan_id: int
    student: Person
    user: Person
    action: PlanAccessAction
    # "refused": the user asked without the right and was told not found / forbidden
    outcome: PlanAccessOutcome
    detail: str
    at: UTCDatetime


class AccessLog(Out):
    items: list[AccessEntry]
    total: int
