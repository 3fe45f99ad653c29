"""How a run's answers and its close share the run's lock.

A class answers a poll within a few seconds, so answers must not queue behind each other; the
close must still never interleave with an answer. On PostgreSQL answers take the run's lock
shared, the close exclusively. SQLite has a single writer, so only the outcomes are checked
there.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import QuizAnswer, QuizCloseReason, QuizRunStatus, User
from lms.services import quizzes
from tests.lms.conftest import World
from tests.lms.test_quizzes import answer, launch, me, session_id  # noqa: F401  (fixture)

DB = async_sessionmaker[AsyncSession]
WAIT = 5.0


# SQLite has one writer at a time: nothing runs side by side there.
on_postgres_only = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


async def open_answer(
    db: DB, student: User, run: quizzes.RunView, client_id: str
) -> tuple[AsyncSession, quizzes.AnswerOutcome]:
    """An answer stored but not yet committed: its transaction holds the run's lock."""
    s = db()
    await s.begin()
    outcome = await quizzes.submit_answer(
        s,
        await me(s, student),
        run.run.id,
        run.questions[0].id,
        client_id=client_id,
        response={"choice": 0},
    )
    return s, outcome


@on_postgres_only
async def test_answers_commit_side_by_side_while_one_is_open(
    db: DB, world: World, session_id: int  # noqa: F811
) -> None:
    run = await launch(db, world, session_id, poll="yes_no")
    first, _ = await open_answer(db, world.students[0], run, "a")
    try:
        # Would wait for ``first`` forever if answers took the run's lock exclusively.
        second = await asyncio.wait_for(
            answer(db, world.students[1], run.run.id, run.questions[0].id, "b", {"choice": 1}),
            WAIT,
        )
        assert second.created
    finally:
        await first.commit()
        await first.close()


@on_postgres_only
async def test_the_close_waits_for_an_open_answer_which_then_counts(
    db: DB, world: World, session_id: int  # noqa: F811
) -> None:
    run = await launch(db, world, session_id, poll="yes_no")
    pending, _ = await open_answer(db, world.students[0], run, "a")

    async def close() -> quizzes.RunView:
        async with db() as s, s.begin():
            view, _ = await quizzes.close_run(
                s, await me(s, world.teacher), run.run.id, reason=QuizCloseReason.TEACHER
            )
            return view

    closing = asyncio.create_task(close())
    await asyncio.sleep(0.3)
    assert not closing.done(), "the close must wait for the answer in flight"
    await pending.commit()
    await pending.close()
    closed = await asyncio.wait_for(closing, WAIT)
    assert closed.run.status is QuizRunStatus.CLOSED
    async with db() as s:
        progress = await quizzes.progress(s, await quizzes.load_run(s, run.run.id))
    assert progress["respondents"] == 1


async def test_a_retry_racing_its_original_stores_one_answer(
    db: DB, world: World, session_id: int  # noqa: F811
) -> None:
    run = await launch(db, world, session_id, poll="yes_no")
    student, question = world.students[0], run.questions[0].id
    outcomes = await asyncio.gather(
        *(answer(db, student, run.run.id, question, "same", {"choice": 1}) for _ in range(4))
    )
    assert sorted(o.created for o in outcomes) == [False, False, False, True]
    assert all(o.response == {"choice": 1} for o in outcomes)
    async with db() as s:
        stored = await s.scalar(
            select(func.count()).select_from(QuizAnswer).where(QuizAnswer.user_id == student.id)
        )
    assert stored == 1
