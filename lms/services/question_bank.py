"""A course's question bank: the questions its teachers prepare before (or during) class.

Only the course's teachers (teacher, co-teacher, and admins over the course) read or change
it: the bank holds the answer keys. A question deleted from the bank leaves every run that
asked it untouched (runs keep their own copy, ``QuizRunQuestion``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import NotFound
from lms.models import CourseRole, Enrolment, Question, QuestionKind, User
from lms.quiz_grading import QuestionSpec, check_question
from lms.services import courses, moment, permissions

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins


def spec(question: Question) -> QuestionSpec:
    """The bank row as the grading module sees it."""
    return QuestionSpec(
        QuestionKind(question.kind),
        tuple(question.options or ()),
        tuple(question.correct or ()),
        question.points,
    )


async def list_questions(db: AsyncSession, actor: User, course_id: int) -> list[Question]:
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    rows = await db.scalars(
        select(Question).where(Question.course_id == course_id).order_by(Question.id)
    )
    return list(rows)


async def get_question(db: AsyncSession, actor: User, question_id: int) -> Question:
    question = await db.get(Question, question_id)
    if question is None:
        raise NotFound("no such question", question_id=question_id)
    await permissions.require_course_teacher(db, actor, question.course_id)
    return question


async def create_question(
    db: AsyncSession,
    actor: User,
    course_id: int,
    *,
    kind: QuestionKind | str,
    prompt: str,
    options: Sequence[Any] = (),
    correct: Sequence[Any] = (),
    points: int = 0,
    client_id: str | None = None,
) -> tuple[Question, bool]:
    """Add a question; a retry with the same ``client_id`` returns the stored one."""
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)
    if client_id is not None:
        stored = await db.scalar(
            select(Question).where(
                Question.course_id == course_id,
                Question.created_by == actor.id,
                Question.client_id == client_id,
            )
        )
        if stored is not None:
            return stored, False
    checked, clean_prompt = check_question(kind, prompt, options, correct, points)
    now = moment(None)
    question = Question(
        course_id=course_id,
        kind=checked.kind,
        prompt=clean_prompt,
        options=list(checked.options),
        correct=list(checked.correct),
        points=checked.points,
        created_by=actor.id,
        client_id=client_id,
        created_at=now,
        updated_at=now,
    )
    db.add(question)
    await db.flush()
    return question, True


async def update_question(
    db: AsyncSession,
    actor: User,
    question_id: int,
    *,
    kind: QuestionKind | str,
    prompt: str,
    options: Sequence[Any] = (),
    correct: Sequence[Any] = (),
    points: int = 0,
) -> Question:
    """Replace a question's content; runs already launched keep what they asked."""
    question = await get_question(db, actor, question_id)
    checked, clean_prompt = check_question(kind, prompt, options, correct, points)
    question.kind = checked.kind
    question.prompt = clean_prompt
    question.options = list(checked.options)
    question.correct = list(checked.correct)
    question.points = checked.points
    question.updated_at = moment(None)
    await db.flush()
    return question


async def delete_question(db: AsyncSession, actor: User, question_id: int) -> None:
    question = await get_question(db, actor, question_id)
    await db.delete(question)
    await db.flush()


async def questions_by_id(
    db: AsyncSession, course_id: int, question_ids: Sequence[int]
) -> list[Question]:
    """The course's questions in the order asked; any id not in this course is NotFound."""
    rows = {
        q.id: q
        for q in await db.scalars(
            select(Question).where(
                Question.course_id == course_id, Question.id.in_(list(question_ids))
            )
        )
    }
    missing = [qid for qid in question_ids if qid not in rows]
    if missing:
        raise NotFound("no such question in this course", question_ids=missing)
    return [rows[qid] for qid in question_ids]


async def seed_quizzes(db: AsyncSession, logins: DemoLogins) -> None:
    """The demo course's bank: one question of each kind, so a newcomer can launch a quiz."""
    course_id = logins.course_id
    if await db.scalar(select(Question.id).where(Question.course_id == course_id).limit(1)):
        return
    teacher = await db.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.TEACHER)
        .order_by(User.id)
        .limit(1)
    )
    if teacher is None:
        return
    samples: list[dict[str, Any]] = [
        {
            "kind": QuestionKind.SINGLE_CHOICE,
            "prompt": "식물이 양분을 만드는 과정을 무엇이라고 하나요?",
            "options": ["광합성", "호흡", "증산 작용", "발아"],
            "correct": [0],
            "points": 1,
        },
        {
            "kind": QuestionKind.MULTIPLE_CHOICE,
            "prompt": "씨가 싹트는 데 꼭 필요한 것을 모두 고르세요.",
            "options": ["물", "알맞은 온도", "흙", "빛"],
            "correct": [0, 1],
            "points": 2,
        },
        {
            "kind": QuestionKind.TRUE_FALSE,
            "prompt": "식물의 뿌리는 물을 흡수한다.",
            "correct": [0],
            "points": 1,
        },
        {
            "kind": QuestionKind.SHORT_ANSWER,
            "prompt": "잎에서 물이 수증기가 되어 빠져나가는 현상은?",
            "correct": ["증산 작용", "증산작용"],
            "points": 1,
        },
    ]
    for sample in samples:
        await create_question(db, teacher, course_id, **sample)
