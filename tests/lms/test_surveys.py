"""Satisfaction surveys: the builder's rules, one response per person or link, anonymity that
holds with full database access, and results by group that hide small groups."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    OwnerKind,
    Survey,
    SurveyAnswer,
    SurveyAudience,
    SurveyGuardianLink,
    SurveyParticipation,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyStatus,
    User,
)
from lms.services import surveys
from lms.services.surveys import QuestionSpec
from tests.lms.conftest import World

Factory = async_sessionmaker[AsyncSession]
LIKERT = ["전혀 아니다", "아니다", "보통", "그렇다", "매우 그렇다"]
QUESTIONS = [
    QuestionSpec(SurveyQuestionKind.LIKERT, "수업에 만족합니까?", True, LIKERT),
    QuestionSpec(SurveyQuestionKind.SINGLE_CHOICE, "가장 좋은 시간", True, ["오전", "오후"]),
    QuestionSpec(SurveyQuestionKind.MULTI_CHOICE, "쓴 기기", False, ["태블릿", "노트북", "폰"]),
    QuestionSpec(SurveyQuestionKind.TEXT, "하고 싶은 말", False),
]


async def make_survey(
    db: Factory,
    world: World,
    *,
    anonymous: bool = True,
    audiences: tuple[SurveyAudience, ...] = (SurveyAudience.STUDENTS,),
    open_it: bool = True,
) -> tuple[int, list[int]]:
    async with db() as s, s.begin():
        survey = await surveys.create_survey(
            s,
            world.school_admin,
            owner_kind=OwnerKind.SCHOOL,
            owner_id=world.school.id,
            title="2학기 수업 만족도",
            semester="2026-2",
            audiences=audiences,
            anonymous=anonymous,
            questions=QUESTIONS,
        )
        if open_it:
            await surveys.open_survey(s, world.school_admin, survey.id)
        questions = [q.id for q in await surveys.questions_of(s, survey.id)]
        return survey.id, questions


def answers(qs: list[int], likert: int = 4, choice: int = 0, text: str | None = None) -> dict:
    found: dict[int, Any] = {qs[0]: likert, qs[1]: choice, qs[2]: [1, 0]}
    if text is not None:
        found[qs[3]] = text
    return found


async def submit(db: Factory, user: User, survey_id: int, values: dict, client_id: str) -> bool:
    async with db() as s, s.begin():
        return await surveys.submit(s, user, survey_id, values, client_id=client_id)


async def test_builder_refuses_malformed_questions(db: Factory, world: World) -> None:
    bad = [
        [QuestionSpec(SurveyQuestionKind.LIKERT, "만족?", True, ["1", "2", "3"])],
        [QuestionSpec(SurveyQuestionKind.SINGLE_CHOICE, "하나", True, ["only"])],
        [QuestionSpec(SurveyQuestionKind.MULTI_CHOICE, "둘", True, ["a", "a"])],
        [QuestionSpec(SurveyQuestionKind.TEXT, "글", True, ["x", "y"])],
        [QuestionSpec(SurveyQuestionKind.TEXT, "   ", True)],
    ]
    for questions in bad:
        with pytest.raises(InvalidInput):
            async with db() as s, s.begin():
                await surveys.create_survey(
                    s,
                    world.school_admin,
                    owner_kind=OwnerKind.SCHOOL,
                    owner_id=world.school.id,
                    title="t",
                    semester="2026-2",
                    audiences=[SurveyAudience.STUDENTS],
                    questions=questions,
                )
    now = datetime.now(UTC)
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await surveys.create_survey(
                s,
                world.school_admin,
                owner_kind=OwnerKind.SCHOOL,
                owner_id=world.school.id,
                title="t",
                semester="2026-2",
                audiences=[SurveyAudience.STUDENTS],
                opens_at=now,
                closes_at=now - timedelta(days=1),
            )
    # A survey cannot be opened without an audience or a question.
    async with db() as s, s.begin():
        empty = await surveys.create_survey(
            s,
            world.school_admin,
            owner_kind=OwnerKind.SCHOOL,
            owner_id=world.school.id,
            title="빈 설문",
            semester="2026-2",
            audiences=[SurveyAudience.STUDENTS],
        )
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await surveys.open_survey(s, world.school_admin, empty.id)


async def test_only_the_owners_managers_build_and_an_opened_survey_is_frozen(
    db: Factory, world: World
) -> None:
    for outsider in (world.other_school_admin, world.teacher, world.students[0]):
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await surveys.create_survey(
                    s,
                    outsider,
                    owner_kind=OwnerKind.SCHOOL,
                    owner_id=world.school.id,
                    title="t",
                    semester="2026-2",
                    audiences=[SurveyAudience.STUDENTS],
                )
    survey_id, _ = await make_survey(db, world)
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await surveys.update_survey(s, world.school_admin, survey_id, questions=QUESTIONS[:1])
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await surveys.update_survey(s, world.school_admin, survey_id, anonymous=False)
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await surveys.results(s, world.other_school_admin, survey_id)


async def test_one_response_per_person(db: Factory, world: World) -> None:
    survey_id, qs = await make_survey(db, world)
    student = world.students[0]
    assert await submit(db, student, survey_id, answers(qs), "c-1") is True
    # A retry of the same submission (lost response) is acknowledged, nothing is stored twice.
    assert await submit(db, student, survey_id, answers(qs), "c-1") is False
    with pytest.raises(Conflict):
        await submit(db, student, survey_id, answers(qs, likert=1), "c-2")
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        assert await s.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
        view = await surveys.get_survey(s, student, survey_id)
        assert view.responded is True


async def test_answers_are_validated_and_only_the_audience_answers(
    db: Factory, world: World
) -> None:
    survey_id, qs = await make_survey(db, world)
    student = world.students[0]
    for values in (
        {qs[1]: 0},  # the required Likert question is missing
        {qs[0]: 6, qs[1]: 0},
        {qs[0]: 3, qs[1]: 2},
        {qs[0]: 3, qs[1]: 0, qs[2]: [0, 0]},
        {qs[0]: 3, qs[1]: 0, 999_999: 1},
        {qs[0]: "3", qs[1]: 0},
        {qs[0]: True, qs[1]: 0},
    ):
        with pytest.raises(InvalidInput):
            await submit(db, student, survey_id, values, "c-x")
    # Instructors are not this survey's audience; another school's students neither.
    with pytest.raises(Forbidden):
        await submit(db, world.teacher, survey_id, answers(qs), "t-1")
    async with db() as s, s.begin():
        outsider = User(
            login="elsewhere",
            display_name="elsewhere",
            password_hash="x",
            role=world.students[0].role,
            school_id=world.other_school.id,
        )
        s.add(outsider)
    with pytest.raises(Forbidden):
        await submit(db, outsider, survey_id, answers(qs), "o-1")
    # A draft is invisible to respondents; a closed survey takes no answers.
    draft_id, draft_qs = await make_survey(db, world, open_it=False)
    with pytest.raises(NotFound):
        await submit(db, student, draft_id, answers(draft_qs), "d-1")
    async with db() as s, s.begin():
        await surveys.close_survey(s, world.school_admin, survey_id)
    with pytest.raises(Conflict):
        await submit(db, student, survey_id, answers(qs), "late")


async def test_closing_time_and_opening_time_are_kept(db: Factory, world: World) -> None:
    survey_id, qs = await make_survey(db, world)
    now = datetime.now(UTC)
    async with db() as s, s.begin():
        await surveys.update_survey(
            s, world.school_admin, survey_id, closes_at=now + timedelta(hours=1)
        )
    async with db() as s, s.begin():
        with pytest.raises(Conflict):
            await surveys.submit(
                s,
                world.students[0],
                survey_id,
                answers(qs),
                client_id="late",
                now=now + timedelta(hours=2),
            )
    async with db() as s:
        survey = await s.get(Survey, survey_id)
        assert survey is not None and survey.status is SurveyStatus.CLOSED


async def test_anonymous_responses_cannot_be_linked_to_people(db: Factory, world: World) -> None:
    """With every row of every table (and PostgreSQL's system columns), nothing links an
    answer to the student who gave it."""
    survey_id, qs = await make_survey(db, world, anonymous=True)
    # Each student gives a distinct Likert answer, so a link would be visible.
    for value, student in enumerate(world.students, start=2):
        await submit(db, student, survey_id, answers(qs, likert=value), f"s-{student.id}")
    async with db() as s, s.begin():
        await surveys.close_survey(s, world.school_admin, survey_id)

    async with db() as s:
        responses = list(await s.scalars(select(SurveyResponse)))
        markers = list(await s.scalars(select(SurveyParticipation)))
        assert len(responses) == len(markers) == 3
        for response in responses:
            assert response.respondent_id is None
            assert response.respondent_label is None
            assert response.submitted_at is None
            assert len(response.id) == 32 and not response.id.isdigit()
        # Whatever column a response row has, none holds a user, a link or a time.
        columns = {c.key for c in inspect(SurveyResponse).columns}
        assert columns == {
            "id",
            "survey_id",
            "audience",
            "respondent_id",
            "respondent_label",
            "submitted_at",
        }
        answer_columns = {c.key for c in inspect(SurveyAnswer).columns}
        assert answer_columns == {"response_id", "question_id", "value"}  # no sequential id
        # The markers say who answered, on which day, and nothing that points at a response.
        assert {m.user_id for m in markers} == {u.id for u in world.students}
        marker_columns = {c.key for c in inspect(SurveyParticipation).columns}
        assert not any("response" in name for name in marker_columns)
        # Stored order: the responses' keys are random, not in the order students answered.
        values_by_key = {}
        for response in responses:
            value = await s.scalar(
                select(SurveyAnswer.value).where(
                    SurveyAnswer.response_id == response.id, SurveyAnswer.question_id == qs[0]
                )
            )
            values_by_key[response.id] = value
        assert sorted(values_by_key.values()) == [2, 3, 4]
        if s.bind.dialect.name == "postgresql":
            # Closing rewrote every response in one transaction: their xmin is the same and
            # differs from every marker's, so the transaction id links nothing.
            response_tx = set(await s.scalars(text("SELECT xmin::text FROM survey_response")))
            marker_tx = set(await s.scalars(text("SELECT xmin::text FROM survey_participation")))
            assert len(response_tx) == 1 and not response_tx & marker_tx
        else:
            # SQLite keeps both response tables without rowid, ordered by the random key.
            ddl = await s.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'survey_response'")
            )
            assert "WITHOUT ROWID" in ddl.upper()


async def test_guardian_links_are_single_use_and_stored_hashed(db: Factory, world: World) -> None:
    survey_id, qs = await make_survey(
        db, world, audiences=(SurveyAudience.STUDENTS, SurveyAudience.GUARDIANS)
    )
    async with db() as s, s.begin():
        made = await surveys.create_links(
            s, world.school_admin, survey_id, ["1번 보호자", "2번 보호자"]
        )
    tokens = [token for _, token in made]
    async with db() as s:
        stored = list(await s.scalars(select(SurveyGuardianLink.token_hash)))
        assert all(token not in stored for token in tokens)
        assert sorted(stored) == sorted(surveys.token_hash(t) for t in tokens)
        view, used = await surveys.survey_for_link(s, tokens[0])
        assert used is False and view.accepting and len(view.questions) == 4

    async def by_link(token: str, client_id: str) -> bool:
        async with db() as s, s.begin():
            return await surveys.submit_by_link(s, token, answers(qs), client_id=client_id)

    assert await by_link(tokens[0], "g-1") is True
    assert await by_link(tokens[0], "g-1") is False  # the same submission, retried
    with pytest.raises(Conflict):
        await by_link(tokens[0], "g-2")
    with pytest.raises(NotFound):
        await by_link("x" * 32, "g-3")
    async with db() as s, s.begin():
        link_id = made[1][0].id
        await surveys.revoke_link(s, world.school_admin, survey_id, link_id)
    with pytest.raises(NotFound):
        await by_link(tokens[1], "g-4")
    # Only a manager makes links, and only for a survey that is for guardians.
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await surveys.create_links(s, world.teacher, survey_id, ["x"])
    students_only, _ = await make_survey(db, world)
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await surveys.create_links(s, world.school_admin, students_only, ["x"])


async def test_results_by_group_hide_small_groups_and_wait_for_close(
    db: Factory, world: World
) -> None:
    survey_id, qs = await make_survey(
        db, world, audiences=(SurveyAudience.STUDENTS, SurveyAudience.INSTRUCTORS)
    )
    likerts = [5, 4, 4]
    for likert, student in zip(likerts, world.students, strict=True):
        await submit(
            db, student, survey_id, answers(qs, likert=likert, text=f"좋아요 {likert}"), "c"
        )
    await submit(db, world.teacher, survey_id, answers(qs, likert=1, choice=1), "t")
    async with db() as s, s.begin():
        early = await surveys.results(s, world.school_admin, survey_id)
        assert early.available is False and early.groups == []
        assert early.participation[SurveyAudience.STUDENTS] == (3, 3)
        assert early.participation[SurveyAudience.INSTRUCTORS] == (1, 1)
        await surveys.close_survey(s, world.school_admin, survey_id)
    async with db() as s, s.begin():
        result = await surveys.results(s, world.school_admin, survey_id)
    groups = {g.audience: g for g in result.groups}
    students = groups[SurveyAudience.STUDENTS]
    assert students.suppressed is False and students.responses == 3
    likert, choice, multi, free = students.questions
    assert likert.counts == [0, 0, 0, 2, 1] and likert.mean == pytest.approx(4.33)
    assert choice.counts == [3, 0]
    assert multi.counts == [3, 3, 0]
    assert free.texts == ["좋아요 4", "좋아요 4", "좋아요 5"]
    # One instructor answered: fewer than three, so nothing of theirs is shown.
    instructors = groups[SurveyAudience.INSTRUCTORS]
    assert instructors.suppressed is True and instructors.responses is None
    assert instructors.questions == []


async def test_named_results_for_a_survey_that_is_not_anonymous(db: Factory, world: World) -> None:
    survey_id, qs = await make_survey(db, world, anonymous=False)
    await submit(db, world.students[0], survey_id, answers(qs, likert=2), "c")
    async with db() as s, s.begin():
        result = await surveys.results(s, world.school_admin, survey_id)
        assert result.available and result.groups[0].responses == 1
        assert result.groups[0].suppressed is False
        named = await surveys.named_responses(s, world.school_admin, survey_id)
    assert [(r.respondent_id, r.answers[qs[0]]) for r in named] == [(world.students[0].id, 2)]
    anonymous_id, _ = await make_survey(db, world)
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await surveys.named_responses(s, world.school_admin, anonymous_id)


async def test_respondents_see_their_open_surveys(db: Factory, world: World) -> None:
    survey_id, _ = await make_survey(db, world)
    await make_survey(db, world, open_it=False)
    async with db() as s, s.begin():
        listed = await surveys.list_surveys(s, world.students[0])
        assert [(v.survey.id, v.responded) for v in listed] == [(survey_id, False)]
        assert await surveys.list_surveys(s, world.other_teacher) == []
        managed = await surveys.list_surveys(s, world.school_admin)
        assert len(managed) == 2 and all(v.manager for v in managed)


# PostgreSQL only: SQLite runs one writer at a time, so an answer cannot be in flight there.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_an_answer_in_flight_is_rewritten_by_the_close(db: Factory, world: World) -> None:
    """A close waits for an answer being stored, then rewrites it with the others: no response
    keeps the transaction id it shares with its "has responded" row (PostgreSQL locks)."""
    survey_id, qs = await make_survey(db, world)
    for student in world.students[:2]:
        await submit(db, student, survey_id, answers(qs), f"s-{student.id}")
    answering = db()
    await answering.begin()
    try:
        await surveys.submit(answering, world.students[2], survey_id, answers(qs), client_id="late")
        await _close_while_answering(db, world, survey_id, answering)
    finally:
        await answering.close()  # never leave a transaction open behind a failed assertion
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(SurveyResponse)) == 3
        response_tx = set(await s.scalars(text("SELECT xmin::text FROM survey_response")))
        marker_tx = set(await s.scalars(text("SELECT xmin::text FROM survey_participation")))
        assert len(response_tx) == 1 and not response_tx & marker_tx


async def _close_while_answering(
    db: Factory, world: World, survey_id: int, answering: AsyncSession
) -> None:

    async def close() -> None:
        async with db() as s, s.begin():
            await surveys.close_survey(s, world.school_admin, survey_id)

    closing = asyncio.create_task(close())
    # Wait until the close is either done or blocked on a lock, however slow the machine.
    blocked = False
    for _ in range(100):
        await asyncio.sleep(0.05)
        if closing.done():
            break
        async with db() as s:
            blocked = bool(
                await s.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        " WHERE NOT l.granted AND a.datname = current_database()"
                    )
                )
            )
        if blocked:
            break
    assert blocked and not closing.done(), "the close waits for the answer being stored"
    await answering.commit()
    await asyncio.wait_for(closing, 10)
