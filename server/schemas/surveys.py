"""REST shapes of satisfaction surveys (``docs/surveys.md``)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lms.models import OwnerKind, SurveyAudience, SurveyQuestionKind, SurveyStatus
from server.schemas import AwareUTC, Body, Out, Query, UTCDatetime

ClientId = Field(min_length=1, max_length=64)
# "2026-1", "2026-2", or a vacation term ("2026-summer").
SEMESTER = r"^\d{4}-(1|2|summer|winter)$"


class OwnerRef(Out):
    kind: OwnerKind
    id: int
    name: str


class OwnerList(Out):
    items: list[OwnerRef]


class OwnerQuery(Query):
    owner_kind: OwnerKind | None = None
    owner_id: int | None = Field(None, gt=0, le=2**31 - 1)


class QuestionIn(Body):
    kind: SurveyQuestionKind
    prompt: str = Field(min_length=1, max_length=500)
    required: bool = True
    options: list[str] = Field(default_factory=list, max_length=20)


class SurveyCreate(Body):
    owner_kind: OwnerKind
    owner_id: int = Field(gt=0, le=2**31 - 1)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    semester: str = Field(min_length=6, max_length=16, pattern=SEMESTER)
    audiences: list[SurveyAudience] = Field(min_length=1, max_length=3)
    anonymous: bool = True
    opens_at: AwareUTC | None = None
    closes_at: AwareUTC | None = None
    questions: list[QuestionIn] = Field(default_factory=list, max_length=60)


class SurveyUpdate(Body):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    semester: str | None = Field(None, min_length=6, max_length=16, pattern=SEMESTER)
    audiences: list[SurveyAudience] | None = Field(None, min_length=1, max_length=3)
    anonymous: bool | None = None
    opens_at: AwareUTC | None = None
    closes_at: AwareUTC | None = None
    questions: list[QuestionIn] | None = Field(None, max_length=60)


class SurveyCopy(Body):
    semester: str = Field(min_length=6, max_length=16, pattern=SEMESTER)
    title: str | None = Field(None, min_length=1, max_length=200)


class AnswerIn(Body):
    question_id: int = Field(gt=0, le=2**31 - 1)
    value: int | list[int] | str | None


class ResponseCreate(Body):
    client_id: str = ClientId
    answers: list[AnswerIn] = Field(max_length=60)


class ResponseAck(Out):
    ok: bool = True
    created: bool


class QuestionOut(Out):
    id: int
    position: int
    kind: SurveyQuestionKind
    prompt: str
    required: bool
    options: list[str]


class SurveySummary(Out):
    id: int
    owner: OwnerRef
    title: str
    semester: str
    audiences: list[SurveyAudience]
    anonymous: bool
    status: SurveyStatus
    opens_at: UTCDatetime | None
    closes_at: UTCDatetime | None
    accepting: bool
    manager: bool
    responded: bool | None


class SurveyList(Out):
    items: list[SurveySummary]


class SurveyDetail(SurveySummary):
    description: str
    questions: list[QuestionOut]


class LinkCreate(Body):
    """``labels`` (a link each) or ``for_students`` (a link per current student's guardian)."""

    labels: list[str] = Field(default_factory=list, max_length=500)
    for_students: bool = False


class LinkOut(Out):
    id: int
    label: str
    created_at: UTCDatetime
    used_on: date | None
    revoked: bool


class NewLinkOut(LinkOut):
    token: str
    path: str


class LinkList(Out):
    items: list[LinkOut]


class NewLinkList(Out):
    items: list[NewLinkOut]


class GuardianSurvey(Out):
    survey: SurveyDetail
    used: bool


class Participation(Out):
    audience: SurveyAudience
    responded: int
    invited: int


class OptionCount(Out):
    label: str
    count: int


class QuestionResultOut(Out):
    question_id: int
    kind: SurveyQuestionKind
    prompt: str
    answered: int
    options: list[OptionCount]
    mean: float | None
    texts: list[str]


class GroupResultOut(Out):
    audience: SurveyAudience
    responses: int | None
    suppressed: bool
    questions: list[QuestionResultOut]


class SurveyResultsOut(Out):
    survey: SurveySummary
    available: bool
    unavailable_reason: str | None
    min_group_size: int
    participation: list[Participation]
    groups: list[GroupResultOut]


class Respondent(Out):
    id: int | None
    display_name: str


class NamedResponseOut(Out):
    audience: SurveyAudience
    respondent: Respondent
    submitted_at: UTCDatetime | None
    answers: dict[str, int | list[int] | str]


class NamedResponseList(Out):
    items: list[NamedResponseOut]
