"""Database round trips per live event, on PostgreSQL.

When every class of the district answers a poll in the same few seconds, each answer's round
trips are what the nodes and the database spend; a join, a chat or a hand is the same story on
a smaller scale. These budgets catch a change that quietly adds a query to the hot events (a
lazy load, a check done twice). BEGIN and COMMIT count: each is a round trip too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from server import keys
from tests.live.conftest import Connect, Node

# Where the statements go (numbers are budgets, the count today):
# chat: the chat rule in a unit of its own (BEGIN, SELECT, COMMIT), BEGIN, the session's status
#   with the sender's removal, the room's next sequence (its lock), the retry check, the
#   insert, COMMIT. (The sender's name is the connection's.)
CHAT_BUDGET = 9
# answer: BEGIN, status with removal, the student, the run and its questions, the student's
#   role, the run held open (FOR SHARE), the insert (a retry is settled by its ON CONFLICT),
#   COMMIT.
ANSWER_BUDGET = 9
# the teachers' progress after a burst of answers: BEGIN, the run and its questions, the
#   answers, the course's students with their names, COMMIT.
PROGRESS_BUDGET = 6
# hand: BEGIN, status with removal, the next sequence, the retry check, the insert, COMMIT.
HAND_BUDGET = 6

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@contextmanager
def round_trips(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement, BEGIN and COMMIT the engine sends while the block runs."""
    seen: list[str] = []

    def statement(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql.split("\n", 1)[0][:120])

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", lambda conn: seen.append("BEGIN")),
        ("commit", lambda conn: seen.append("COMMIT")),
    ]
    for name, listener in listeners:
        event.listen(engine.sync_engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine.sync_engine, name, listener)


async def test_hot_events_stay_within_their_round_trip_budgets(
    node: Node, connect: Connect, live: int
) -> None:
    engine = node.server.app[keys.ENGINE]
    teacher = await connect(node, "teacher")
    await teacher.join(live)
    student = await connect(node, "student1")
    await student.join(live)
    launched = await teacher.call("quiz:launch", {"client_id": "poll", "poll": "yes_no"})
    run = launched["run"]
    await student.wait_for("quiz:launched")

    with round_trips(engine) as chat:
        assert (await student.call("chat:send", {"client_id": "c1", "body": "안녕"}))["ok"]
    answer = {
        "client_id": "a1",
        "run_id": run["id"],
        "question_id": run["questions"][0]["id"],
        "response": {"choice": 0},
    }
    with round_trips(engine) as answered:
        assert (await student.call("quiz:answer", answer))["ok"]
    with round_trips(engine) as progress:  # follows the answer shortly, in a unit of its own
        await teacher.wait_for("quiz:progress", lambda progress: progress["respondents"] == 1)
    with round_trips(engine) as hand:
        assert (await student.call("hand:raise", {"client_id": "h1"}))["ok"]

    assert len(chat) <= CHAT_BUDGET, "\n".join(chat)
    assert len(answered) <= ANSWER_BUDGET, "\n".join(answered)
    assert len(progress) <= PROGRESS_BUDGET, "\n".join(progress)
    assert len(hand) <= HAND_BUDGET, "\n".join(hand)
