"""Quizzes over real socket.io clients: who may launch, answers stored before the ack,
idempotent resubmits after a reconnect, anonymity, and the server-side time limit."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    CourseRole,
    Enrolment,
    QuestionKind,
    QuizAnonymousAnswer,
    QuizAnswer,
    QuizParticipation,
    User,
)
from lms.services import question_bank
from server import keys
from tests.live.conftest import Connect, Node, World, count

DB = async_sessionmaker[AsyncSession]


async def bank_question(db: DB, world: World) -> int:
    async with db() as s, s.begin():
        teacher = await s.get(User, world.users["teacher"])
        assert teacher is not None
        question, _ = await question_bank.create_question(
            s,
            teacher,
            world.course,
            kind=QuestionKind.SINGLE_CHOICE,
            prompt="양분을 만드는 과정은?",
            options=["광합성", "호흡", "발아"],
            correct=[0],
            points=1,
        )
        return question.id


async def launched(teacher: Any, **payload: Any) -> dict[str, Any]:
    ack = await teacher.call("quiz:launch", {"client_id": "launch-1", **payload})
    assert ack["ok"], ack
    return ack["run"]


async def test_students_cannot_launch_close_or_reveal(
    node: Node, connect: Connect, live: int
) -> None:
    student = await connect(node, "student1")
    await student.join(live)
    ack = await student.call("quiz:launch", {"client_id": "x", "poll": "yes_no"})
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    run = await launched(teacher, poll="yes_no")
    for event in ("quiz:close", "quiz:reveal"):
        ack = await student.call(event, {"client_id": "y", "run_id": run["id"]})
        assert not ack["ok"] and ack["error"]["code"] == "forbidden", event
    # Malformed payloads never reach the service.
    for bad in (
        {"client_id": "z", "poll": "abcdef"},
        {"client_id": "z", "poll": "yes_no", "user_id": 3},
        {"client_id": "z", "poll": "yes_no", "time_limit_seconds": 0},
    ):
        ack = await teacher.call("quiz:launch", bad)
        assert not ack["ok"] and ack["error"]["code"] == "invalid_input", bad


async def test_launch_answer_progress_close_reveal(
    node: Node, connect: Connect, live: int, world: World, db: DB
) -> None:
    question_id = await bank_question(db, world)
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    one, two = await connect(node, "student1"), await connect(node, "student2")
    await one.join(live)
    await two.join(live)
    run = await launched(teacher, question_ids=[question_id])
    q = run["questions"][0]["id"]
    shown = await one.wait_for("quiz:launched")
    assert shown["run"]["id"] == run["id"] and "correct" not in str(shown)
    assert (await one.wait_for("room_event", lambda e: e["kind"] == "quiz_launched"))["seq"] > 0

    bad = await one.call(
        "quiz:answer",
        {"client_id": "a", "run_id": run["id"], "question_id": q, "response": {"choice": 7}},
    )
    assert not bad["ok"] and bad["error"]["code"] == "invalid_input"
    wrong_shape = await one.call(
        "quiz:answer",
        {"client_id": "a", "run_id": run["id"], "question_id": q, "response": {"text": "광합성"}},
    )
    assert not wrong_shape["ok"] and wrong_shape["error"]["code"] == "invalid_input"
    ack = await one.call(
        "quiz:answer",
        {"client_id": "a", "run_id": run["id"], "question_id": q, "response": {"choice": 0}},
    )
    assert ack["ok"], ack
    assert await count(db, QuizAnswer, user_id=world.users["student1"]) == 1  # stored at ack
    await two.call(
        "quiz:answer",
        {"client_id": "b", "run_id": run["id"], "question_id": q, "response": {"choice": 1}},
    )
    progress = await teacher.wait_for("quiz:progress", lambda p: p["respondents"] == 2)
    assert progress["questions"][0]["counts"] == [1, 1, 0]
    assert not one.events["quiz:progress"]  # students never see others' answers arrive

    closed = await teacher.call("quiz:close", {"client_id": "c", "run_id": run["id"]})
    assert closed["ok"] and closed["run"]["status"] == "closed"
    assert (await one.wait_for("quiz:closed"))["reason"] == "teacher"
    late = await two.call(
        "quiz:answer",
        {"client_id": "b2", "run_id": run["id"], "question_id": q, "response": {"choice": 0}},
    )
    assert not late["ok"] and late["error"]["code"] == "quiz_closed"
    assert late["error"]["details"]["reason"] == "teacher"

    revealed = await teacher.call("quiz:reveal", {"client_id": "r", "run_id": run["id"]})
    assert revealed["ok"] and revealed["results"]["questions"][0]["correct"] == [0]
    assert (await two.wait_for("quiz:results"))["results"]["questions"][0]["counts"] == [1, 1, 0]
    mine = await one.wait_for("quiz:my_result")
    assert mine["mine"]["answers"][str(q)]["correct"] is True and mine["mine"]["points"] == 1
    theirs = await two.wait_for("quiz:my_result")
    assert theirs["mine"]["answers"][str(q)]["correct"] is False


async def test_reconnect_restores_the_run_and_the_answer_and_resubmits_once(
    node: Node, connect: Connect, live: int, world: World, db: DB
) -> None:
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    run = await launched(teacher, poll="abcd")
    q = run["questions"][0]["id"]
    payload = {
        "client_id": "same",
        "run_id": run["id"],
        "question_id": q,
        "response": {"choice": 2},
    }
    assert (await student.call("quiz:answer", payload))["ok"]
    await student.close()  # the tab drops

    back = await connect(node, "student1")
    ack = await back.join(live)
    state = ack["tools"]["quiz"]
    assert state["run"]["id"] == run["id"] and state["run"]["status"] == "open"
    assert state["mine"]["answers"][str(q)] == {"client_id": "same", "response": {"choice": 2}}
    again = await back.call("quiz:answer", payload)  # the client resends what it had pending
    assert again["ok"] and again["answer"]["response"] == {"choice": 2}
    assert await count(db, QuizAnswer, run_id=run["id"]) == 1
    # Last write wins with a new client id; the teacher's join state shows the change.
    changed = await back.call(
        "quiz:answer", {**payload, "client_id": "changed", "response": {"choice": 3}}
    )
    assert changed["ok"]
    teacher_view = (await teacher.join(live))["tools"]["quiz"]
    assert teacher_view["progress"]["questions"][0]["counts"] == [0, 0, 0, 1]


async def test_anonymous_poll_answers_are_unlinkable(
    node: Node, connect: Connect, live: int, world: World, db: DB
) -> None:
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    one, two = await connect(node, "student1"), await connect(node, "student2")
    await one.join(live)
    await two.join(live)
    run = await launched(teacher, poll="yes_no", anonymous=True)
    q = run["questions"][0]["id"]
    for client, choice in ((one, 0), (two, 1)):
        ack = await client.call(
            "quiz:answer",
            {
                "client_id": f"c{choice}",
                "run_id": run["id"],
                "question_id": q,
                "response": {"choice": choice},
            },
        )
        assert ack["ok"], ack
    progress = await teacher.wait_for("quiz:progress", lambda p: p["respondents"] == 2)
    # Open: who answered, but no counts that would move in step with the names.
    assert progress["counts_hidden"] and "counts" not in progress["questions"][0]
    async with db() as s:
        answers = (await s.scalars(select(QuizAnonymousAnswer))).all()
    assert len(answers) == 2 and await count(db, QuizParticipation) == 0
    assert await count(db, QuizAnswer) == 0
    # What is stored of an answer: its random key, the question, the client id and the choice.
    for answer in answers:
        assert set(answer.__table__.columns.keys()) == {
            "id",
            "run_question_id",
            "client_id",
            "response",
        }
    rejoined = (await one.join(live))["tools"]["quiz"]
    assert rejoined["mine"] == {"answered": [q], "answers": {}}
    changed = await one.call(
        "quiz:answer",
        {"client_id": "other", "run_id": run["id"], "question_id": q, "response": {"choice": 1}},
    )
    assert not changed["ok"] and changed["error"]["code"] == "conflict"

    closed = await teacher.call("quiz:close", {"client_id": "close", "run_id": run["id"]})
    assert closed["ok"] and closed["progress"]["questions"][0]["counts"] == [1, 1]
    async with db() as s:
        who = (await s.scalars(select(QuizParticipation.user_id))).all()
    assert sorted(who) == sorted([world.users["student1"], world.users["student2"]])
    assert (await two.join(live))["tools"]["quiz"]["mine"] == {"answered": [q], "answers": {}}


async def test_time_limit_closes_the_run_on_the_server(
    node: Node, connect: Connect, live: int
) -> None:
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    run = await launched(teacher, poll="yes_no", time_limit_seconds=1)
    assert run["deadline"] is not None
    closed = await student.wait_for("quiz:closed")
    assert closed["reason"] == "time_up" and closed["run"]["status"] == "closed"
    late = await student.call(
        "quiz:answer",
        {
            "client_id": "late",
            "run_id": run["id"],
            "question_id": run["questions"][0]["id"],
            "response": {"choice": 0},
        },
    )
    assert not late["ok"] and late["error"]["code"] == "quiz_closed"
    assert late["error"]["details"]["reason"] == "time_up"
    assert await student.wait_for("room_event", lambda e: e["kind"] == "quiz_closed")


async def test_ending_the_class_closes_the_open_run(
    node: Node, connect: Connect, live: int, world: World, db: DB
) -> None:
    question_id = await bank_question(db, world)
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    run = await launched(teacher, question_ids=[question_id])
    ack = await student.call(
        "quiz:answer",
        {
            "client_id": "a",
            "run_id": run["id"],
            "question_id": run["questions"][0]["id"],
            "response": {"choice": 0},
        },
    )
    assert ack["ok"]
    status, _ = await node.rest("POST", f"/api/sessions/{live}/end", "teacher")
    assert status == 200
    status, body = await node.rest("GET", f"/api/sessions/{live}/quiz-runs", "teacher")
    assert status == 200
    item = body["items"][0]
    assert item["status"] == "closed" and item["close_reason"] == "session_ended"
    assert {g["user_id"]: g["points"] for g in item["grades"]} == {
        world.users["student1"]: 1,
        world.users["student2"]: 0,
    }


async def test_a_run_whose_timer_was_lost_is_closed_by_the_next_answer(
    node: Node, connect: Connect, live: int
) -> None:
    """The node that launched it went away with its timer: the deadline still holds."""
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    run = await launched(teacher, poll="abcd", time_limit_seconds=1)
    node.server.app[keys.LIVE].namespace.tool("quiz").cancel_timer(run["id"])
    await asyncio.sleep(1.2)
    late = await student.call(
        "quiz:answer",
        {
            "client_id": "late",
            "run_id": run["id"],
            "question_id": run["questions"][0]["id"],
            "response": {"choice": 0},
        },
    )
    assert not late["ok"] and late["error"]["details"]["reason"] == "time_up"
    closed = await teacher.wait_for("quiz:closed")
    assert closed["run"]["status"] == "closed" and closed["reason"] == "time_up"


async def test_a_co_teacher_runs_quizzes_and_sees_answers_arrive(
    node: Node, connect: Connect, live: int, world: World, db: DB
) -> None:
    async with db() as s, s.begin():
        s.add(
            Enrolment(
                course_id=world.course, user_id=world.users["teacher2"], role=CourseRole.CO_TEACHER
            )
        )
    co = await connect(node, "teacher2")
    state = (await co.join(live))["tools"]["quiz"]
    assert state == {"run": None, "teaching": True}
    student = await connect(node, "student1")
    assert (await student.join(live))["tools"]["quiz"]["teaching"] is False
    run = await launched(co, poll="yes_no")
    ack = await student.call(
        "quiz:answer",
        {
            "client_id": "a",
            "run_id": run["id"],
            "question_id": run["questions"][0]["id"],
            "response": {"choice": 1},
        },
    )
    assert ack["ok"]
    progress = await co.wait_for("quiz:progress", lambda p: p["respondents"] == 1)
    assert progress["questions"][0]["counts"] == [0, 1]
    assert progress["answered"][0]["user_id"] == world.users["student1"]
