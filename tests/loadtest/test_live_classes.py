"""The live-class load test, end to end at a tiny size, and its delivery bookkeeping.

The end-to-end run is the operators' command itself (a subprocess, as a pipeline runs it): it
seeds a scratch PostgreSQL database, starts two real nodes fanned out through Redis, drives
three classes of two students from two worker processes and must come back clean.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtest.live_classes import ClassPlan, Classroom, Member, Samples, Timing, node_for
from tests.services import ScratchPostgres, missing_service

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """A database of the load test's own (it migrates and seeds it like its default one)."""
    scratch = ScratchPostgres()
    try:
        scratch.create()
    except Exception as error:
        missing_service("PostgreSQL", error)
    try:
        yield scratch.url
    finally:
        scratch.drop()


@pytest.mark.postgres
@pytest.mark.redis
def test_tiny_district_runs_clean_on_two_nodes(scratch_database: str, redis_url: str) -> None:
    command = [
        sys.executable, "-m", "loadtest.live_classes", "--schools", "3", "--students", "2",
        "--nodes", "2", "--seconds", "8", "--ramp", "1", "--chat-interval", "1",
        "--timeout", "20", "--probe-chats", "10", "--database-url", scratch_database,
        "--redis-url", redis_url, "--json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout)

    assert result["ok"] is True
    assert result["errors_total"] == 0 and result["errors"] == {}
    counts = result["counts"]
    assert counts["clients"] == counts["joined"] == 3 * (1 + 2)
    assert counts["chats_sent"] == counts["chats_acked"] >= 3 * 2 * 4
    # Every acked chat reached all three members of its class.
    assert counts["fanout_expected"] == 3 * counts["chats_acked"]
    assert counts["fanout_received"] == counts["fanout_expected"]
    assert counts["delivery_ratio"] == 1.0
    assert counts["hands_raised"] == counts["hands_lowered"] == 6
    assert counts["polls_launched"] == counts["polls_closed"] == counts["polls_all_answered"] == 3
    assert counts["answers_sent"] == counts["answers_acked"] == 6

    latency = result["latency_ms"]
    assert latency["join"]["n"] == 9
    assert latency["chat_ack"]["n"] == latency["chat_fanout"]["n"] == counts["chats_acked"]
    assert latency["hand_ack"]["n"] == 12 and latency["poll_answer_ack"]["n"] == 6
    for figure in latency.values():
        assert 0 < figure["p50"] <= figure["p95"] <= figure["p99"] <= figure["max"] < 20_000
    # An answer comes 0.5-3 s after the launch, so "all answered" cannot be quicker than 0.5 s.
    assert latency["poll_all_answered"]["p50"] >= 500
    assert result["baseline_ms"]["chat_ack"]["n"] == result["baseline_ms"]["chat_fanout"]["n"] == 10
    assert all(value is not None and value > 0 for value in result["ratios"].values())

    assert result["fanout"] == "redis" and len(result["nodes"]) == 2
    # Sessions 1-3 of the fresh database: all three hash to the same node.
    assert sorted(node["classes"] for node in result["nodes"]) == [0, 3]
    for node in result["nodes"]:
        assert node["cpu_pct"] is not None and node["rss_mb"] > 10
        # Read from the node's own /healthz: how late its loop ran, connections in use.
        assert node["loop_lag_max_ms"] is not None and node["loop_lag_max_ms"] >= 0
        assert node["db_connections_max"] is not None and node["db_connections_max"] >= 0
    assert len(result["load_average"]["end"]) == 3


def test_delivery_counts_only_members_in_the_room_when_sent() -> None:
    plan = ClassPlan(1, 1, "http://127.0.0.1:1", Member(1, "t"), (Member(2, "a"), Member(3, "b")))
    room = Classroom(plan, Timing(0, 0, 8, 1, 5), Samples(), random.Random(1), None)
    teacher, early, late = room.clients
    teacher.joined_at, early.joined_at, late.joined_at = 10.0, 10.0, 20.0
    room.acked = {"before": 15.0, "after": 25.0}
    for client in (teacher, early, late):
        client.received = {"after": 26.0}
    teacher.received["before"] = 15.1
    # "before": teacher and early were in (early missed it); "after": all three, all received.
    assert room.delivery() == (2 + 3, 1 + 3)
    early.received["before"] = 15.2
    assert room.delivery() == (5, 5)


def test_a_class_goes_to_one_node_by_its_session_id_as_nginx_hashes() -> None:
    nodes = ["http://a", "http://b"]
    assert {node_for(session, nodes) for session in range(1, 50)} == set(nodes)
    assert all(node_for(session, nodes) == node_for(session, nodes) for session in range(50))
    assert node_for(7, ["http://only"]) == "http://only"
