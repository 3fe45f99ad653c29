"""Quiz runs and the question bank on both backends: launch, answer, close, reveal, grades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    CourseRole,
    Enrolment,
    LiveSession,
    LiveSessionStatus,
    QuestionKind,
    QuizAnonymousAnswer,
    QuizAnswer,
    QuizCloseReason,
    QuizGrade,
    QuizParticipation,
    QuizRunStatus,
    User,
)
from lms.services import question_bank, quizzes
from tests.lms.conftest import World

DB = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def me(s: AsyncSession, user: User) -> User:
    found = await s.get(User, user.id)
    assert found is not None
    return found


@pytest.fixture
async def session_id(db: DB, world: World) -> int:
    async with db() as s, s.begin():
        live = LiveSession(
            course_id=world.course.id,
            title="식물",
            scheduled_start=T0,
            scheduled_end=T0 + timedelta(minutes=40),
            status=LiveSessionStatus.LIVE,
            started_at=T0,
        )
        s.add(live)
        await s.flush()
        return live.id


@pytest.fixture
async def bank(db: DB, world: World) -> list[int]:
    async with db() as s, s.begin():
        teacher = await me(s, world.teacher)
        made = [
            await question_bank.create_question(
                s,
                teacher,
                world.course.id,
                kind=QuestionKind.SINGLE_CHOICE,
                prompt="양분을 만드는 과정은?",
                options=["광합성", "호흡"],
                correct=[0],
                points=2,
            ),
            await question_bank.create_question(
                s,
                teacher,
                world.course.id,
                kind=QuestionKind.SHORT_ANSWER,
                prompt="잎에서 물이 빠져나가는 현상은?",
                correct=["증산 작용"],
                points=1,
            ),
        ]
        return [question.id for question, _ in made]


async def launch(db: DB, world: World, session_id: int, **kwargs) -> quizzes.RunView:
    async with db() as s, s.begin():
        kwargs.setdefault("client_id", "launch-1")
        view, _ = await quizzes.launch(s, await me(s, world.teacher), session_id, **kwargs)
        return view


async def answer(
    db: DB,
    user: User,
    run_id: int,
    question_id: int,
    client_id: str,
    response,
    now: datetime | None = None,
    ledger: quizzes.AnonymousLedger | None = None,
) -> quizzes.AnswerOutcome:
    async with db() as s, s.begin():
        return await quizzes.submit_answer(
            s,
            await me(s, user),
            run_id,
            question_id,
            client_id=client_id,
            response=response,
            ledger=ledger,
            now=now,
        )


# -- the bank --------------------------------------------------------------------------------


async def test_bank_is_for_the_course_teachers_only(db: DB, world: World, bank: list[int]) -> None:
    async with db() as s, s.begin():
        co = await me(s, world.other_teacher)
        co.school_id = world.school.id
        s.add(Enrolment(course_id=world.course.id, user_id=co.id, role=CourseRole.CO_TEACHER))
    async with db() as s, s.begin():
        assert (
            len(
                await question_bank.list_questions(
                    s, await me(s, world.other_teacher), world.course.id
                )
            )
            == 2
        )
        assert (
            len(
                await question_bank.list_questions(
                    s, await me(s, world.school_admin), world.course.id
                )
            )
            == 2
        )
        for outsider in (world.students[0], world.other_school_admin):
            with pytest.raises(Forbidden):
                await question_bank.list_questions(s, await me(s, outsider), world.course.id)
            with pytest.raises(Forbidden):
                await question_bank.get_question(s, await me(s, outsider), bank[0])
        with pytest.raises(NotFound):
            await question_bank.list_questions(s, await me(s, world.teacher), 999_999)


async def test_create_is_idempotent_on_client_id(db: DB, world: World) -> None:
    async with db() as s, s.begin():
        teacher = await me(s, world.teacher)
        first, created = await question_bank.create_question(
            s,
            teacher,
            world.course.id,
            kind="true_false",
            prompt="뿌리는 물을 흡수한다.",
            correct=[0],
            points=1,
            client_id="q-1",
        )
        again, again_created = await question_bank.create_question(
            s,
            teacher,
            world.course.id,
            kind="true_false",
            prompt="다른 내용",
            correct=[1],
            client_id="q-1",
        )
    assert created and not again_created and again.id == first.id
    assert again.prompt == "뿌리는 물을 흡수한다."


# -- launching -------------------------------------------------------------------------------


async def test_launch_snapshots_questions_so_later_edits_change_nothing(
    db: DB, world: World, session_id: int, bank: list[int]
) -> None:
    view = await launch(db, world, session_id, question_ids=bank)
    assert view.run.graded and view.run.max_points == 3
    async with db() as s, s.begin():
        await question_bank.update_question(
            s,
            await me(s, world.teacher),
            bank[0],
            kind="single_choice",
            prompt="바뀐 문제",
            options=["x", "y", "z"],
            correct=[2],
            points=5,
        )
        await question_bank.delete_question(s, await me(s, world.teacher), bank[1])
    async with db() as s:
        again = await quizzes.load_run(s, view.run.id)
    assert [q.prompt for q in again.questions] == [
        "양분을 만드는 과정은?",
        "잎에서 물이 빠져나가는 현상은?",
    ]
    assert again.questions[0].correct == [0] and again.questions[0].points == 2
    assert again.questions[1].source_question_id is None  # deleted from the bank, run intact
    public = quizzes.public_run(again)
    assert "correct" not in str(public["questions"])


async def test_launch_rules(db: DB, world: World, session_id: int, bank: list[int]) -> None:
    async with db() as s, s.begin():
        student = await me(s, world.students[0])
        with pytest.raises(Forbidden):
            await quizzes.launch(s, student, session_id, client_id="x", poll="yes_no")
    async with db() as s, s.begin():
        teacher = await me(s, world.teacher)
        with pytest.raises(InvalidInput):  # neither questions nor a poll
            await quizzes.launch(s, teacher, session_id, client_id="x")
        with pytest.raises(InvalidInput):  # graded and anonymous
            await quizzes.launch(
                s, teacher, session_id, client_id="x", question_ids=bank, anonymous=True
            )
        with pytest.raises(NotFound):
            await quizzes.launch(s, teacher, session_id, client_id="x", question_ids=[999])
    first = await launch(db, world, session_id, poll="abcd")
    retried = await launch(db, world, session_id, poll="abcd")
    assert retried.run.id == first.run.id
    assert first.questions[0].options == ["A", "B", "C", "D"] and not first.run.graded
    with pytest.raises(Conflict):  # one open run at a time
        await launch(db, world, session_id, client_id="launch-2", poll="yes_no")


# -- answering -------------------------------------------------------------------------------


async def test_answer_is_idempotent_and_last_write_wins(
    db: DB, world: World, session_id: int, bank: list[int]
) -> None:
    view = await launch(db, world, session_id, question_ids=bank)
    q1 = view.questions[0].id
    student = world.students[0]
    first = await answer(db, student, view.run.id, q1, "a1", {"choice": 1})
    retry = await answer(db, student, view.run.id, q1, "a1", {"choice": 0})
    assert first.created and not retry.created and retry.response == {"choice": 1}
    changed = await answer(db, student, view.run.id, q1, "a2", {"choice": 0})
    late_retry_of_old = await answer(db, student, view.run.id, q1, "a1", {"choice": 1})
    assert changed.created and not late_retry_of_old.created
    async with db() as s:
        current = await quizzes.current_answers(s, view.run.id)
        mine = await quizzes.my_answers(s, await quizzes.load_run(s, view.run.id), student.id)
        progress = await quizzes.progress(s, await quizzes.load_run(s, view.run.id))
    assert current[(q1, student.id)].response == {"choice": 0}
    assert (
        mine["answers"][str(q1)]["client_id"] == "a2" and "correct" not in mine["answers"][str(q1)]
    )
    assert progress["respondents"] == 1 and progress["questions"][0]["counts"] == [1, 0]
    assert {p["user_id"] for p in progress["not_answered"]} == {s.id for s in world.students[1:]}


async def test_answers_are_checked(db: DB, world: World, session_id: int, bank: list[int]) -> None:
    view = await launch(db, world, session_id, question_ids=bank)
    q1, q2 = (q.id for q in view.questions)
    with pytest.raises(InvalidInput):
        await answer(db, world.students[0], view.run.id, q1, "x", {"choice": 5})
    with pytest.raises(InvalidInput):
        await answer(db, world.students[0], view.run.id, q2, "x", {"choice": 0})
    with pytest.raises(NotFound):
        await answer(db, world.students[0], view.run.id, 999, "x", {"choice": 0})
    with pytest.raises(Forbidden):  # a teacher does not answer
        await answer(db, world.teacher, view.run.id, q1, "x", {"choice": 0})


async def test_closed_and_timed_out_runs_refuse_answers_with_a_reason(
    db: DB, world: World, session_id: int
) -> None:
    view = await launch(db, world, session_id, poll="yes_no", time_limit_seconds=30, now=T0)
    q = view.questions[0].id
    kept = await answer(
        db, world.students[0], view.run.id, q, "ok", {"choice": 0}, now=T0 + timedelta(seconds=29)
    )
    with pytest.raises(quizzes.QuizClosed) as late:
        await answer(
            db,
            world.students[1],
            view.run.id,
            q,
            "late",
            {"choice": 0},
            now=T0 + timedelta(seconds=30),
        )
    assert late.value.details["reason"] == "time_up" and late.value.code == "quiz_closed"
    async with db() as s, s.begin():
        closed, created = await quizzes.close_run(
            s, await me(s, world.teacher), view.run.id, now=T0 + timedelta(seconds=31)
        )
    assert created and closed.run.close_reason is QuizCloseReason.TIME_UP
    # The acknowledged answer's retry is still acknowledged, a new one refused.
    again = await answer(db, world.students[0], view.run.id, q, "ok", {"choice": 0})
    assert not again.created and again.response == kept.response
    with pytest.raises(quizzes.QuizClosed):
        await answer(db, world.students[0], view.run.id, q, "new", {"choice": 1})


async def test_anonymous_answers_cannot_be_linked_to_students(
    db: DB, world: World, session_id: int
) -> None:
    view = await launch(db, world, session_id, poll="yes_no", anonymous=True)
    q = view.questions[0].id
    ledger = quizzes.AnonymousLedger()
    first, second, _ = world.students
    await answer(db, first, view.run.id, q, "c-a", {"choice": 0}, ledger=ledger)
    await answer(db, second, view.run.id, q, "c-b", {"choice": 1}, ledger=ledger)
    retry = await answer(db, first, view.run.id, q, "c-a", {"choice": 0}, ledger=ledger)
    assert not retry.created
    with pytest.raises(Conflict):  # final: nothing links the old answer to replace it
        await answer(db, first, view.run.id, q, "c-c", {"choice": 1}, ledger=ledger)
    with pytest.raises(Conflict):  # outside the live class there is no ledger to record it
        await answer(db, world.students[2], view.run.id, q, "c-d", {"choice": 1})
    async with db() as s:
        # No column of the anonymous answer names a user or a time; ids are random; and
        # nothing about who answered is in the database while the run is open.
        columns = {c.name for c in inspect(QuizAnonymousAnswer).columns}
        assert columns == {"id", "run_question_id", "client_id", "response"}
        rows = (await s.scalars(select(QuizAnonymousAnswer))).all()
        assert len(rows) == 2 and all(len(r.id) == 32 for r in rows)
        assert await s.scalar(select(func.count()).select_from(QuizAnswer)) == 0
        assert await s.scalar(select(func.count()).select_from(QuizParticipation)) == 0
        loaded = await quizzes.load_run(s, view.run.id)
        progress = await quizzes.progress(s, loaded, ledger)
        mine = await quizzes.my_answers(s, loaded, first.id, ledger)
    # While open, the teacher sees who answered but no counts that would move with the names.
    assert progress["respondents"] == 2 and progress["counts_hidden"]
    assert "counts" not in progress["questions"][0]
    assert [p["user_id"] for p in progress["not_answered"]] == [world.students[2].id]
    assert mine == {"answered": [q], "answers": {}}

    async with db() as s, s.begin():
        await quizzes.close_run(s, await me(s, world.teacher), view.run.id, ledger=ledger)
    async with db() as s:
        who = (await s.execute(select(QuizParticipation.user_id))).scalars().all()
        loaded = await quizzes.load_run(s, view.run.id)
        progress = await quizzes.progress(s, loaded)
        mine = await quizzes.my_answers(s, loaded, first.id)
        if s.bind.dialect.name == "postgresql":
            # Written in another transaction than any answer: no shared xmin to join on.
            answer_tx = set(await s.scalars(text("SELECT xmin::text FROM quiz_anonymous_answer")))
            seen_tx = set(await s.scalars(text("SELECT xmin::text FROM quiz_participation")))
            assert answer_tx and seen_tx and not answer_tx & seen_tx
    assert sorted(who) == sorted([first.id, second.id])
    assert progress["questions"][0]["counts"] == [1, 1] and progress["respondents"] == 2
    assert mine == {"answered": [q], "answers": {}}


async def test_close_writes_grades_and_graded_runs_reports_them(
    db: DB, world: World, session_id: int, bank: list[int]
) -> None:
    view = await launch(db, world, session_id, question_ids=bank)
    q1, q2 = (q.id for q in view.questions)
    a, b, _ = world.students
    await answer(db, a, view.run.id, q1, "1", {"choice": 0})
    await answer(db, a, view.run.id, q2, "2", {"text": " 증산   작용. "})
    await answer(db, b, view.run.id, q1, "1", {"choice": 1})
    async with db() as s:
        assert await quizzes.graded_runs(s, world.course.id) == []  # still open
    async with db() as s, s.begin():
        teacher = await me(s, world.teacher)
        with pytest.raises(Conflict):
            await quizzes.reveal_run(s, teacher, view.run.id)
    async with db() as s, s.begin():
        teacher = await me(s, world.teacher)
        closed, created = await quizzes.close_run(s, teacher, view.run.id)
        _, again_created = await quizzes.close_run(s, teacher, view.run.id)
    assert created and not again_created and closed.run.status is QuizRunStatus.CLOSED
    async with db() as s:
        runs = await quizzes.graded_runs(s, world.course.id)
        grades = (await s.scalars(select(QuizGrade))).all()
    assert len(runs) == 1 and runs[0].max_points == 3 and runs[0].session_id == session_id
    assert runs[0].points == {a.id: 3, b.id: 0, world.students[2].id: 0}
    assert {g.user_id: g.answered for g in grades} == {a.id: 2, b.id: 1, world.students[2].id: 0}
    async with db() as s, s.begin():
        student = await me(s, a)
        with pytest.raises(Forbidden):
            await quizzes.reveal_run(s, student, view.run.id)
        revealed, _ = await quizzes.reveal_run(s, await me(s, world.teacher), view.run.id)
        mine = await quizzes.my_answers(s, revealed, a.id)
        results = await quizzes.results(s, revealed)
    assert mine["points"] == 3 and mine["max_points"] == 3
    assert mine["answers"][str(q1)]["correct"] is True and mine["answers"][str(q2)]["points"] == 1
    assert results["questions"][0]["counts"] == [1, 1]
    assert results["questions"][1]["texts"][0]["correct"] is True


async def test_session_runs_shows_each_viewer_their_part(
    db: DB, world: World, session_id: int, bank: list[int]
) -> None:
    view = await launch(db, world, session_id, question_ids=bank[:1])
    q1 = view.questions[0].id
    await answer(db, world.students[0], view.run.id, q1, "1", {"choice": 0})
    await answer(db, world.students[1], view.run.id, q1, "1", {"choice": 1})
    async with db() as s, s.begin():
        await quizzes.close_run(s, await me(s, world.teacher), view.run.id)
    async with db() as s:
        as_teacher = await quizzes.session_runs(s, await me(s, world.teacher), session_id)
        as_student = await quizzes.session_runs(s, await me(s, world.students[0]), session_id)
        with pytest.raises(Forbidden):
            await quizzes.session_runs(s, await me(s, world.other_school_admin), session_id)
    assert len(as_teacher[0]["grades"]) == 3
    assert "grades" not in as_student[0] and "results" not in as_student[0]
    assert list(as_student[0]["mine"]["answers"]) == [str(q1)]


async def test_the_end_of_class_closes_open_runs(db: DB, world: World, session_id: int) -> None:
    view = await launch(db, world, session_id, poll="scale_5")
    async with db() as s, s.begin():
        assert await quizzes.close_session_runs(s, session_id) == [view.run.id]
    async with db() as s:
        loaded = await quizzes.load_run(s, view.run.id)
    assert loaded.run.close_reason is QuizCloseReason.SESSION_ENDED


async def test_demo_course_gets_a_bank_once(db: DB) -> None:
    from lms.models import Question
    from lms.services import demo

    for _ in range(2):
        async with db() as s, s.begin():
            logins = await demo.seed_demo(s)
    async with db() as s:
        kinds = list(
            await s.scalars(select(Question.kind).where(Question.course_id == logins.course_id))
        )
    assert sorted(kinds) == sorted(QuestionKind)  # one of each kind, not doubled
