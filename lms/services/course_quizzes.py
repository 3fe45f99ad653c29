"""Quizzes outside the live class: set from the question bank, attempted on a timer.

What a student can rely on:
- every change is autosaved (``save_answer``) and acknowledged only once stored; a retried save
  (same ``client_id``) is recognised, and each save carries ``seq``, the client's save order
  (its clock in milliseconds, so it keeps rising across a page reload): a save older than the
  stored one is not applied, so a late retry never overwrites a newer answer;
- a dropped connection loses nothing acknowledged: the attempt and its answers are read back
  whole (``attempt_view``), with the server's deadline;
- when the time is up, the attempt is finished with what was saved (checked on every read and
  write, so it needs no timer process); saves arriving after the deadline plus a short network
  grace are refused with a clear reason.

What a teacher relies on: questions are snapshotted when an attempt starts, choice questions are
graded automatically, short answers that match no accepted answer are flagged for review, and
any question's points can be overridden (manual grading). The best finished attempt is the
student's grade for the quiz.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    AttemptState,
    CourseQuiz,
    CourseQuizSlot,
    CourseRole,
    FinishReason,
    LessonKind,
    Question,
    QuestionKind,
    QuizAttempt,
    QuizAttemptQuestion,
    User,
)
from lms.quiz_grading import QuestionSpec, check_response, grade
from lms.services import aware, clean_text, courseware, moment, permissions, question_bank

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

# A save sent just before the deadline may arrive a little after it on a hospital's Wi-Fi.
SAVE_GRACE = timedelta(seconds=30)
MAX_QUESTIONS = 100
MAX_ATTEMPTS = 10
MAX_TIME_LIMIT_SECONDS = 6 * 3600


@dataclass(frozen=True, slots=True)
class QuizSettings:
    title: str
    question_ids: Sequence[int]
    intro: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_seconds: int | None = None
    attempts_allowed: int = 1


@dataclass(frozen=True, slots=True)
class AttemptView:
    attempt: QuizAttempt
    questions: list[QuizAttemptQuestion]
    quiz: CourseQuiz


def _spec(question: QuizAttemptQuestion) -> QuestionSpec:
    return QuestionSpec(
        QuestionKind(question.kind),
        tuple(question.options or ()),
        tuple(question.correct or ()),
        question.points,
    )


def _check_settings(settings: QuizSettings) -> None:
    if not 1 <= len(settings.question_ids) <= MAX_QUESTIONS:
        raise InvalidInput(f"a quiz has 1 to {MAX_QUESTIONS} questions", field="question_ids")
    if len(set(settings.question_ids)) != len(settings.question_ids):
        raise InvalidInput("a question is listed twice", field="question_ids")
    if settings.opens_at is not None:
        aware(settings.opens_at, "opens_at")
    if settings.closes_at is not None:
        aware(settings.closes_at, "closes_at")
        if settings.opens_at is not None and settings.closes_at <= settings.opens_at:
            raise InvalidInput("the quiz must close after it opens", field="closes_at")
    limit = settings.time_limit_seconds
    if limit is not None and not 60 <= limit <= MAX_TIME_LIMIT_SECONDS:
        raise InvalidInput("the time limit is 1 minute to 6 hours", field="time_limit_seconds")
    if not 1 <= settings.attempts_allowed <= MAX_ATTEMPTS:
        raise InvalidInput(f"attempts allowed: 1 to {MAX_ATTEMPTS}", field="attempts_allowed")


async def _set_slots(db: AsyncSession, quiz: CourseQuiz, question_ids: Sequence[int]) -> None:
    await question_bank.questions_by_id(db, quiz.course_id, question_ids)  # all in this course
    for slot in await db.scalars(select(CourseQuizSlot).where(CourseQuizSlot.quiz_id == quiz.id)):
        await db.delete(slot)
    await db.flush()
    for position, question_id in enumerate(question_ids):
        db.add(CourseQuizSlot(quiz_id=quiz.id, position=position, question_id=question_id))
    await db.flush()


async def create_quiz(
    db: AsyncSession, teacher: User, course_id: int, settings: QuizSettings
) -> CourseQuiz:
    await permissions.require_course_teacher(db, teacher, course_id)
    _check_settings(settings)
    quiz = CourseQuiz(
        course_id=course_id,
        title=clean_text(settings.title, "title", max_chars=200),
        intro=clean_text(settings.intro, "intro", max_chars=10_000, min_chars=0),
        opens_at=settings.opens_at,
        closes_at=settings.closes_at,
        time_limit_seconds=settings.time_limit_seconds,
        attempts_allowed=settings.attempts_allowed,
        created_by=teacher.id,
    )
    db.add(quiz)
    await db.flush()
    await _set_slots(db, quiz, settings.question_ids)
    return quiz


async def update_quiz(
    db: AsyncSession, teacher: User, quiz_id: int, settings: QuizSettings
) -> CourseQuiz:
    """Change a quiz. Attempts already started keep the questions they started with."""
    quiz = await _quiz(db, quiz_id)
    await permissions.require_course_teacher(db, teacher, quiz.course_id)
    _check_settings(settings)
    quiz.title = clean_text(settings.title, "title", max_chars=200)
    quiz.intro = clean_text(settings.intro, "intro", max_chars=10_000, min_chars=0)
    quiz.opens_at = settings.opens_at
    quiz.closes_at = settings.closes_at
    quiz.time_limit_seconds = settings.time_limit_seconds
    quiz.attempts_allowed = settings.attempts_allowed
    await _set_slots(db, quiz, settings.question_ids)
    return quiz


async def _quiz(db: AsyncSession, quiz_id: int) -> CourseQuiz:
    quiz = await db.get(CourseQuiz, quiz_id)
    if quiz is None:
        raise NotFound("no such quiz", quiz_id=quiz_id)
    return quiz


def is_open(quiz: CourseQuiz, at: datetime) -> bool:
    return (quiz.opens_at is None or quiz.opens_at <= at) and (
        quiz.closes_at is None or at < quiz.closes_at
    )


async def get_quiz(db: AsyncSession, viewer: User, quiz_id: int) -> tuple[CourseQuiz, bool]:
    """The quiz and whether the viewer teaches it; students don't see it before it opens."""
    quiz = await _quiz(db, quiz_id)
    role = await permissions.require_course_member(db, viewer, quiz.course_id)
    teaches = await permissions.may_teach(db, viewer, quiz.course_id)
    if role is CourseRole.STUDENT and quiz.opens_at is not None and quiz.opens_at > moment(None):
        raise NotFound("no such quiz", quiz_id=quiz_id)
    return quiz, teaches


async def list_quizzes(db: AsyncSession, viewer: User, course_id: int) -> list[CourseQuiz]:
    role = await permissions.require_course_member(db, viewer, course_id)
    rows = list(
        await db.scalars(
            select(CourseQuiz).where(CourseQuiz.course_id == course_id).order_by(CourseQuiz.id)
        )
    )
    if role is CourseRole.STUDENT:
        now = moment(None)
        rows = [quiz for quiz in rows if quiz.opens_at is None or quiz.opens_at <= now]
    return rows


async def slot_question_ids(db: AsyncSession, quiz_id: int) -> list[int]:
    rows = await db.scalars(
        select(CourseQuizSlot.question_id)
        .where(CourseQuizSlot.quiz_id == quiz_id, CourseQuizSlot.question_id.is_not(None))
        .order_by(CourseQuizSlot.position)
    )
    return [qid for qid in rows if qid is not None]


# -- attempts -------------------------------------------------------------------------------


async def _questions(db: AsyncSession, attempt_id: int) -> list[QuizAttemptQuestion]:
    rows = await db.scalars(
        select(QuizAttemptQuestion)
        .where(QuizAttemptQuestion.attempt_id == attempt_id)
        .order_by(QuizAttemptQuestion.position)
    )
    return list(rows)


def _total(questions: Sequence[QuizAttemptQuestion]) -> tuple[float, bool]:
    points = 0.0
    needs_review = False
    for question in questions:
        if question.manual_points is not None:
            points += question.manual_points
            continue
        points += question.auto_points or 0
        if (
            question.kind is QuestionKind.SHORT_ANSWER
            and question.points > 0
            and question.response is not None
            and question.is_correct is False
        ):
            needs_review = True
    return points, needs_review


async def _finish(
    db: AsyncSession, attempt: QuizAttempt, reason: FinishReason, at: datetime
) -> None:
    questions = await _questions(db, attempt.id)
    for question in questions:
        if question.response is not None:
            result = grade(_spec(question), question.response)
            question.auto_points = result.points
            question.is_correct = result.correct
        else:
            question.auto_points = 0
            question.is_correct = None if not question.correct else False
    attempt.points, attempt.needs_review = _total(questions)
    attempt.state = AttemptState.FINISHED
    attempt.finish_reason = reason
    attempt.finished_at = min(at, attempt.deadline) if attempt.deadline else at
    await db.flush()


async def _expire_if_due(db: AsyncSession, attempt: QuizAttempt, at: datetime) -> None:
    """An attempt whose time is up is finished with what was saved, whoever looks first."""
    if (
        attempt.state is AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and at > attempt.deadline + SAVE_GRACE
    ):
        await _finish(db, attempt, FinishReason.TIME_UP, at)


async def start_attempt(
    db: AsyncSession, student: User, quiz_id: int, *, now: datetime | None = None
) -> tuple[AttemptView, bool]:
    """Start an attempt, or return the one in progress (a second tab, a retry, a reconnect)."""
    quiz = await _quiz(db, quiz_id)
    role = await permissions.course_role(db, quiz.course_id, student.id)
    if role is not CourseRole.STUDENT or not student.is_active:
        raise Forbidden("only the course's students attempt its quizzes", quiz_id=quiz_id)
    at = moment(now)
    attempts = list(
        await db.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == student.id)
            .order_by(QuizAttempt.number)
            .with_for_update()
        )
    )
    for attempt in attempts:
        await _expire_if_due(db, attempt, at)
        if attempt.state is AttemptState.IN_PROGRESS:
            return AttemptView(attempt, await _questions(db, attempt.id), quiz), False
    if not is_open(quiz, at):
        raise Conflict("this quiz is not open now", quiz_id=quiz_id)
    if len(attempts) >= quiz.attempts_allowed:
        raise Conflict("no attempts left", quiz_id=quiz_id, allowed=quiz.attempts_allowed)
    question_ids = await slot_question_ids(db, quiz.id)
    if not question_ids:
        raise Conflict("this quiz has no questions", quiz_id=quiz_id)
    bank = await question_bank.questions_by_id(db, quiz.course_id, question_ids)
    deadline = None
    if quiz.time_limit_seconds:
        deadline = at + timedelta(seconds=quiz.time_limit_seconds)
    if quiz.closes_at is not None:
        deadline = min(deadline, quiz.closes_at) if deadline else quiz.closes_at
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=student.id,
        number=len(attempts) + 1,
        started_at=at,
        deadline=deadline,
        max_points=sum(question.points for question in bank),
    )
    db.add(attempt)
    await db.flush()
    for position, question in enumerate(bank):
        db.add(
            QuizAttemptQuestion(
                attempt_id=attempt.id,
                position=position,
                kind=question.kind,
                prompt=question.prompt,
                options=list(question.options or []),
                correct=list(question.correct or []),
                points=question.points,
            )
        )
    await db.flush()
    return AttemptView(attempt, await _questions(db, attempt.id), quiz), True


async def _attempt_for(
    db: AsyncSession, viewer: User, attempt_id: int
) -> tuple[QuizAttempt, CourseQuiz, bool]:
    """The attempt, its quiz, and whether the viewer teaches the course (else: their own)."""
    attempt = await db.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise NotFound("no such attempt", attempt_id=attempt_id)
    quiz = await _quiz(db, attempt.quiz_id)
    if attempt.user_id == viewer.id and viewer.is_active:
        return attempt, quiz, False
    if await permissions.may_teach(db, viewer, quiz.course_id):
        return attempt, quiz, True
    raise NotFound("no such attempt", attempt_id=attempt_id)


async def attempt_view(
    db: AsyncSession, viewer: User, attempt_id: int, *, now: datetime | None = None
) -> tuple[AttemptView, bool]:
    attempt, quiz, teaches = await _attempt_for(db, viewer, attempt_id)
    await _expire_if_due(db, attempt, moment(now))
    return AttemptView(attempt, await _questions(db, attempt.id), quiz), teaches


async def save_answer(
    db: AsyncSession,
    student: User,
    attempt_id: int,
    *,
    position: int,
    response: Any,
    client_id: str,
    seq: int,
    now: datetime | None = None,
) -> tuple[QuizAttemptQuestion, bool]:
    """Autosave one answer: ``(question, applied)``. Acknowledged only after the commit."""
    client_id = clean_text(client_id, "client_id", max_chars=64)
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**62:
        raise InvalidInput("seq must be a positive integer", field="seq")
    attempt = await db.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update()
    )
    if attempt is None or attempt.user_id != student.id:
        raise NotFound("no such attempt", attempt_id=attempt_id)
    question = await db.scalar(
        select(QuizAttemptQuestion).where(
            QuizAttemptQuestion.attempt_id == attempt.id,
            QuizAttemptQuestion.position == position,
        )
    )
    if question is None:
        raise NotFound("no such question in this attempt", position=position)
    if question.last_client_id == client_id or seq < question.last_seq:
        return question, False  # a retry, or older than what is stored: keep the stored one
    at = moment(now)
    await _expire_if_due(db, attempt, at)
    if attempt.state is not AttemptState.IN_PROGRESS:
        raise Conflict("this attempt is finished; the answer was not saved", attempt_id=attempt.id)
    question.response = check_response(_spec(question), response)
    question.last_client_id = client_id
    question.last_seq = seq
    question.saved_at = at
    await db.flush()
    return question, True


async def submit_attempt(
    db: AsyncSession, student: User, attempt_id: int, *, now: datetime | None = None
) -> QuizAttempt:
    """Finish an attempt; submitting a finished one again changes nothing."""
    attempt = await db.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update()
    )
    if attempt is None or attempt.user_id != student.id:
        raise NotFound("no such attempt", attempt_id=attempt_id)
    at = moment(now)
    await _expire_if_due(db, attempt, at)
    if attempt.state is AttemptState.IN_PROGRESS:
        await _finish(db, attempt, FinishReason.SUBMITTED, at)
    return attempt


async def grade_question(
    db: AsyncSession,
    teacher: User,
    attempt_id: int,
    position: int,
    *,
    points: float | None,
    comment: str = "",
) -> QuizAttempt:
    """Override one question's points (``None`` returns it to the automatic grade)."""
    attempt, _, teaches = await _attempt_for(db, teacher, attempt_id)
    if not teaches:
        raise Forbidden("only the course's teachers grade attempts")
    if attempt.state is not AttemptState.FINISHED:
        raise Conflict("grade an attempt once it is finished", attempt_id=attempt_id)
    questions = await _questions(db, attempt.id)
    question = next((q for q in questions if q.position == position), None)
    if question is None:
        raise NotFound("no such question in this attempt", position=position)
    if points is not None and not 0 <= points <= question.points:
        raise InvalidInput(f"grade out of range: 0 to {question.points}", field="points")
    question.manual_points = points
    question.manual_comment = clean_text(comment, "comment", max_chars=5000, min_chars=0)
    attempt.points, attempt.needs_review = _total(questions)
    await db.flush()
    return attempt


async def attempts_of_quiz(
    db: AsyncSession, teacher: User, quiz_id: int
) -> list[tuple[QuizAttempt, User]]:
    quiz = await _quiz(db, quiz_id)
    await permissions.require_course_teacher(db, teacher, quiz.course_id)
    rows = await db.execute(
        select(QuizAttempt, User)
        .join(User, User.id == QuizAttempt.user_id)
        .where(QuizAttempt.quiz_id == quiz.id)
        .order_by(User.display_name, User.id, QuizAttempt.number)
    )
    return list(rows.tuples())


async def my_attempts(db: AsyncSession, student: User, quiz_id: int) -> list[QuizAttempt]:
    await get_quiz(db, student, quiz_id)
    at = moment(None)
    attempts = list(
        await db.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == student.id)
            .order_by(QuizAttempt.number)
        )
    )
    for attempt in attempts:
        await _expire_if_due(db, attempt, at)
    return attempts


async def best_points(db: AsyncSession, quiz_id: int) -> dict[int, tuple[float, int]]:
    """Each student's best finished attempt: ``user_id -> (points, max_points)``."""
    rows = await db.execute(
        select(QuizAttempt.user_id, func.max(QuizAttempt.points), func.max(QuizAttempt.max_points))
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.state == AttemptState.FINISHED)
        .group_by(QuizAttempt.user_id)
    )
    return {user_id: (float(points or 0), int(top or 0)) for user_id, points, top in rows}


async def seed_course_quizzes(db: AsyncSession, logins: DemoLogins) -> None:
    """A 10-minute quiz over the demo course's question bank (seeded just before)."""
    course_id = logins.course_id
    if await db.scalar(select(CourseQuiz.id).where(CourseQuiz.course_id == course_id).limit(1)):
        return
    teacher = await permissions.first_teacher(db, course_id)
    question_ids = list(
        await db.scalars(
            select(Question.id).where(Question.course_id == course_id).order_by(Question.id)
        )
    )
    if teacher is None or not question_ids:
        return
    await create_quiz(
        db,
        teacher,
        course_id,
        QuizSettings(
            title="식물의 한살이 확인 평가",
            question_ids=question_ids,
            time_limit_seconds=600,
            attempts_allowed=2,
        ),
    )


async def check_lesson_reference(db: AsyncSession, course_id: int, quiz_id: int) -> None:
    """A quiz lesson must point at a quiz of its own course."""
    found = await db.scalar(
        select(CourseQuiz.id).where(CourseQuiz.id == quiz_id, CourseQuiz.course_id == course_id)
    )
    if found is None:
        raise NotFound("no such quiz in this course", field="ref_id")


courseware.REFERENCE_CHECKS[LessonKind.QUIZ] = check_lesson_reference
