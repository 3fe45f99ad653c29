"""Attendance after a class: who sees which rows, and corrections with their audit trail."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error


async def run_class(client: TestClient, world: World, teacher: dict[str, str]) -> None:
    for step in ("start", "end"):
        response = await client.post(f"/api/sessions/{world.session}/{step}", headers=teacher)
        assert response.status == 200, await response.text()


async def test_teacher_sees_every_student_and_the_rules(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    await run_class(app_client, world, teacher)
    response = await app_client.get(f"/api/sessions/{world.session}/attendance", headers=teacher)
    assert response.status == 200
    body = await response.json()
    assert set(body["rules"]) == {"late_after_minutes", "absent_below_percent",
                                  "reconnect_grace_seconds"}
    by_login = {item["user"]["login"]: item for item in body["items"]}
    assert set(by_login) == {"student1", "student2"}
    row = by_login["student1"]
    assert row["status"] == row["computed_status"] == "absent"  # nobody joined
    assert row["seconds_present"] == 0 and row["first_join_at"] is None
    assert row["corrections"] == []


async def test_student_sees_only_own_row(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    await run_class(app_client, world, await login_as("teacher"))
    student = await login_as("student2")
    response = await app_client.get(f"/api/sessions/{world.session}/attendance", headers=student)
    assert response.status == 200
    items = (await response.json())["items"]
    assert [item["user"]["login"] for item in items] == ["student2"]


async def test_correction_keeps_reason_and_audit(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    await run_class(app_client, world, teacher)
    listing = await app_client.get(f"/api/sessions/{world.session}/attendance", headers=teacher)
    record = next(item for item in (await listing.json())["items"]
                  if item["user"]["login"] == "student1")
    url = f"/api/attendance/{record['id']}/corrections"

    for bad in ({"status": "excused", "reason": "   "},
                {"status": "excused", "reason": "x" * 501},
                {"status": "sick", "reason": "감기"},
                {"status": "excused"}):
        response = await app_client.post(url, json=bad, headers=teacher)
        assert response.status == 400, bad
        assert_error(await response.json(), "invalid_input")

    response = await app_client.post(
        url, json={"status": "excused", "reason": "병결 (진단서 제출)"}, headers=teacher
    )
    assert response.status == 201, await response.text()
    corrected = await response.json()
    assert corrected["status"] == "excused"
    assert corrected["computed_status"] == "absent"  # what the system saw stays visible
    [audit] = corrected["corrections"]
    assert audit["old_status"] == "absent" and audit["new_status"] == "excused"
    assert audit["reason"] == "병결 (진단서 제출)"
    assert audit["changed_by"]["login"] == "teacher"
    assert audit["changed_at"]

    second = await app_client.post(
        url, json={"status": "present", "reason": "출석 확인"}, headers=teacher
    )
    assert second.status == 201

    # The student sees the same trail on their own row.
    student = await login_as("student1")
    mine = await app_client.get(f"/api/sessions/{world.session}/attendance", headers=student)
    [row] = (await mine.json())["items"]
    assert row["status"] == "present"
    assert [c["new_status"] for c in row["corrections"]] == ["excused", "present"]
