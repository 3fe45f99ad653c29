"""Quiz and poll runs in a live session: launch, answer, close, reveal, and the grades they leave.

Rules a teacher and a student can rely on:
- One run is open per session at a time; launching copies its questions, so editing the bank
  afterwards changes nothing in the run.
- An answer is stored before it is acknowledged and is idempotent on the student's client id:
  a retry returns the stored row. On a named run a student may change their answer while it is
  open; the newest submission counts (last write wins per question), and a late retry of an
  *older* client id finds its own row and changes nothing.
- On an anonymous run an answer is final: nothing links it to the student, so there is nothing
  to replace it by. *That* the student answered is kept apart (``AnonymousLedger``): in the
  node's memory while the run is open, written to ``quiz_participation`` in shuffled order in
  the transaction that closes it. Written next to the answer, it would share the answer's
  transaction (PostgreSQL's ``xmin``) and insertion order, which is enough to join the two.
  While the run is open the teachers see who answered but not the counts, which would otherwise
  move in step with the names.
- After the run closes (by the teacher, its time limit, or the end of class) every answer is
  refused with ``quiz_closed`` and the reason; the deadline is enforced here, on the server's
  clock, even if the timer that closes the run has not fired yet.
- A graded run writes one ``QuizGrade`` per student when it closes; ``graded_runs`` is what a
  gradebook reads.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import insert_or_skip
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    CourseRole,
    LiveSession,
    LiveSessionStatus,
    QuestionKind,
    QuizAnonymousAnswer,
    QuizAnswer,
    QuizCloseReason,
    QuizGrade,
    QuizParticipation,
    QuizRun,
    QuizRunKind,
    QuizRunQuestion,
    QuizRunStatus,
    User,
)
from lms.quiz_grading import QuestionSpec, check_question, check_response, grade, tally
from lms.quiz_grading import normalise_short_answer as normalise
from lms.services import (
    clean_text,
    courses,
    live_sessions,
    moment,
    permissions,
    question_bank,
    room_log,
)

MAX_RUN_QUESTIONS = 20
MIN_TIME_LIMIT_SECONDS = 1
MAX_TIME_LIMIT_SECONDS = 3600
SHORT_ANSWERS_SHOWN = 50
# Quick polls need no preparation: the options are fixed, the prompt optional.
POLL_PRESETS: dict[str, tuple[str, ...]] = {
    "yes_no": ("예", "아니요"),
    "abcd": ("A", "B", "C", "D"),
    "scale_5": ("1", "2", "3", "4", "5"),
}
POLL_TITLES = {"yes_no": "예/아니요 투표", "abcd": "A–D 투표", "scale_5": "1–5 투표"}


class QuizClosed(Conflict):
    """The run no longer takes answers; ``details.reason`` says why (teacher, time_up…)."""

    code = "quiz_closed"


class AnonymousLedger:
    """Who has answered which question of an open anonymous run, held by the node (the live
    class of a session runs on one node) and never stored next to the answers.

    ``claim`` is a check-and-set with no ``await`` inside, so two submissions of one student
    racing each other cannot both pass; a claim whose transaction fails is ``release``d.
    """

    def __init__(self) -> None:
        self._answered: dict[int, dict[int, set[int]]] = {}

    def claim(self, run_id: int, run_question_id: int, user_id: int) -> bool:
        users = self._answered.setdefault(run_id, {}).setdefault(run_question_id, set())
        if user_id in users:
            return False
        users.add(user_id)
        return True

    def release(self, run_id: int, run_question_id: int, user_id: int) -> None:
        self._answered.get(run_id, {}).get(run_question_id, set()).discard(user_id)

    def of_run(self, run_id: int) -> dict[int, set[int]]:
        return self._answered.get(run_id, {})

    def pop(self, run_id: int) -> dict[int, set[int]]:
        return self._answered.pop(run_id, {})


@dataclass
class RunView:
    """A run with its questions, loaded once for the views below."""

    run: QuizRun
    questions: list[QuizRunQuestion]

    def question(self, run_question_id: int) -> QuizRunQuestion:
        for question in self.questions:
            if question.id == run_question_id:
                return question
        raise NotFound("no such question in this quiz", question_id=run_question_id)


@dataclass
class GradedRun:
    """One graded run's per-student points, as the gradebook reads them."""

    run_id: int
    course_id: int
    session_id: int
    title: str
    max_points: int
    closed_at: datetime | None
    points: dict[int, int] = field(default_factory=dict)  # user id -> points


def spec(question: QuizRunQuestion) -> QuestionSpec:
    return QuestionSpec(
        QuestionKind(question.kind),
        tuple(question.options or ()),
        tuple(question.correct or ()),
        question.points,
    )


# -- loading ------------------------------------------------------------------------------


async def load_run(db: AsyncSession, run_id: int) -> RunView:
    run = await db.get(QuizRun, run_id)
    if run is None:
        raise NotFound("no such quiz", run_id=run_id)
    questions = await db.scalars(
        select(QuizRunQuestion)
        .where(QuizRunQuestion.run_id == run_id)
        .order_by(QuizRunQuestion.position)
    )
    return RunView(run, list(questions))


async def _lock_run(db: AsyncSession, run: QuizRun) -> None:
    """Queue behind the run's other writers (answers, close) and re-read its state.

    A no-op ``UPDATE`` takes the row lock on PostgreSQL and the write lock on SQLite, so an
    answer and the close cannot interleave: an answer either commits before the close (and is
    graded) or sees the run closed.
    """
    await db.execute(
        update(QuizRun)
        .where(QuizRun.id == run.id)
        .values(status=QuizRun.status)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(run)


async def _hold_run_open(db: AsyncSession, run: QuizRun) -> None:
    """Keep the run from closing until this answer's transaction ends, and re-read its state.

    Answers only need the run not to close under them, not each other's absence: on
    PostgreSQL a shared row lock (``FOR SHARE``, read in the same statement) lets a class's
    answers commit side by side while the close's ``UPDATE`` waits for all of them. SQLite
    has one writer at a time anyway, so there the answer takes the run's lock as the close does.
    """
    if db.get_bind().dialect.name != "postgresql":
        await _lock_run(db, run)
        return
    await db.execute(
        select(QuizRun)
        .where(QuizRun.id == run.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )


async def open_run(db: AsyncSession, session_id: int) -> QuizRun | None:
    return await db.scalar(
        select(QuizRun).where(
            QuizRun.session_id == session_id, QuizRun.status == QuizRunStatus.OPEN
        )
    )


async def latest_run(db: AsyncSession, session_id: int) -> QuizRun | None:
    """The open run, or else the one launched last: what a (re)joining client shows."""
    return await open_run(db, session_id) or await db.scalar(
        select(QuizRun).where(QuizRun.session_id == session_id).order_by(QuizRun.id.desc()).limit(1)
    )


async def overdue_runs(db: AsyncSession, session_id: int, now: datetime | None = None) -> list[int]:
    """Open runs of the session whose deadline has passed (their timer may have been lost)."""
    rows = await db.scalars(
        select(QuizRun.id).where(
            QuizRun.session_id == session_id,
            QuizRun.status == QuizRunStatus.OPEN,
            QuizRun.deadline.is_not(None),
            QuizRun.deadline <= moment(now),
        )
    )
    return list(rows)


# -- launching ----------------------------------------------------------------------------


async def _live_session_taught_by(db: AsyncSession, actor: User, session_id: int) -> LiveSession:
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_teacher(db, actor, session.course_id)
    if session.status is not LiveSessionStatus.LIVE:
        raise Conflict("this session is not live", session_id=session_id)
    return session


async def launch(
    db: AsyncSession,
    actor: User,
    session_id: int,
    *,
    client_id: str,
    question_ids: Sequence[int] = (),
    poll: str | None = None,
    prompt: str | None = None,
    title: str | None = None,
    anonymous: bool = False,
    time_limit_seconds: int | None = None,
    now: datetime | None = None,
) -> tuple[RunView, bool]:
    """Launch bank questions or a quick poll; a retried ``client_id`` returns the stored run."""
    session = await _live_session_taught_by(db, actor, session_id)
    stored = await _stored_launch(db, session_id, actor.id, client_id)
    if stored is not None:
        return await load_run(db, stored), False
    await live_sessions_lock(db, session_id)
    stored = await _stored_launch(db, session_id, actor.id, client_id)
    if stored is not None:
        return await load_run(db, stored), False
    running = await open_run(db, session_id)
    if running is not None:
        raise Conflict("another quiz is still open; close it first", run_id=running.id)
    if (poll is None) == (not question_ids):
        raise InvalidInput("launch either bank questions or a quick poll", field="question_ids")
    if time_limit_seconds is not None and not (
        MIN_TIME_LIMIT_SECONDS <= time_limit_seconds <= MAX_TIME_LIMIT_SECONDS
    ):
        raise InvalidInput(
            f"the time limit is {MIN_TIME_LIMIT_SECONDS} to {MAX_TIME_LIMIT_SECONDS} seconds",
            field="time_limit_seconds",
        )
    specs: list[tuple[QuestionSpec, str, int | None]] = []
    if poll is not None:
        if poll not in POLL_PRESETS:
            raise InvalidInput(f"poll must be one of {sorted(POLL_PRESETS)}", field="poll")
        text = clean_text(prompt or "", "prompt", max_chars=2000, min_chars=0)
        checked, text = check_question(
            QuestionKind.SINGLE_CHOICE, text or POLL_TITLES[poll], POLL_PRESETS[poll], [], 0
        )
        specs.append((checked, text, None))
        default_title = text
    else:
        if len(question_ids) > MAX_RUN_QUESTIONS or len(set(question_ids)) != len(question_ids):
            raise InvalidInput(
                f"launch 1 to {MAX_RUN_QUESTIONS} different questions", field="question_ids"
            )
        bank = await question_bank.questions_by_id(db, session.course_id, question_ids)
        specs = [(question_bank.spec(q), q.prompt, q.id) for q in bank]
        default_title = bank[0].prompt if len(bank) == 1 else f"퀴즈 ({len(bank)}문항)"
    graded = any(s.graded for s, _, _ in specs)
    if anonymous and graded:
        raise InvalidInput("an anonymous quiz cannot be graded", field="anonymous")
    start = moment(now)
    run = QuizRun(
        course_id=session.course_id,
        session_id=session_id,
        kind=QuizRunKind.POLL if poll else QuizRunKind.QUIZ,
        title=clean_text(title or default_title[:200], "title", max_chars=200),
        poll_preset=poll,
        anonymous=anonymous,
        graded=graded,
        max_points=sum(s.points for s, _, _ in specs if s.graded),
        time_limit_seconds=time_limit_seconds,
        deadline=start + timedelta(seconds=time_limit_seconds) if time_limit_seconds else None,
        status=QuizRunStatus.OPEN,
        launched_by=actor.id,
        client_id=client_id,
        launched_at=start,
    )
    db.add(run)
    await db.flush()
    questions = [
        QuizRunQuestion(
            run_id=run.id,
            position=position,
            source_question_id=source_id,
            kind=checked.kind,
            prompt=text,
            options=list(checked.options),
            correct=list(checked.correct),
            points=checked.points,
        )
        for position, (checked, text, source_id) in enumerate(specs)
    ]
    db.add_all(questions)
    await db.flush()
    return RunView(run, questions), True


async def live_sessions_lock(db: AsyncSession, session_id: int) -> None:
    """Serialize launches in one room so two teachers cannot both open a run."""
    await room_log.lock_room(db, session_id)


async def _stored_launch(
    db: AsyncSession, session_id: int, actor_id: int, client_id: str
) -> int | None:
    return await db.scalar(
        select(QuizRun.id).where(
            QuizRun.session_id == session_id,
            QuizRun.launched_by == actor_id,
            QuizRun.client_id == client_id,
        )
    )


# -- answering ----------------------------------------------------------------------------


@dataclass
class AnswerOutcome:
    run: QuizRun
    question: QuizRunQuestion
    response: dict[str, Any]
    client_id: str
    created: bool


async def _stored_answer(
    db: AsyncSession, view: RunView, question: QuizRunQuestion, user_id: int, client_id: str
) -> dict[str, Any] | None:
    if view.run.anonymous:
        row: Any = await db.scalar(
            select(QuizAnonymousAnswer.response).where(
                QuizAnonymousAnswer.run_question_id == question.id,
                QuizAnonymousAnswer.client_id == client_id,
            )
        )
    else:
        row = await db.scalar(
            select(QuizAnswer.response).where(
                QuizAnswer.run_question_id == question.id,
                QuizAnswer.user_id == user_id,
                QuizAnswer.client_id == client_id,
            )
        )
    return row


def _refusal(run: QuizRun, now: datetime | None) -> QuizClosed | None:
    """Why a new answer is refused now: the run closed, or its time is up; None while open."""
    if run.status is QuizRunStatus.CLOSED:
        reason = QuizCloseReason(run.close_reason or QuizCloseReason.TEACHER).value
        return QuizClosed("this quiz is closed", run_id=run.id, reason=reason)
    if run.deadline is not None and moment(now) >= run.deadline:
        return QuizClosed("the time is up", run_id=run.id, reason=QuizCloseReason.TIME_UP.value)
    return None


async def submit_answer(
    db: AsyncSession,
    user: User,
    run_id: int,
    run_question_id: int,
    *,
    client_id: str,
    response: Any,
    ledger: AnonymousLedger | None = None,
    session_id: int | None = None,
    now: datetime | None = None,
) -> AnswerOutcome:
    """Store one answer, once per client id. A stored retry is acknowledged even after the
    run closed: the student's acknowledged answer must never turn into an error."""
    view = await load_run(db, run_id)
    run = view.run
    if session_id is not None and run.session_id != session_id:
        raise NotFound("no such quiz in this session", run_id=run_id)
    if await permissions.course_role(db, run.course_id, user.id) is not CourseRole.STUDENT:
        raise Forbidden("only the course's students answer quizzes", run_id=run_id)
    question = view.question(run_question_id)
    await _hold_run_open(db, run)
    closed = _refusal(run, now)
    # A named answer to an open run is settled by its insert below; the rest look first.
    if closed is not None or run.anonymous:
        stored = await _stored_answer(db, view, question, user.id, client_id)
        if stored is not None:
            return AnswerOutcome(run, question, stored, client_id, False)
    if closed is not None:
        raise closed
    checked = check_response(spec(question), response)
    if run.anonymous:
        if ledger is None:
            raise Conflict("anonymous answers are taken in the live class only", run_id=run_id)
        if not ledger.claim(run.id, question.id, user.id):
            raise Conflict(
                "you already answered; an anonymous answer cannot be changed",
                run_id=run_id,
                reason="anonymous_final",
            )
        db.add(
            QuizAnonymousAnswer(
                id=secrets.token_hex(16),
                run_question_id=question.id,
                client_id=client_id,
                response=checked,
            )
        )
        try:
            await db.flush()
        except BaseException:
            ledger.release(run.id, question.id, user.id)
            raise
        return AnswerOutcome(run, question, checked, client_id, True)
    result = grade(spec(question), checked)
    # Answers share the run's lock, so a retry (racing its original or not) is settled here.
    inserted = await db.scalar(
        insert_or_skip(db, QuizAnswer, "run_question_id", "user_id", "client_id")
        .values(
            run_id=run.id,
            run_question_id=question.id,
            user_id=user.id,
            client_id=client_id,
            response=checked,
            is_correct=result.correct,
            points_awarded=result.points,
            answered_at=moment(now),
        )
        .returning(QuizAnswer.id)
    )
    if inserted is None:
        stored = await _stored_answer(db, view, question, user.id, client_id)
        assert stored is not None, "skipped as a duplicate, so it is stored"
        return AnswerOutcome(run, question, stored, client_id, False)
    return AnswerOutcome(run, question, checked, client_id, True)


async def current_answers(db: AsyncSession, run_id: int) -> dict[tuple[int, int], QuizAnswer]:
    """The answer that counts per (question, student): their newest submission."""
    rows = await db.scalars(
        select(QuizAnswer).where(QuizAnswer.run_id == run_id).order_by(QuizAnswer.id)
    )
    return {(a.run_question_id, a.user_id): a for a in rows}


async def _anonymous_responses(db: AsyncSession, view: RunView) -> dict[int, list[dict[str, Any]]]:
    ids = [q.id for q in view.questions]
    rows = await db.execute(
        select(QuizAnonymousAnswer.run_question_id, QuizAnonymousAnswer.response).where(
            QuizAnonymousAnswer.run_question_id.in_(ids)
        )
    )
    by_question: dict[int, list[dict[str, Any]]] = {qid: [] for qid in ids}
    for qid, response in rows.tuples():
        by_question[qid].append(response)
    return by_question


async def _respondents(
    db: AsyncSession,
    view: RunView,
    ledger: AnonymousLedger | None,
    answers: dict[tuple[int, int], QuizAnswer] | None = None,
) -> dict[int, set[int]]:
    """Who answered each question: an open anonymous run's from the ledger, a closed one's from
    the participation rows written when it closed; a named run's from its ``answers`` (read
    here unless the caller already has them)."""
    by_question: dict[int, set[int]] = {q.id: set() for q in view.questions}
    if view.run.anonymous and view.run.status is QuizRunStatus.OPEN:
        for qid, users in (ledger.of_run(view.run.id) if ledger else {}).items():
            by_question.setdefault(qid, set()).update(users)
    elif view.run.anonymous:
        rows = await db.execute(
            select(QuizParticipation.run_question_id, QuizParticipation.user_id).where(
                QuizParticipation.run_id == view.run.id
            )
        )
        for qid, uid in rows.tuples():
            by_question[qid].add(uid)
    else:
        for qid, uid in answers if answers is not None else await current_answers(db, view.run.id):
            by_question[qid].add(uid)
    return by_question


# -- closing and revealing ----------------------------------------------------------------


async def close_run(
    db: AsyncSession,
    actor: User | None,
    run_id: int,
    *,
    reason: QuizCloseReason = QuizCloseReason.TEACHER,
    ledger: AnonymousLedger | None = None,
    now: datetime | None = None,
) -> tuple[RunView, bool]:
    """Close a run (idempotent) and, if graded, write every student's grade; an anonymous
    run's participation is written now, in shuffled order, in this one transaction.

    ``actor`` is ``None`` when the server closes it by itself (time limit, end of class).
    """
    view = await load_run(db, run_id)
    if actor is not None:
        await permissions.require_course_teacher(db, actor, view.run.course_id)
    await _lock_run(db, view.run)
    run = view.run
    if run.status is QuizRunStatus.CLOSED:
        return view, False
    at = moment(now)
    if reason is QuizCloseReason.TEACHER and run.deadline is not None and at >= run.deadline:
        reason = QuizCloseReason.TIME_UP  # the clock closed it first; say so
    run.status = QuizRunStatus.CLOSED
    run.close_reason = reason
    run.closed_at = at
    if run.graded:
        await _write_grades(db, view, at)
    if run.anonymous and ledger is not None:
        answered = [(qid, uid) for qid, users in ledger.pop(run.id).items() for uid in users]
        random.SystemRandom().shuffle(answered)
        db.add_all(
            QuizParticipation(run_id=run.id, run_question_id=qid, user_id=uid)
            for qid, uid in answered
        )
    await db.flush()
    return view, True


async def _write_grades(db: AsyncSession, view: RunView, at: datetime) -> None:
    answers = await current_answers(db, view.run.id)
    students = set(await courses.enrolled_students(db, view.run.course_id))
    students |= {uid for _, uid in answers}
    for user_id in sorted(students):
        mine = [answers[(q.id, user_id)] for q in view.questions if (q.id, user_id) in answers]
        db.add(
            QuizGrade(
                run_id=view.run.id,
                user_id=user_id,
                points=sum(a.points_awarded for a in mine),
                max_points=view.run.max_points,
                answered=len(mine),
                graded_at=at,
            )
        )


async def close_session_runs(
    db: AsyncSession,
    session_id: int,
    ledger: AnonymousLedger | None = None,
    now: datetime | None = None,
) -> list[int]:
    """The class ended: close whatever is still open, so its grades are written."""
    ids = list(
        await db.scalars(
            select(QuizRun.id).where(
                QuizRun.session_id == session_id, QuizRun.status == QuizRunStatus.OPEN
            )
        )
    )
    for run_id in ids:
        await close_run(
            db, None, run_id, reason=QuizCloseReason.SESSION_ENDED, ledger=ledger, now=now
        )
    return ids


async def reveal_run(
    db: AsyncSession, actor: User, run_id: int, now: datetime | None = None
) -> tuple[RunView, bool]:
    """Show the results and the key to the class; only after the run closed."""
    view = await load_run(db, run_id)
    await permissions.require_course_teacher(db, actor, view.run.course_id)
    if view.run.status is not QuizRunStatus.CLOSED:
        raise Conflict("close the quiz before revealing its results", run_id=run_id)
    if view.run.revealed_at is not None:
        return view, False
    view.run.revealed_at = moment(now)
    await db.flush()
    return view, True


# -- what each person sees ----------------------------------------------------------------


def _utc(value: datetime | None) -> str | None:
    """Timestamps as the rest of the protocol writes them: UTC with a ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def public_run(view: RunView) -> dict[str, Any]:
    """The run as every participant sees it: never the answer key."""
    run = view.run
    return {
        "id": run.id,
        "session_id": run.session_id,
        "kind": QuizRunKind(run.kind).value,
        "title": run.title,
        "poll_preset": run.poll_preset,
        "anonymous": run.anonymous,
        "graded": run.graded,
        "max_points": run.max_points,
        "time_limit_seconds": run.time_limit_seconds,
        "deadline": _utc(run.deadline),
        "status": QuizRunStatus(run.status).value,
        "close_reason": run.close_reason.value if run.close_reason else None,
        "launched_at": _utc(run.launched_at),
        "closed_at": _utc(run.closed_at),
        "revealed": run.revealed_at is not None,
        "questions": [
            {
                "id": q.id,
                "position": q.position,
                "kind": QuestionKind(q.kind).value,
                "prompt": q.prompt,
                "options": list(q.options or ()),
                "points": q.points,
            }
            for q in view.questions
        ],
    }


async def _student_names(db: AsyncSession, course_id: int) -> dict[int, str]:
    """The course's students (``courses.student_ids``) with their names, in one query."""
    rows = await db.execute(
        select(User.id, User.display_name).where(User.id.in_(courses.student_ids(course_id)))
    )
    return dict(rows.tuples().all())


async def _names(db: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return dict(rows.tuples().all())


async def _responses(
    db: AsyncSession, view: RunView, answers: dict[tuple[int, int], QuizAnswer] | None = None
) -> dict[int, list[dict[str, Any]]]:
    if view.run.anonymous:
        return await _anonymous_responses(db, view)
    if answers is None:
        answers = await current_answers(db, view.run.id)
    by_question: dict[int, list[dict[str, Any]]] = {q.id: [] for q in view.questions}
    for (qid, _), answer in answers.items():
        by_question[qid].append(answer.response)
    return by_question


def _short_answer_summary(
    question: QuizRunQuestion, responses: list[dict[str, Any]], with_key: bool
) -> list[dict[str, Any]]:
    """Short answers grouped by their normalised form, most frequent first."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for response in responses:
        key = normalise(response["text"])
        counts[key] += 1
        shown.setdefault(key, response["text"])
    summary = []
    for key, count in counts.most_common(SHORT_ANSWERS_SHOWN):
        item: dict[str, Any] = {"text": shown[key], "count": count}
        if with_key and question.correct:
            item["correct"] = any(key == normalise(a) for a in question.correct)
        summary.append(item)
    return summary


async def progress(
    db: AsyncSession, view: RunView, ledger: AnonymousLedger | None = None
) -> dict[str, Any]:
    """For the class's teachers: counts per option, who answered and who not.

    An open anonymous run shows who answered but no counts: counts that move as a name leaves
    the "not answered" list would tell the teacher what that student chose.
    """
    hide = view.run.anonymous and view.run.status is QuizRunStatus.OPEN
    # Sent to the teachers after every burst of answers: every round trip saved here counts
    # when a whole district polls at once.
    answers = None if view.run.anonymous else await current_answers(db, view.run.id)
    responses = {q.id: [] for q in view.questions} if hide else await _responses(db, view, answers)
    respondents = await _respondents(db, view, ledger, answers)
    names = await _student_names(db, view.run.course_id)
    students = set(names)
    answered_any = set().union(*respondents.values()) if respondents else set()
    if answered_any - students:  # answered, then left the course
        names |= await _names(db, answered_any - students)
    questions = []
    for q in view.questions:
        item: dict[str, Any] = {"id": q.id, "answers": len(respondents[q.id])}
        if not hide and QuestionKind(q.kind) is QuestionKind.SHORT_ANSWER:
            item["texts"] = _short_answer_summary(q, responses[q.id], with_key=True)
        elif not hide:
            item["counts"] = tally(spec(q), responses[q.id])
        item["correct"] = list(q.correct or ())
        questions.append(item)
    waiting = sorted(students - answered_any, key=lambda uid: (names.get(uid, ""), uid))
    return {
        "run_id": view.run.id,
        "status": QuizRunStatus(view.run.status).value,
        "counts_hidden": hide,
        "students": len(students),
        "respondents": len(answered_any),
        "questions": questions,
        "answered": [
            {"user_id": uid, "display_name": names.get(uid, "")}
            for uid in sorted(answered_any, key=lambda u: (names.get(u, ""), u))
        ],
        "not_answered": [{"user_id": uid, "display_name": names.get(uid, "")} for uid in waiting],
    }


async def results(db: AsyncSession, view: RunView) -> dict[str, Any]:
    """What the class sees once the teacher reveals: counts, the key, short-answer groups."""
    responses = await _responses(db, view)
    questions = []
    for q in view.questions:
        item: dict[str, Any] = {
            "id": q.id,
            "answers": len(responses[q.id]),
            "correct": list(q.correct or ()),
        }
        if QuestionKind(q.kind) is QuestionKind.SHORT_ANSWER:
            item["texts"] = _short_answer_summary(q, responses[q.id], with_key=True)
        else:
            item["counts"] = tally(spec(q), responses[q.id])
        questions.append(item)
    return {"run_id": view.run.id, "questions": questions}


async def my_answers(
    db: AsyncSession, view: RunView, user_id: int, ledger: AnonymousLedger | None = None
) -> dict[str, Any]:
    """A student's own stored answers, so a reloaded page shows them again.

    Correctness appears only after the reveal (before it, it would leak the key). On an
    anonymous run the server cannot know the answer: only that the student answered.
    """
    revealed = view.run.revealed_at is not None
    if view.run.anonymous:
        mine = await _respondents(db, view, ledger)
        answered = [qid for qid, users in mine.items() if user_id in users]
        return {"answered": sorted(answered), "answers": {}}
    answers = await current_answers(db, view.run.id)
    mine: dict[str, Any] = {}
    total = 0
    for q in view.questions:
        answer = answers.get((q.id, user_id))
        if answer is None:
            continue
        entry: dict[str, Any] = {"client_id": answer.client_id, "response": answer.response}
        if revealed:
            entry["correct"] = answer.is_correct
            entry["points"] = answer.points_awarded
            total += answer.points_awarded
        mine[str(q.id)] = entry
    out: dict[str, Any] = {"answered": sorted(int(k) for k in mine), "answers": mine}
    if revealed and view.run.graded:
        out["points"] = total
        out["max_points"] = view.run.max_points
    return out


async def session_runs(
    db: AsyncSession, viewer: User, session_id: int, ledger: AnonymousLedger | None = None
) -> list[dict[str, Any]]:
    """Every run of a session: teachers get results and each student's score; a student gets
    the runs, their own answers, and results only where the teacher revealed them."""
    session = await live_sessions.get_session(db, session_id)
    await permissions.require_course_member(db, viewer, session.course_id)
    teaching = await permissions.may_teach(db, viewer, session.course_id)
    run_ids = await db.scalars(
        select(QuizRun.id).where(QuizRun.session_id == session_id).order_by(QuizRun.id)
    )
    out = []
    for run_id in list(run_ids):
        view = await load_run(db, run_id)
        item = public_run(view)
        if teaching:
            item["progress"] = await progress(db, view, ledger)
            item["grades"] = await _grades(db, run_id)
        else:
            item["mine"] = await my_answers(db, view, viewer.id, ledger)
            if view.run.revealed_at is not None:
                item["results"] = await results(db, view)
        out.append(item)
    return out


async def _grades(db: AsyncSession, run_id: int) -> list[dict[str, Any]]:
    rows = await db.execute(
        select(QuizGrade, User.display_name)
        .join(User, User.id == QuizGrade.user_id)
        .where(QuizGrade.run_id == run_id)
        .order_by(User.display_name, User.id)
    )
    return [
        {
            "user_id": g.user_id,
            "display_name": name,
            "points": g.points,
            "max_points": g.max_points,
            "answered": g.answered,
        }
        for g, name in rows.tuples()
    ]


async def graded_runs(db: AsyncSession, course_id: int) -> list[GradedRun]:
    """Every closed graded run of a course with each student's points, oldest first.

    The gradebook's entry point: no permission check here (the caller decides who may read
    grades); a student enrolled when the run closed and who never answered has 0 points.
    """
    rows = await db.execute(
        select(QuizRun, QuizGrade.user_id, QuizGrade.points)
        .outerjoin(QuizGrade, QuizGrade.run_id == QuizRun.id)
        .where(
            QuizRun.course_id == course_id,
            QuizRun.graded.is_(True),
            QuizRun.status == QuizRunStatus.CLOSED,
        )
        .order_by(QuizRun.closed_at, QuizRun.id)
    )
    runs: dict[int, GradedRun] = {}
    for run, user_id, points in rows.tuples():
        graded = runs.get(run.id)
        if graded is None:
            graded = runs[run.id] = GradedRun(
                run.id, run.course_id, run.session_id, run.title, run.max_points, run.closed_at
            )
        if user_id is not None:
            graded.points[user_id] = points
    return list(runs.values())
