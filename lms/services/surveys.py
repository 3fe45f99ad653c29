"""Satisfaction surveys: build a questionnaire, open it to audiences, collect, aggregate.

Who may do what:
- the owner's managers (``lms.services.owners``) build, open, close and read results;
- students and instructors of the owner answer with their accounts when the survey is for
  their group; guardians answer through single-use links (no account), made by a manager;
- one response per person or link: a retry with the same ``client_id`` is acknowledged again,
  a second questionnaire from the same person is refused (``conflict``). An anonymous response
  cannot be found again to be replaced, so "replace" is not offered for any survey.

Anonymity (``docs/surveys.md``): an anonymous survey's response rows carry no person, link,
time or sequential id; "has responded" lives in ``survey_participation`` with the day only.
Its results are shown once the survey has closed (so nobody can watch one person's answer
arrive), and a group with fewer than ``MIN_GROUP_SIZE`` responses is not shown at all.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    Admission,
    OwnerKind,
    Role,
    Survey,
    SurveyAnswer,
    SurveyAudience,
    SurveyGuardianLink,
    SurveyParticipation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyStatus,
    User,
)
from lms.services import clean_text, moment, owners
from lms.services.owners import Membership, Owner

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

MIN_GROUP_SIZE = 3
MAX_QUESTIONS = 60
MAX_OPTIONS = 20
TEXT_ANSWER_MAX = 2000
LIKERT_POINTS = 5
MAX_LINKS_PER_CALL = 500
# Korea keeps no daylight saving time: a fixed +09:00 offset is exact.
SEOUL = timezone(timedelta(hours=9), "KST")

ACCOUNT_AUDIENCE = {
    Membership.STUDENT: SurveyAudience.STUDENTS,
    Membership.INSTRUCTOR: SurveyAudience.INSTRUCTORS,
}


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    kind: SurveyQuestionKind
    prompt: str
    required: bool = True
    options: Sequence[str] = ()


@dataclass(slots=True)
class SurveyView:
    """A survey as its reader sees it: the questions, and for a respondent whether they answered."""

    survey: Survey
    questions: list[SurveyQuestion]
    owner_name: str
    manager: bool
    responded: bool | None = None
    accepting: bool = False


@dataclass(slots=True)
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    counts: list[int] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GroupResult:
    audience: SurveyAudience
    responses: int | None
    suppressed: bool
    questions: list[QuestionResult]


@dataclass(slots=True)
class SurveyResults:
    survey: Survey
    questions: list[SurveyQuestion]
    available: bool
    unavailable_reason: str | None
    participation: dict[SurveyAudience, tuple[int, int]]  # responded, invited
    groups: list[GroupResult]
    min_group_size: int = MIN_GROUP_SIZE


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def today(now: datetime) -> date:
    """The day in Seoul: the only time "has responded" keeps, and overdue is counted in."""
    return now.astimezone(SEOUL).date()


def accepting(survey: Survey, now: datetime) -> bool:
    if survey.status is not SurveyStatus.OPEN:
        return False
    if survey.opens_at is not None and now < survey.opens_at:
        return False
    return survey.closes_at is None or now < survey.closes_at


def _owner(survey: Survey) -> Owner:
    return Owner(survey.owner_kind, survey.owner_id)


# -- building -------------------------------------------------------------------------------


def _options(spec: QuestionSpec, index: int) -> list[str]:
    where = f"questions[{index}].options"
    options = [clean_text(option, where, max_chars=200) for option in spec.options]
    if spec.kind is SurveyQuestionKind.LIKERT:
        if len(options) != LIKERT_POINTS:
            raise InvalidInput(f"a Likert question has {LIKERT_POINTS} labels", field=where)
    elif spec.kind in (SurveyQuestionKind.SINGLE_CHOICE, SurveyQuestionKind.MULTI_CHOICE):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(f"a choice question has 2 to {MAX_OPTIONS} options", field=where)
        if len(set(options)) != len(options):
            raise InvalidInput("options must differ from one another", field=where)
    elif options:
        raise InvalidInput("a free-text question has no options", field=where)
    return options


def _questions(survey_id: int, specs: Sequence[QuestionSpec]) -> list[SurveyQuestion]:
    if len(specs) > MAX_QUESTIONS:
        raise InvalidInput(f"at most {MAX_QUESTIONS} questions", field="questions")
    return [
        SurveyQuestion(
            survey_id=survey_id,
            position=index,
            kind=spec.kind,
            prompt=clean_text(spec.prompt, f"questions[{index}].prompt", max_chars=500),
            required=spec.required,
            options=_options(spec, index),
        )
        for index, spec in enumerate(specs)
    ]


def _check_window(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidInput("the survey must close after it opens", field="closes_at")


async def create_survey(
    db: AsyncSession,
    actor: User,
    *,
    owner_kind: OwnerKind,
    owner_id: int,
    title: str,
    semester: str,
    audiences: Sequence[SurveyAudience],
    anonymous: bool = True,
    description: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    questions: Sequence[QuestionSpec] = (),
    now: datetime | None = None,
) -> Survey:
    """A draft survey; it can be edited freely until it is opened."""
    owner = Owner(owner_kind, owner_id)
    await owners.require_manager(db, actor, owner)
    _check_window(opens_at, closes_at)
    at = moment(now)
    survey = Survey(
        owner_kind=owner_kind,
        owner_id=owner_id,
        title=clean_text(title, "title", max_chars=200),
        description=clean_text(description, "description", max_chars=5000, min_chars=0),
        semester=clean_text(semester, "semester", max_chars=16),
        anonymous=anonymous,
        opens_at=opens_at,
        closes_at=closes_at,
        status=SurveyStatus.DRAFT,
        created_by=actor.id,
        created_at=at,
        updated_at=at,
    )
    _set_audiences(survey, audiences)
    db.add(survey)
    await db.flush()
    db.add_all(_questions(survey.id, questions))
    await db.flush()
    return survey


def _set_audiences(survey: Survey, audiences: Sequence[SurveyAudience]) -> None:
    wanted = set(audiences)
    survey.for_students = SurveyAudience.STUDENTS in wanted
    survey.for_guardians = SurveyAudience.GUARDIANS in wanted
    survey.for_instructors = SurveyAudience.INSTRUCTORS in wanted


async def _managed_survey(db: AsyncSession, actor: User, survey_id: int) -> Survey:
    survey = await db.get(Survey, survey_id)
    if survey is None:
        raise NotFound("no such survey", survey_id=survey_id)
    if not await owners.manages(db, actor, _owner(survey)):
        raise Forbidden("only the survey's managers may do this", survey_id=survey_id)
    return survey


async def update_survey(
    db: AsyncSession,
    actor: User,
    survey_id: int,
    *,
    questions: Sequence[QuestionSpec] | None = None,
    audiences: Sequence[SurveyAudience] | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Survey:
    """Edit a draft. Once open, only the closing time may move: respondents answered this form."""
    survey = await _managed_survey(db, actor, survey_id)
    editable = {"title", "description", "semester", "anonymous", "opens_at", "closes_at"}
    unknown = set(fields) - editable
    if unknown:
        raise InvalidInput(f"cannot change {sorted(unknown)}")
    if survey.status is not SurveyStatus.DRAFT:
        if questions is not None or audiences is not None or set(fields) - {"closes_at"}:
            raise Conflict("an opened survey keeps its questions; only closes_at may change")
        if survey.status is SurveyStatus.CLOSED:
            raise Conflict("the survey is closed")
    for name in ("title", "semester"):
        if name in fields:
            limit = 200 if name == "title" else 16
            setattr(survey, name, clean_text(fields[name], name, max_chars=limit))
    if "description" in fields:
        survey.description = clean_text(
            fields["description"], "description", max_chars=5000, min_chars=0
        )
    if "anonymous" in fields:
        survey.anonymous = bool(fields["anonymous"])
    if "opens_at" in fields:
        survey.opens_at = fields["opens_at"]
    if "closes_at" in fields:
        survey.closes_at = fields["closes_at"]
    _check_window(survey.opens_at, survey.closes_at)
    if audiences is not None:
        _set_audiences(survey, audiences)
    if questions is not None:
        await db.execute(delete(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id))
        db.add_all(_questions(survey.id, questions))
    survey.updated_at = moment(now)
    await db.flush()
    return survey


async def delete_survey(db: AsyncSession, actor: User, survey_id: int) -> None:
    """Only a draft can be deleted: nobody has answered it yet."""
    survey = await _managed_survey(db, actor, survey_id)
    if survey.status is not SurveyStatus.DRAFT:
        raise Conflict("only a draft can be deleted; close the survey instead")
    await db.execute(delete(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id))
    await db.execute(delete(SurveyGuardianLink).where(SurveyGuardianLink.survey_id == survey.id))
    await db.delete(survey)
    await db.flush()


async def copy_survey(
    db: AsyncSession,
    actor: User,
    survey_id: int,
    *,
    semester: str,
    title: str | None = None,
    now: datetime | None = None,
) -> Survey:
    """Next semester's survey: a new draft with the same questions, audiences and anonymity."""
    source = await _managed_survey(db, actor, survey_id)
    questions = await questions_of(db, source.id)
    return await create_survey(
        db,
        actor,
        owner_kind=source.owner_kind,
        owner_id=source.owner_id,
        title=title if title is not None else source.title,
        description=source.description,
        semester=semester,
        audiences=source.audiences,
        anonymous=source.anonymous,
        questions=[QuestionSpec(q.kind, q.prompt, q.required, q.options) for q in questions],
        now=now,
    )


async def questions_of(db: AsyncSession, survey_id: int) -> list[SurveyQuestion]:
    rows = await db.scalars(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey_id)
        .order_by(SurveyQuestion.position)
    )
    return list(rows)


async def open_survey(
    db: AsyncSession, actor: User, survey_id: int, *, now: datetime | None = None
) -> Survey:
    """Send it: from now (or ``opens_at``) its audiences may answer. Idempotent."""
    survey = await _managed_survey(db, actor, survey_id)
    if survey.status is SurveyStatus.OPEN:
        return survey
    if survey.status is SurveyStatus.CLOSED:
        raise Conflict("a closed survey cannot be reopened; copy it for the next semester")
    if not survey.audiences:
        raise InvalidInput("choose at least one audience", field="audiences")
    if not await questions_of(db, survey.id):
        raise InvalidInput("add at least one question", field="questions")
    at = moment(now)
    if survey.closes_at is not None and survey.closes_at <= at:
        raise InvalidInput("the closing time has already passed", field="closes_at")
    survey.status = SurveyStatus.OPEN
    survey.updated_at = at
    await db.flush()
    return survey


async def close_survey(
    db: AsyncSession, actor: User, survey_id: int, *, now: datetime | None = None
) -> Survey:
    survey = await _managed_survey(db, actor, survey_id)
    if survey.status is SurveyStatus.DRAFT:
        raise Conflict("a draft was never opened; delete it instead")
    await _close(db, survey, moment(now))
    return survey


async def _locked(db: AsyncSession, survey_id: int, *, shared: bool) -> Survey | None:
    """The survey row re-read under a lock (PostgreSQL; SQLite serialises writers anyway).

    Answers take it shared and closing takes it exclusive, so a close waits for answers in
    flight and then rewrites them too, and an answer arriving during a close sees it closed.
    """
    return await db.scalar(
        select(Survey)
        .where(Survey.id == survey_id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    )


async def _close(db: AsyncSession, survey: Survey, at: datetime) -> None:
    if survey.status is SurveyStatus.CLOSED:
        return
    await _locked(db, survey.id, shared=False)
    if survey.status is SurveyStatus.CLOSED:  # closed by someone else while we waited
        return
    survey.status = SurveyStatus.CLOSED
    if survey.closes_at is None or survey.closes_at > at:
        survey.closes_at = at
    survey.updated_at = at
    if survey.anonymous:
        await _reshuffle(db, survey.id)
    await db.flush()


async def _reshuffle(db: AsyncSession, survey_id: int) -> None:
    """Rewrite an anonymous survey's responses in random order under fresh random keys.

    While a survey is open the newest rows sit last in the table's storage; after this, the
    stored order says nothing about the order in which people answered.
    """
    responses = list(
        await db.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
    )
    if not responses:
        return
    ids = [response.id for response in responses]
    answers = list(await db.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id.in_(ids))))
    by_response: dict[str, list[SurveyAnswer]] = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, []).append(answer)
    rows = [
        (response.audience, [(a.question_id, a.value) for a in by_response.get(response.id, [])])
        for response in responses
    ]
    await db.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(ids)))
    await db.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(ids)))
    for stale in (*responses, *answers):
        db.expunge(stale)
    random.SystemRandom().shuffle(rows)
    for audience, values in rows:
        await _store_response(db, survey_id, audience, values, respondent=None, label=None, at=None)


async def refresh_status(db: AsyncSession, survey: Survey, now: datetime) -> None:
    """An open survey past its closing time is closed for good when next looked at."""
    if (
        survey.status is SurveyStatus.OPEN
        and survey.closes_at is not None
        and now >= survey.closes_at
    ):
        await _close(db, survey, now)


# -- reading --------------------------------------------------------------------------------


async def list_surveys(
    db: AsyncSession,
    viewer: User,
    *,
    owner: Owner | None = None,
    now: datetime | None = None,
) -> list[SurveyView]:
    """Managers: every survey of the owners they manage. Others: open surveys for their groups."""
    at = moment(now)
    managed = await owners.managed_owners(db, viewer)
    if owner is not None:
        managed = [o for o in managed if o == owner]
    views: list[SurveyView] = []
    seen: set[int] = set()
    names = await owners.owner_names(db, managed)

    async def name(o: Owner) -> str:
        if o not in names:
            names[o] = await owners.owner_name(db, o)
        return names[o]

    # One query per kind of owner, however many schools a platform admin manages.
    by_kind: dict[OwnerKind, list[int]] = {}
    for o in managed:
        by_kind.setdefault(o.kind, []).append(o.id)
    for kind, ids in by_kind.items():
        rows = await db.scalars(
            select(Survey)
            .where(Survey.owner_kind == kind, Survey.owner_id.in_(ids))
            .order_by(Survey.created_at.desc(), Survey.id.desc())
        )
        for survey in rows:
            await refresh_status(db, survey, at)
            seen.add(survey.id)
            o = _owner(survey)
            views.append(SurveyView(survey, [], await name(o), True, None, accepting(survey, at)))
    for o, membership in await owners.memberships(db, viewer):
        if owner is not None and o != owner:
            continue
        audience = ACCOUNT_AUDIENCE[membership]
        flag = (
            Survey.for_students if audience is SurveyAudience.STUDENTS else Survey.for_instructors
        )
        rows = await db.scalars(
            select(Survey)
            .where(
                Survey.owner_kind == o.kind,
                Survey.owner_id == o.id,
                Survey.status == SurveyStatus.OPEN,
                flag.is_(True),
            )
            .order_by(Survey.created_at.desc(), Survey.id.desc())
        )
        for survey in rows:
            await refresh_status(db, survey, at)
            if survey.id in seen or survey.status is not SurveyStatus.OPEN:
                continue
            seen.add(survey.id)
            responded = await _has_responded(db, survey.id, viewer.id)
            views.append(
                SurveyView(survey, [], await name(o), False, responded, accepting(survey, at))
            )
    return views


async def _has_responded(db: AsyncSession, survey_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(SurveyParticipation.id).where(
            SurveyParticipation.survey_id == survey_id, SurveyParticipation.user_id == user_id
        )
    )
    return found is not None


async def _respondent_audience(db: AsyncSession, user: User, survey: Survey) -> SurveyAudience:
    """The group the user answers as; refused when the survey is not for any of their groups."""
    for membership in await owners.membership_in(db, user, _owner(survey)):
        audience = ACCOUNT_AUDIENCE[membership]
        if audience in survey.audiences:
            return audience
    raise Forbidden("this survey is not for you", survey_id=survey.id)


async def get_survey(
    db: AsyncSession, viewer: User, survey_id: int, *, now: datetime | None = None
) -> SurveyView:
    """Managers always; respondents while it is open for their group (a draft is not found)."""
    at = moment(now)
    survey = await db.get(Survey, survey_id)
    if survey is None:
        raise NotFound("no such survey", survey_id=survey_id)
    await refresh_status(db, survey, at)
    owner = _owner(survey)
    name = await owners.owner_name(db, owner)
    questions = await questions_of(db, survey.id)
    if await owners.manages(db, viewer, owner):
        return SurveyView(survey, questions, name, True, None, accepting(survey, at))
    if survey.status is SurveyStatus.DRAFT:
        raise NotFound("no such survey", survey_id=survey_id)
    await _respondent_audience(db, viewer, survey)
    responded = await _has_responded(db, survey.id, viewer.id)
    return SurveyView(survey, questions, name, False, responded, accepting(survey, at))


# -- answering ------------------------------------------------------------------------------


def _validate_answers(
    questions: Sequence[SurveyQuestion], answers: dict[int, Any]
) -> list[tuple[int, Any]]:
    """Each answer checked against its question; required questions must be answered."""
    by_id = {question.id: question for question in questions}
    unknown = set(answers) - set(by_id)
    if unknown:
        raise InvalidInput(
            "answers name questions not in this survey", question_ids=sorted(unknown)
        )
    values: list[tuple[int, Any]] = []
    for question in questions:
        where = f"answers[{question.id}]"
        value = answers.get(question.id)
        if value is None or value == "" or value == []:
            if question.required:
                raise InvalidInput("this question needs an answer", field=where)
            continue
        kind = question.kind
        if kind is SurveyQuestionKind.LIKERT:
            if type(value) is not int or not 1 <= value <= LIKERT_POINTS:
                raise InvalidInput(f"a Likert answer is 1 to {LIKERT_POINTS}", field=where)
        elif kind is SurveyQuestionKind.SINGLE_CHOICE:
            if type(value) is not int or not 0 <= value < len(question.options):
                raise InvalidInput("choose one of the options", field=where)
        elif kind is SurveyQuestionKind.MULTI_CHOICE:
            if (
                not isinstance(value, list)
                or any(type(v) is not int or not 0 <= v < len(question.options) for v in value)
                or len(set(value)) != len(value)
            ):
                raise InvalidInput("choose options from the list, each once", field=where)
            value = sorted(value)
        else:
            value = clean_text(value, where, max_chars=TEXT_ANSWER_MAX)
        values.append((question.id, value))
    return values


async def _store_response(
    db: AsyncSession,
    survey_id: int,
    audience: SurveyAudience,
    values: Sequence[tuple[int, Any]],
    *,
    respondent: int | None,
    label: str | None,
    at: datetime | None,
) -> SurveyResponse:
    response = SurveyResponse(
        id=secrets.token_hex(16),
        survey_id=survey_id,
        audience=audience,
        respondent_id=respondent,
        respondent_label=label,
        submitted_at=at,
    )
    db.add(response)
    await db.flush()
    db.add_all(
        SurveyAnswer(response_id=response.id, question_id=qid, value=value) for qid, value in values
    )
    await db.flush()
    return response


async def _record(
    db: AsyncSession,
    survey: Survey,
    audience: SurveyAudience,
    values: list[tuple[int, Any]],
    *,
    participation: SurveyParticipation,
    respondent: int | None,
    label: str | None,
    at: datetime,
) -> None:
    """The marker and the response in one transaction; the marker's uniqueness stops doubles."""
    db.add(participation)
    try:
        await db.flush()
    except IntegrityError:
        # A concurrent submission by the same person won the unique marker; this one is refused
        # and its transaction rolled back by the caller.
        raise Conflict("you have already answered this survey", survey_id=survey.id) from None
    if survey.anonymous:
        await _store_response(db, survey.id, audience, values, respondent=None, label=None, at=None)
    else:
        await _store_response(
            db, survey.id, audience, values, respondent=respondent, label=label, at=at
        )


async def submit(
    db: AsyncSession,
    user: User,
    survey_id: int,
    answers: dict[int, Any],
    *,
    client_id: str,
    now: datetime | None = None,
) -> bool:
    """Answer as a student or instructor. Returns False for a retry of the same submission."""
    client_id = clean_text(client_id, "client_id", max_chars=64)
    at = moment(now)
    survey = await db.get(Survey, survey_id)
    if survey is None or survey.status is SurveyStatus.DRAFT:
        raise NotFound("no such survey", survey_id=survey_id)
    await refresh_status(db, survey, at)
    await _locked(db, survey.id, shared=True)
    audience = await _respondent_audience(db, user, survey)
    previous = await db.scalar(
        select(SurveyParticipation).where(
            SurveyParticipation.survey_id == survey.id, SurveyParticipation.user_id == user.id
        )
    )
    if previous is not None:
        if previous.client_id == client_id:
            return False
        raise Conflict("you have already answered this survey", survey_id=survey.id)
    if not accepting(survey, at):
        raise Conflict("this survey is not accepting answers", survey_id=survey.id)
    values = _validate_answers(await questions_of(db, survey.id), answers)
    marker = SurveyParticipation(
        survey_id=survey.id,
        audience=audience,
        user_id=user.id,
        client_id=client_id,
        responded_on=today(at),
    )
    await _record(
        db, survey, audience, values, participation=marker, respondent=user.id, label=None, at=at
    )
    return True


# -- guardian links -------------------------------------------------------------------------


async def student_guardian_labels(db: AsyncSession, survey: Survey) -> list[str]:
    """One label per current student of the owner: "<guardian> (<student> 보호자)".

    A hospital admission records the guardian's name; a school has only the student's.
    """
    owner = _owner(survey)
    students = await owners.members(db, owner, Membership.STUDENT)
    guardians: dict[int, str] = {}
    if owner.kind is OwnerKind.PROGRAMME and students:
        rows = await db.execute(
            select(Admission.student_id, Admission.guardian_name)
            .where(
                Admission.programme_id == owner.id,
                Admission.student_id.in_([student.id for student in students]),
            )
            .order_by(Admission.admitted_on, Admission.id)
        )
        guardians = {student_id: name for student_id, name in rows.tuples() if name.strip()}
    labels = []
    for student in students:
        label = f"{student.display_name} 보호자"
        if student.id in guardians:
            label = f"{guardians[student.id].strip()} ({label})"
        labels.append(label[:100])
    return labels


async def create_links(
    db: AsyncSession,
    actor: User,
    survey_id: int,
    labels: Sequence[str] = (),
    *,
    for_students: bool = False,
    now: datetime | None = None,
) -> list[tuple[SurveyGuardianLink, str]]:
    """One single-use link per guardian. The raw token is returned now and never again.

    ``for_students`` makes one link for each current student's guardian that has none yet
    (a link not revoked with the same label), so pressing it again after new admissions adds
    only the newcomers.
    """
    survey = await _managed_survey(db, actor, survey_id)
    if not survey.for_guardians:
        raise Conflict("this survey is not for guardians", survey_id=survey.id)
    if survey.status is SurveyStatus.CLOSED:
        raise Conflict("the survey is closed", survey_id=survey.id)
    if for_students:
        if labels:
            raise InvalidInput("give labels or for_students, not both", field="labels")
        taken = set(
            await db.scalars(
                select(SurveyGuardianLink.label).where(
                    SurveyGuardianLink.survey_id == survey.id,
                    SurveyGuardianLink.revoked.is_(False),
                )
            )
        )
        labels = [
            label for label in await student_guardian_labels(db, survey) if label not in taken
        ]
        if not labels:
            return []
    if not 1 <= len(labels) <= MAX_LINKS_PER_CALL:
        raise InvalidInput(f"1 to {MAX_LINKS_PER_CALL} links at a time", field="labels")
    at = moment(now)
    made: list[tuple[SurveyGuardianLink, str]] = []
    for index, label in enumerate(labels):
        token = secrets.token_urlsafe(24)
        link = SurveyGuardianLink(
            survey_id=survey.id,
            token_hash=token_hash(token),
            label=clean_text(label, f"labels[{index}]", max_chars=100, min_chars=0),
            created_by=actor.id,
            created_at=at,
        )
        db.add(link)
        made.append((link, token))
    await db.flush()
    return made


async def list_links(db: AsyncSession, actor: User, survey_id: int) -> list[SurveyGuardianLink]:
    survey = await _managed_survey(db, actor, survey_id)
    rows = await db.scalars(
        select(SurveyGuardianLink)
        .where(SurveyGuardianLink.survey_id == survey.id)
        .order_by(SurveyGuardianLink.id)
    )
    return list(rows)


async def revoke_link(db: AsyncSession, actor: User, survey_id: int, link_id: int) -> None:
    """A link handed to the wrong person stops working; an answer already given stays."""
    survey = await _managed_survey(db, actor, survey_id)
    link = await db.get(SurveyGuardianLink, link_id)
    if link is None or link.survey_id != survey.id:
        raise NotFound("no such link", link_id=link_id)
    link.revoked = True
    await db.flush()


async def _link(db: AsyncSession, token: str) -> tuple[SurveyGuardianLink, Survey]:
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        raise NotFound("no such link")
    link = await db.scalar(
        select(SurveyGuardianLink).where(SurveyGuardianLink.token_hash == token_hash(token))
    )
    if link is None or link.revoked:
        raise NotFound("no such link")
    survey = await db.get(Survey, link.survey_id)
    if survey is None or survey.status is SurveyStatus.DRAFT:
        raise NotFound("no such link")
    return link, survey


async def survey_for_link(
    db: AsyncSession, token: str, *, now: datetime | None = None
) -> tuple[SurveyView, bool]:
    """What a guardian sees behind the link, and whether it was already used."""
    at = moment(now)
    link, survey = await _link(db, token)
    await refresh_status(db, survey, at)
    name = await owners.owner_name(db, _owner(survey))
    view = SurveyView(
        survey,
        await questions_of(db, survey.id),
        name,
        False,
        link.used_on is not None,
        accepting(survey, at),
    )
    return view, link.used_on is not None


async def submit_by_link(
    db: AsyncSession,
    token: str,
    answers: dict[int, Any],
    *,
    client_id: str,
    now: datetime | None = None,
) -> bool:
    """Answer as a guardian; the link is spent in the same transaction as the answer."""
    client_id = clean_text(client_id, "client_id", max_chars=64)
    at = moment(now)
    link, survey = await _link(db, token)
    await refresh_status(db, survey, at)
    await _locked(db, survey.id, shared=True)
    if link.used_on is not None:
        if link.use_client_id == client_id:
            return False
        raise Conflict("this link has already been used")
    if not accepting(survey, at):
        raise Conflict("this survey is not accepting answers", survey_id=survey.id)
    values = _validate_answers(await questions_of(db, survey.id), answers)
    # Spend the link atomically: of two concurrent submissions only one finds it unused.
    spent = await db.execute(
        update(SurveyGuardianLink)
        .where(SurveyGuardianLink.id == link.id, SurveyGuardianLink.used_on.is_(None))
        .values(used_on=today(at), use_client_id=client_id)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise Conflict("this link has already been used")
    marker = SurveyParticipation(
        survey_id=survey.id,
        audience=SurveyAudience.GUARDIANS,
        link_id=link.id,
        client_id=client_id,
        responded_on=today(at),
    )
    label = link.label or None
    await _record(
        db,
        survey,
        SurveyAudience.GUARDIANS,
        values,
        participation=marker,
        respondent=None,
        label=label,
        at=at,
    )
    return True


# -- results --------------------------------------------------------------------------------


async def _invited(db: AsyncSession, survey: Survey) -> dict[SurveyAudience, int]:
    owner = _owner(survey)
    invited: dict[SurveyAudience, int] = {}
    if survey.for_students:
        invited[SurveyAudience.STUDENTS] = len(await owners.members(db, owner, Membership.STUDENT))
    if survey.for_instructors:
        invited[SurveyAudience.INSTRUCTORS] = len(
            await owners.members(db, owner, Membership.INSTRUCTOR)
        )
    if survey.for_guardians:
        invited[SurveyAudience.GUARDIANS] = int(
            await db.scalar(
                select(func.count(SurveyGuardianLink.id)).where(
                    SurveyGuardianLink.survey_id == survey.id,
                    SurveyGuardianLink.revoked.is_(False),
                )
            )
            or 0
        )
    return invited


def _aggregate(
    questions: Sequence[SurveyQuestion], answers: Sequence[SurveyAnswer]
) -> list[QuestionResult]:
    results = {q.id: QuestionResult(q) for q in questions}
    for result in results.values():
        kind = result.question.kind
        if kind is SurveyQuestionKind.LIKERT:
            result.counts = [0] * LIKERT_POINTS
        elif kind is not SurveyQuestionKind.TEXT:
            result.counts = [0] * len(result.question.options)
    for answer in answers:
        result = results.get(answer.question_id)
        if result is None:
            continue
        result.answered += 1
        kind = result.question.kind
        if kind is SurveyQuestionKind.LIKERT:
            result.counts[answer.value - 1] += 1
        elif kind is SurveyQuestionKind.SINGLE_CHOICE:
            result.counts[answer.value] += 1
        elif kind is SurveyQuestionKind.MULTI_CHOICE:
            for index in answer.value:
                result.counts[index] += 1
        else:
            result.texts.append(answer.value)
    for result in results.values():
        if result.question.kind is SurveyQuestionKind.LIKERT and result.answered:
            total = sum((i + 1) * c for i, c in enumerate(result.counts))
            result.mean = round(total / result.answered, 2)
        # Sorted, so the list's order never follows the order of submission.
        result.texts.sort()
    return [results[q.id] for q in questions]


async def results(
    db: AsyncSession, actor: User, survey_id: int, *, now: datetime | None = None
) -> SurveyResults:
    """Aggregates by audience group; anonymous surveys only when closed, small groups hidden."""
    at = moment(now)
    survey = await _managed_survey(db, actor, survey_id)
    await refresh_status(db, survey, at)
    questions = await questions_of(db, survey.id)
    invited = await _invited(db, survey)
    responded_rows = await db.execute(
        select(SurveyParticipation.audience, func.count(SurveyParticipation.id))
        .where(SurveyParticipation.survey_id == survey.id)
        .group_by(SurveyParticipation.audience)
    )
    responded = dict(responded_rows.tuples().all())
    participation = {
        audience: (int(responded.get(audience, 0)), invited.get(audience, 0))
        for audience in survey.audiences
    }
    if survey.anonymous and survey.status is not SurveyStatus.CLOSED:
        return SurveyResults(survey, questions, False, "anonymous_open", participation, [])
    groups: list[GroupResult] = []
    for audience in survey.audiences:
        response_ids = select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.audience == audience
        )
        count = int(await db.scalar(select(func.count()).select_from(response_ids.subquery())) or 0)
        if survey.anonymous and count < MIN_GROUP_SIZE:
            groups.append(GroupResult(audience, None, True, []))
            continue
        answers = await db.scalars(
            select(SurveyAnswer).where(SurveyAnswer.response_id.in_(response_ids))
        )
        groups.append(GroupResult(audience, count, False, _aggregate(questions, list(answers))))
    return SurveyResults(survey, questions, True, None, participation, groups)


@dataclass(slots=True)
class NamedResponse:
    audience: SurveyAudience
    respondent_id: int | None
    respondent_label: str | None
    submitted_at: datetime | None
    answers: dict[int, Any]


async def named_responses(db: AsyncSession, actor: User, survey_id: int) -> list[NamedResponse]:
    """Each response with who gave it; only for a survey that is not anonymous."""
    survey = await _managed_survey(db, actor, survey_id)
    if survey.anonymous:
        raise Forbidden("an anonymous survey's responses cannot be read one by one")
    responses = list(
        await db.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
            .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
        )
    )
    answers = await db.scalars(
        select(SurveyAnswer).where(SurveyAnswer.response_id.in_([r.id for r in responses]))
    )
    by_response: dict[str, dict[int, Any]] = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, {})[answer.question_id] = answer.value
    return [
        NamedResponse(
            r.audience,
            r.respondent_id,
            r.respondent_label,
            r.submitted_at,
            by_response.get(r.id, {}),
        )
        for r in responses
    ]


# -- demo -----------------------------------------------------------------------------------

DEMO_LIKERT = ["전혀 그렇지 않다", "그렇지 않다", "보통이다", "그렇다", "매우 그렇다"]


async def seed_surveys(db: AsyncSession, logins: DemoLogins) -> None:
    """An open end-of-semester survey in the demo school, for students, guardians, teachers."""
    exists = await db.scalar(
        select(Survey.id)
        .where(Survey.owner_kind == OwnerKind.SCHOOL, Survey.owner_id == logins.school_id)
        .limit(1)
    )
    if exists is not None:
        return
    admin = await db.scalar(
        select(User).where(User.school_id == logins.school_id, User.role == Role.SCHOOL_ADMIN)
    )
    if admin is None:
        return
    survey = await create_survey(
        db,
        admin,
        owner_kind=OwnerKind.SCHOOL,
        owner_id=logins.school_id,
        title="2학기 원격수업 만족도 조사",
        description="더 좋은 수업을 위해 솔직하게 답해 주세요. 익명으로 모읍니다.",
        semester="2026-2",
        audiences=[SurveyAudience.STUDENTS, SurveyAudience.GUARDIANS, SurveyAudience.INSTRUCTORS],
        anonymous=True,
        questions=[
            QuestionSpec(
                SurveyQuestionKind.LIKERT,
                "원격수업이 배우는 데 도움이 되었나요?",
                True,
                DEMO_LIKERT,
            ),
            QuestionSpec(
                SurveyQuestionKind.LIKERT, "화면과 소리는 잘 보이고 들렸나요?", True, DEMO_LIKERT
            ),
            QuestionSpec(
                SurveyQuestionKind.MULTI_CHOICE,
                "수업에 주로 쓴 기기를 모두 골라 주세요.",
                False,
                ["태블릿", "노트북", "데스크톱", "휴대폰"],
            ),
            QuestionSpec(SurveyQuestionKind.TEXT, "바라는 점이 있으면 적어 주세요.", False),
        ],
    )
    await open_survey(db, admin, survey.id)
