"""Quizzes and quick polls in the live class (``docs/quizzes.md``).

The class's teachers launch a run (bank questions or a preset poll), watch answers arrive, close
it and reveal the results; students answer. The rules live in ``lms.services.quizzes``; this
tool checks who may send what, stores first, then tells the room, then acks. Launch, close and
reveal are room events with a sequence number (replayed to reconnecting clients); the run
itself, and a student's own stored answers, come with every join ack in ``tools.quiz``.

Answers arriving are shown to the teachers only, through ``teachers_room``. A run with a time
limit is closed by a timer on the node that launched it; should that node go away, any node
closes it on the next join or answer (the deadline itself is enforced by the service).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import NotFound
from lms.models import (
    LeaveReason,
    LiveSessionStatus,
    QuizCloseReason,
    QuizRunStatus,
    RoomEventKind,
    User,
)
from lms.quiz_grading import MAX_OPTIONS, SHORT_ANSWER_MAX_CHARS
from lms.services import live_sessions, quizzes, room_log
from server.live import payloads as p
from server.live.deadlines import Deadlines
from server.live.rooms import member_room, session_room, teachers_room
from server.live.tool import Ack, LiveTool

if TYPE_CHECKING:
    from server.live.namespace import Connection

log = logging.getLogger(__name__)

# A burst of answers (a whole class answering at once) becomes one progress message per this
# many seconds, computed outside the answers' transactions so they never wait on it.
PROGRESS_INTERVAL = 0.5


class ChoiceResponse(p.Payload):
    choice: Annotated[int, Field(ge=0, lt=MAX_OPTIONS)]


class ChoicesResponse(p.Payload):
    choices: Annotated[list[Annotated[int, Field(ge=0, lt=MAX_OPTIONS)]], Field(max_length=10)]


class TextResponse(p.Payload):
    text: Annotated[str, StringConstraints(max_length=SHORT_ANSWER_MAX_CHARS)]


class QuizLaunchPayload(p.Payload):
    client_id: p.ClientId
    question_ids: Annotated[
        list[p.PositiveId], Field(default_factory=list, max_length=quizzes.MAX_RUN_QUESTIONS)
    ]
    poll: Literal["yes_no", "abcd", "scale_5"] | None = None
    prompt: Annotated[str, StringConstraints(max_length=500)] | None = None
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    anonymous: bool = False
    time_limit_seconds: (
        Annotated[
            int,
            Field(ge=quizzes.MIN_TIME_LIMIT_SECONDS, le=quizzes.MAX_TIME_LIMIT_SECONDS),
        ]
        | None
    ) = None


class QuizAnswerPayload(p.Payload):
    client_id: p.ClientId
    run_id: p.PositiveId
    question_id: p.PositiveId
    response: ChoiceResponse | ChoicesResponse | TextResponse


class QuizRunPayload(p.Payload):
    """Close or reveal one run."""

    client_id: p.ClientId
    run_id: p.PositiveId


class QuizTool(LiveTool):
    name: ClassVar[str] = "quiz"
    events: ClassVar[dict[str, tuple[str, type[p.Payload]]]] = {
        "quiz:launch": ("on_launch", QuizLaunchPayload),
        "quiz:answer": ("on_answer", QuizAnswerPayload),
        "quiz:close": ("on_close", QuizRunPayload),
        "quiz:reveal": ("on_reveal", QuizRunPayload),
    }

    def __init__(self, namespace: Any) -> None:
        super().__init__(namespace)
        # Each open run with a time limit closes at its deadline (tagged with its session).
        self.deadlines: Deadlines[int] = Deadlines("quiz run")
        self.background: set[asyncio.Task[None]] = set()
        # Who answered the open anonymous runs of this node's classes (never stored beside
        # the answers; written to the database, shuffled, when the run closes).
        self.ledger = quizzes.AnonymousLedger()
        self.progress_pending: set[int] = set()

    # -- helpers ----------------------------------------------------------------------------

    async def actor(self, db: AsyncSession, connection: Connection) -> User:
        user = await db.get(User, connection.user_id)
        assert user is not None
        return user

    async def run_in_session(
        self, db: AsyncSession, run_id: int, session_id: int
    ) -> quizzes.RunView:
        view = await quizzes.load_run(db, run_id)
        if view.run.session_id != session_id:
            raise NotFound("no such quiz in this session", run_id=run_id)
        return view

    async def teacher_progress(self, db: AsyncSession, view: quizzes.RunView) -> dict[str, Any]:
        """The service's progress; ``mark_present`` adds who is in the room, after the commit."""
        return await quizzes.progress(db, view, self.ledger)

    async def mark_present(self, progress: dict[str, Any], session_id: int) -> dict[str, Any]:
        """Mark who of those who have not answered is in the room.

        Read from the presence store (Redis across nodes) outside any transaction: when a whole
        district's classes poll at once, a transaction held open across that read keeps a
        database connection from the answers and chats queued behind it.
        """
        here = {entry.user_id for entry in await self.namespace.presence.entries(session_id)}
        for person in progress["not_answered"]:
            person["present"] = person["user_id"] in here
        return progress

    async def append(
        self,
        db: AsyncSession,
        session_id: int,
        kind: RoomEventKind,
        actor_id: int,
        client_id: str | None,
        payload: dict[str, Any],
    ) -> dict[str, Any]:
        event, _ = await room_log.append_event(
            db, session_id, kind, actor_id, client_id=client_id, payload=payload
        )
        actor = await db.get(User, actor_id)
        return room_log.event_dict(event, actor.display_name if actor else "")

    async def emit(self, event: str, data: Any, room: str) -> None:
        await self.namespace.emit(event, data, room=room)

    # -- events -----------------------------------------------------------------------------

    async def on_launch(self, connection: Connection, payload: QuizLaunchPayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await self.actor(db, connection)
            view, created = await quizzes.launch(
                db,
                actor,
                session_id,
                client_id=payload.client_id,
                question_ids=payload.question_ids,
                poll=payload.poll,
                prompt=payload.prompt,
                title=payload.title,
                anonymous=payload.anonymous,
                time_limit_seconds=payload.time_limit_seconds,
            )
            run = quizzes.public_run(view)
            event = None
            if created:
                event = await self.append(
                    db,
                    session_id,
                    RoomEventKind.QUIZ_LAUNCHED,
                    actor.id,
                    payload.client_id,
                    {"run_id": run["id"], "title": run["title"], "kind": run["kind"]},
                )
            progress = await self.teacher_progress(db, view)
            deadline = view.run.deadline
        await self.mark_present(progress, session_id)
        if event is not None:
            await self.emit("room_event", event, session_room(session_id))
            await self.emit("quiz:launched", {"run": run}, session_room(session_id))
            await self.emit("quiz:progress", progress, teachers_room(session_id))
        self.schedule(run["id"], session_id, deadline)
        return {"run": run, "progress": progress}

    async def on_answer(self, connection: Connection, payload: QuizAnswerPayload) -> Ack:
        """Store the answer, then tell the teachers, then ack: an ack means it is stored."""
        session_id = self.namespace.joined(connection)
        outcome: quizzes.AnswerOutcome | None = None
        try:
            async with self.namespace.unit_of_work() as db:
                await self.namespace.require_live(db, session_id, connection.user_id)
                user = await self.actor(db, connection)
                outcome = await quizzes.submit_answer(
                    db,
                    user,
                    payload.run_id,
                    payload.question_id,
                    client_id=payload.client_id,
                    response=payload.response.model_dump(),
                    ledger=self.ledger,
                    session_id=session_id,
                )
        except quizzes.QuizClosed as error:
            if error.details.get("reason") == QuizCloseReason.TIME_UP.value:
                # The deadline passed but no timer closed the run (its node went away).
                await self.close_by_server(payload.run_id, QuizCloseReason.TIME_UP)
            raise
        except BaseException:
            if outcome is not None and outcome.created and outcome.run.anonymous:
                # Claimed, but the commit failed: the student may answer again.
                self.ledger.release(outcome.run.id, outcome.question.id, connection.user_id)
            raise
        assert outcome is not None
        if outcome.created:
            self.progress_soon(outcome.run.id, session_id)
        return {
            "answer": {
                "run_id": outcome.run.id,
                "question_id": outcome.question.id,
                "client_id": outcome.client_id,
                "response": outcome.response,
            }
        }

    async def on_close(self, connection: Connection, payload: QuizRunPayload) -> Ack:
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await self.actor(db, connection)
            await self.run_in_session(db, payload.run_id, session_id)
            view, created = await quizzes.close_run(
                db, actor, payload.run_id, reason=QuizCloseReason.TEACHER, ledger=self.ledger
            )
            run = quizzes.public_run(view)
            event = None
            if created:
                event = await self.append(
                    db,
                    session_id,
                    RoomEventKind.QUIZ_CLOSED,
                    actor.id,
                    payload.client_id,
                    {"run_id": run["id"], "title": run["title"], "reason": run["close_reason"]},
                )
            progress = await self.teacher_progress(db, view)
        await self.mark_present(progress, session_id)
        if event is not None:
            await self.announce_closed(session_id, run, event, progress)
        return {"run": run, "progress": progress}

    async def on_reveal(self, connection: Connection, payload: QuizRunPayload) -> Ack:
        """Show the class the counts and the key; each student also gets their own result."""
        session_id = self.namespace.require_moderator(connection)
        async with self.namespace.unit_of_work() as db:
            await self.namespace.require_live(db, session_id, connection.user_id)
            actor = await self.actor(db, connection)
            await self.run_in_session(db, payload.run_id, session_id)
            view, created = await quizzes.reveal_run(db, actor, payload.run_id)
            run = quizzes.public_run(view)
            results = await quizzes.results(db, view)
            event = None
            personal: dict[int, dict[str, Any]] = {}
            if created:
                event = await self.append(
                    db,
                    session_id,
                    RoomEventKind.QUIZ_REVEALED,
                    actor.id,
                    payload.client_id,
                    {"run_id": run["id"], "title": run["title"]},
                )
                if not view.run.anonymous:
                    for _, user_id in await quizzes.current_answers(db, view.run.id):
                        if user_id not in personal:
                            personal[user_id] = await quizzes.my_answers(db, view, user_id)
        if event is not None:
            await self.emit("room_event", event, session_room(session_id))
            await self.emit(
                "quiz:results", {"run": run, "results": results}, session_room(session_id)
            )
            for user_id, mine in personal.items():
                await self.emit(
                    "quiz:my_result",
                    {"run_id": run["id"], "mine": mine},
                    member_room(user_id, session_id),
                )
        return {"run": run, "results": results}

    def progress_soon(self, run_id: int, session_id: int) -> None:
        """Tell the teachers about new answers shortly, once for all that arrive meanwhile."""
        if run_id in self.progress_pending:
            return
        self.progress_pending.add(run_id)
        task = asyncio.create_task(self._send_progress(run_id, session_id))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _send_progress(self, run_id: int, session_id: int) -> None:
        try:
            await asyncio.sleep(PROGRESS_INTERVAL)
        finally:
            # Before reading: an answer committed after this read schedules the next message.
            self.progress_pending.discard(run_id)
        try:
            async with self.namespace.unit_of_work() as db:
                progress = await self.teacher_progress(db, await quizzes.load_run(db, run_id))
            await self.mark_present(progress, session_id)
            await self.emit("quiz:progress", progress, teachers_room(session_id))
        except Exception:
            log.exception("could not send the progress of quiz run %s", run_id)

    # -- closing by the server ----------------------------------------------------------------

    async def announce_closed(
        self,
        session_id: int,
        run: dict[str, Any],
        event: dict[str, Any] | None,
        progress: dict[str, Any],
    ) -> None:
        self.cancel_timer(run["id"])
        if event is not None:
            await self.emit("room_event", event, session_room(session_id))
        await self.emit(
            "quiz:closed", {"run": run, "reason": run["close_reason"]}, session_room(session_id)
        )
        await self.emit("quiz:progress", progress, teachers_room(session_id))

    def schedule(self, run_id: int, session_id: int, deadline: datetime | None) -> None:
        """Close the run at its deadline, once per node."""
        if deadline is None:
            return
        self.deadlines.schedule(
            run_id,
            deadline,
            lambda: self.close_by_server(run_id, QuizCloseReason.TIME_UP),
            tag=session_id,
        )

    def cancel_timer(self, run_id: int) -> None:
        self.deadlines.cancel(run_id)

    async def close_by_server(self, run_id: int, reason: QuizCloseReason) -> None:
        """Close a run nobody closed by hand (time limit, class ended); idempotent."""
        async with self.namespace.unit_of_work() as db:
            view, created = await quizzes.close_run(
                db, None, run_id, reason=reason, ledger=self.ledger
            )
            if not created:
                return
            session_id = view.run.session_id
            run = quizzes.public_run(view)
            event = await self.append(
                db,
                session_id,
                RoomEventKind.QUIZ_CLOSED,
                view.run.launched_by,
                None,
                {"run_id": run["id"], "title": run["title"], "reason": run["close_reason"]},
            )
            progress = await self.teacher_progress(db, view)
        await self.mark_present(progress, session_id)
        await self.announce_closed(session_id, run, event, progress)

    # -- hooks --------------------------------------------------------------------------------

    async def join_state(
        self, db: AsyncSession, connection: Connection, session_id: int
    ) -> dict[str, Any] | None:
        """The open (or last) run, the student's own stored answers, and for teachers the
        live progress; a teacher's socket also joins the teachers' room here."""
        if connection.may_moderate:
            await self.namespace.enter_room(connection.sid, teachers_room(session_id))
        for run_id in await quizzes.overdue_runs(db, session_id):
            # Its timer was lost with its node; closed once this join's transaction ends.
            task = asyncio.create_task(self.close_by_server(run_id, QuizCloseReason.TIME_UP))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        latest = await quizzes.latest_run(db, session_id)
        if latest is None:
            return {"run": None, "teaching": connection.may_moderate}
        view = await quizzes.load_run(db, latest.id)
        state: dict[str, Any] = {
            "run": quizzes.public_run(view),
            "teaching": connection.may_moderate,
        }
        if connection.may_moderate:
            state["progress"] = await self.mark_present(
                await self.teacher_progress(db, view), session_id
            )
        else:
            state["mine"] = await quizzes.my_answers(db, view, connection.user_id, self.ledger)
        if view.run.revealed_at is not None:
            state["results"] = await quizzes.results(db, view)
        if view.run.status is QuizRunStatus.OPEN:
            self.schedule(view.run.id, session_id, view.run.deadline)
        return state

    async def departed(self, connection: Connection, session_id: int, reason: LeaveReason) -> None:
        if connection.may_moderate:
            try:
                await self.namespace.leave_room(connection.sid, teachers_room(session_id))
            except Exception:  # the socket is already gone with its rooms
                log.debug("socket %s had left the teachers' room", connection.sid)

    async def session_ended(self, session_id: int) -> None:
        """The class ended: close what is open (grades are written), stop this node's timers."""
        for run_id in self.deadlines.pending():
            if self.deadlines.tag(run_id) == session_id:
                self.cancel_timer(run_id)
        async with self.namespace.unit_of_work() as db:
            session = await live_sessions.get_session(db, session_id)
            if session.status is not LiveSessionStatus.ENDED:
                return
            await quizzes.close_session_runs(db, session_id, self.ledger)
