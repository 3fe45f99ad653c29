"""Per-node deadlines of live-class tools: one timer per key, replaced only when its tag changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from server.live.deadlines import Deadlines


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def test_an_action_runs_once_at_its_moment_and_is_forgotten() -> None:
    deadlines: Deadlines[int] = Deadlines("test")
    fired: list[str] = []

    async def fire(label: str) -> None:
        fired.append(label)

    deadlines.schedule(1, soon(0.05), lambda: fire("a"), tag="round-1")
    deadlines.schedule(1, soon(5), lambda: fire("again"), tag="round-1")  # same tag: kept
    assert deadlines.tag(1) == "round-1"
    await asyncio.sleep(0.2)
    assert fired == ["a"]
    assert deadlines.pending() == [] and deadlines.tag(1) is None


async def test_a_new_tag_replaces_the_timer_and_cancel_stops_it() -> None:
    deadlines: Deadlines[int] = Deadlines("test")
    fired: list[str] = []

    async def fire(label: str) -> None:
        fired.append(label)

    deadlines.schedule(1, soon(0.05), lambda: fire("old"), tag="round-1")
    deadlines.schedule(1, soon(0.1), lambda: fire("new"), tag="round-2")
    deadlines.schedule(2, soon(0.05), lambda: fire("cancelled"), tag=None)
    deadlines.cancel(2)
    await asyncio.sleep(0.3)
    assert fired == ["new"]


async def test_a_failing_action_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    deadlines: Deadlines[str] = Deadlines("quiz run")

    async def broken() -> None:
        raise RuntimeError("database gone")

    deadlines.schedule("r", datetime.now(UTC) - timedelta(seconds=1), broken)  # past: at once
    await asyncio.sleep(0.05)
    assert "could not end quiz run r on time" in caplog.text
    assert deadlines.pending() == []
