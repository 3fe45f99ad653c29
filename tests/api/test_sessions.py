"""Scheduling, the start/end transitions and what the live room is told."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from server import keys
from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error


async def test_schedule_list_and_get(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    response = await app_client.post(
        f"/api/courses/{world.course}/sessions",
        json={"title": "  보충 수업  ", "scheduled_start": "2030-03-02T09:00:00+09:00",
              "scheduled_end": "2030-03-02T09:40:00+09:00"},
        headers=teacher,
    )
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["title"] == "보충 수업"
    assert created["status"] == "scheduled"
    assert created["scheduled_start"].startswith("2030-03-02T00:00:00")
    assert created["started_at"] is None and created["ended_at"] is None
    assert set(created) == {"id", "course_id", "title", "scheduled_start", "scheduled_end",
                            "status", "started_at", "ended_at"}

    student = await login_as("student1")
    listing = await app_client.get(f"/api/courses/{world.course}/sessions", headers=student)
    ids = {item["id"] for item in (await listing.json())["items"]}
    assert ids == {world.session, created["id"]}


async def test_start_then_end_then_end_again(
    app_client: TestClient, world: World, login_as: LoginAs, monkeypatch
) -> None:
    told: list[int] = []
    live = app_client.app[keys.LIVE]

    async def session_ended(session_id: int) -> None:
        told.append(session_id)

    monkeypatch.setattr(live, "session_ended", session_ended)
    teacher = await login_as("teacher")
    url = f"/api/sessions/{world.session}"

    started = await app_client.post(f"{url}/start", headers=teacher)
    assert started.status == 200, await started.text()
    body = await started.json()
    assert body["status"] == "live" and body["started_at"] is not None
    assert told == []

    ended = await app_client.post(f"{url}/end", headers=teacher)
    assert ended.status == 200, await ended.text()
    first = await ended.json()
    assert first["status"] == "ended" and first["ended_at"] is not None
    assert told == [world.session]

    again = await app_client.post(f"{url}/end", headers=teacher)
    assert again.status == 409
    assert_error(await again.json(), "conflict")
    restart = await app_client.post(f"{url}/start", headers=teacher)
    assert restart.status == 409
    now = await (await app_client.get(url, headers=teacher)).json()
    assert now == first  # nothing changed
    assert told == [world.session]


async def test_live_room_failure_does_not_undo_the_end(
    app_client: TestClient, world: World, login_as: LoginAs, monkeypatch
) -> None:
    async def broken(session_id: int) -> None:
        raise ConnectionError("fan-out down")

    monkeypatch.setattr(app_client.app[keys.LIVE], "session_ended", broken)
    teacher = await login_as("teacher")
    url = f"/api/sessions/{world.session}"
    assert (await app_client.post(f"{url}/start", headers=teacher)).status == 200
    assert (await app_client.post(f"{url}/end", headers=teacher)).status == 200
    assert (await (await app_client.get(url, headers=teacher)).json())["status"] == "ended"


async def test_chat_history_for_members(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    student = await login_as("student1")
    response = await app_client.get(
        f"/api/sessions/{world.session}/chat?after_seq=0&limit=50", headers=student
    )
    assert response.status in (200, 503)
    if response.status == 200:
        assert (await response.json())["items"] == []
    bad = await app_client.get(
        f"/api/sessions/{world.session}/chat?limit=1000", headers=student
    )
    assert bad.status == 400
