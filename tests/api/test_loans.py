"""Equipment loans over REST: each endpoint per role, lending twice refused, return, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import Loan
from lms.services.loans import seoul_day
from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import assert_error


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    response = await client.request(method, path, json=body, headers=headers)
    return response.status, await response.json()


def due(days: int = 14) -> str:
    return (seoul_day(datetime.now(UTC)) + timedelta(days=days)).isoformat()


def owner(world: World) -> str:
    return f"owner_kind=school&owner_id={world.school_a}"


async def add(client: TestClient, headers: Headers, world: World, tag: str) -> dict[str, Any]:
    status, device = await call(
        client,
        headers,
        "POST",
        "/api/loans/devices",
        {
            "owner_kind": "school",
            "owner_id": world.school_a,
            "kind": "headset",
            "asset_tag": tag,
            "serial": "SN",
            "model": "소니 헤드셋",
        },
    )
    assert status == 201, device
    return device


async def test_each_loan_endpoint_refuses_whom_it_should(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    admin = await login_as("sa_a")
    device = await add(app_client, admin, world, "HS-1")
    status, loan = await call(
        app_client,
        admin,
        "POST",
        f"/api/loans/devices/{device['id']}/loans",
        {"borrower_id": world.users["student1"], "due_on": due(), "client_id": "l1"},
    )
    assert status == 201, loan
    refused = [
        ("GET", f"/api/loans/devices?{owner(world)}", None),
        (
            "POST",
            "/api/loans/devices",
            {
                "owner_kind": "school",
                "owner_id": world.school_a,
                "kind": "tablet",
                "asset_tag": "T-9",
            },
        ),
        ("PATCH", f"/api/loans/devices/{device['id']}", {"notes": "x"}),
        (
            "POST",
            f"/api/loans/devices/{device['id']}/loans",
            {"borrower_id": world.users["student2"], "due_on": due(), "client_id": "l2"},
        ),
        ("POST", f"/api/loans/{loan['id']}/return", {"condition": "good"}),
        ("GET", f"/api/loans?{owner(world)}", None),
        ("GET", f"/api/loans/borrowers?{owner(world)}", None),
    ]
    for who in ("sa_b", "teacher", "student1", "teacher_b"):
        headers = await login_as(who)
        for method, path, body in refused:
            status, error = await call(app_client, headers, method, path, body)
            assert status == 403, (who, method, path, error)
            assert_error(error, "forbidden")
    for method, path, body in [*refused, ("GET", "/api/loans/mine", None)]:
        status, _ = await call(app_client, {}, method, path, body)
        assert status == 401, (method, path)
    # The borrower sees their own loan; nobody else's.
    status, mine = await call(app_client, await login_as("student1"), "GET", "/api/loans/mine")
    assert [item["id"] for item in mine["items"]] == [loan["id"]]
    status, theirs = await call(app_client, await login_as("student2"), "GET", "/api/loans/mine")
    assert theirs["items"] == []
    status, people = await call(app_client, admin, "GET", f"/api/loans/borrowers?{owner(world)}")
    assert {p["id"] for p in people["items"]} == {world.users["student1"], world.users["student2"]}


async def test_lend_twice_refused_return_and_overdue(
    app_client: TestClient, world: World, login_as: LoginAs, db: async_sessionmaker[AsyncSession]
) -> None:
    admin = await login_as("sa_a")
    device = await add(app_client, admin, world, "CAM-7")
    lend_path = f"/api/loans/devices/{device['id']}/loans"
    body = {"borrower_id": world.users["student1"], "due_on": due(), "client_id": "l1"}
    status, loan = await call(app_client, admin, "POST", lend_path, body)
    assert status == 201 and loan["borrower"]["display_name"] == "Student1"
    status, again = await call(app_client, admin, "POST", lend_path, body)
    assert status == 200 and again["id"] == loan["id"]  # retried, not lent twice
    status, error = await call(
        app_client,
        admin,
        "POST",
        lend_path,
        {"borrower_id": world.users["student2"], "due_on": due(), "client_id": "l2"},
    )
    assert status == 409
    assert_error(error, "conflict")
    for bad in (
        {"borrower_id": world.users["teacher"], "due_on": due(), "client_id": "l3"},
        {"borrower_id": world.users["student2"], "due_on": due(-1), "client_id": "l4"},
        {"borrower_id": world.users["student2"], "due_on": "내일", "client_id": "l5"},
    ):
        status, error = await call(app_client, admin, "POST", lend_path, bad)
        assert status in (400, 409), bad
    status, devices = await call(app_client, admin, "GET", f"/api/loans/devices?{owner(world)}")
    assert devices["items"][0]["status"] == "on_loan"
    assert devices["items"][0]["current_loan"]["id"] == loan["id"]

    # Make it overdue, as if two weeks had passed.
    async with db() as s, s.begin():
        await s.execute(
            update(Loan)
            .where(Loan.id == loan["id"])
            .values(due_on=seoul_day(datetime.now(UTC)) - timedelta(days=2))
        )
    status, overdue = await call(
        app_client, admin, "GET", f"/api/loans?{owner(world)}&state=overdue"
    )
    assert [(i["id"], i["overdue"]) for i in overdue["items"]] == [(loan["id"], True)]

    status, returned = await call(
        app_client,
        admin,
        "POST",
        f"/api/loans/{loan['id']}/return",
        {"condition": "damaged", "notes": "액정 깨짐"},
    )
    assert status == 200 and returned["returned_at"] and returned["overdue"] is False
    status, twice = await call(
        app_client, admin, "POST", f"/api/loans/{loan['id']}/return", {"condition": "good"}
    )
    assert twice["returned_at"] == returned["returned_at"]
    assert twice["condition_on_return"] == "damaged"
    status, overdue = await call(
        app_client, admin, "GET", f"/api/loans?{owner(world)}&state=overdue"
    )
    assert overdue["items"] == []
    status, devices = await call(app_client, admin, "GET", f"/api/loans/devices?{owner(world)}")
    assert devices["items"][0]["status"] == "repair" and devices["items"][0]["current_loan"] is None
    status, history = await call(
        app_client, admin, "GET", f"/api/loans?{owner(world)}&device_id={device['id']}"
    )
    assert [i["id"] for i in history["items"]] == [loan["id"]]
    # Asset tags are unique; a bad state filter is the client's mistake.
    status, _ = await call(
        app_client,
        admin,
        "POST",
        "/api/loans/devices",
        {
            "owner_kind": "school",
            "owner_id": world.school_a,
            "kind": "camera",
            "asset_tag": "CAM-7",
        },
    )
    assert status == 409
    status, _ = await call(app_client, admin, "GET", f"/api/loans?{owner(world)}&state=lost")
    assert status == 400
