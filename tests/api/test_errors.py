"""Every failure leaves the server as the protocol's JSON error body, never an HTML page."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from server.app import MAX_BODY_BYTES
from server.errors import error_middleware
from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error


async def test_unknown_route_is_json_404(app_client: TestClient) -> None:
    for path in ("/api/nothing-here", "/api/courses/abc", "/nothing"):
        response = await app_client.get(path)
        assert response.status == 404
        assert response.content_type == "application/json"
        assert_error(await response.json(), "not_found")


async def test_wrong_method_is_json_405_with_allow(app_client: TestClient) -> None:
    response = await app_client.delete("/api/schools")
    assert response.status == 405
    assert_error(await response.json(), "method_not_allowed")
    assert "GET" in response.headers["Allow"]


async def test_invalid_json_is_400(app_client: TestClient, world: World) -> None:
    for data in (b"{not json", b"", b"[1, 2]", b'"text"'):
        response = await app_client.post(
            "/api/auth/login", data=data, headers={"Content-Type": "application/json"}
        )
        assert response.status == 400, data
        assert_error(await response.json(), "invalid_input")


async def test_wrong_types_are_400_with_field_details(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    headers = await login_as("teacher")
    response = await app_client.post(
        "/api/courses",
        json={"school_id": str(world.school_a), "title": 5},
        headers=headers,
    )
    assert response.status == 400
    body = await response.json()
    assert_error(body, "invalid_input")
    locs = {tuple(field["loc"]) for field in body["error"]["details"]["fields"]}
    assert locs == {("school_id",), ("title",)}


async def test_extra_fields_are_refused(app_client: TestClient, world: World) -> None:
    response = await app_client.post(
        "/api/auth/login", json={"login": "teacher", "password": "x", "role": "admin"}
    )
    assert response.status == 400
    body = await response.json()
    assert body["error"]["details"]["fields"][0]["type"] == "extra_forbidden"


async def test_lengths_and_enums_are_checked(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    headers = await login_as("admin")
    for bad in (
        {"code": "", "name": "x", "kind": "high"},
        {"code": "X", "name": "x" * 201, "kind": "high"},
        {"code": "X", "name": "x", "kind": "university"},
        {"code": "X", "name": "x"},
    ):
        response = await app_client.post("/api/schools", json=bad, headers=headers)
        assert response.status == 400, bad
        assert_error(await response.json(), "invalid_input")


async def test_naive_datetimes_and_backwards_sessions_are_refused(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    headers = await login_as("teacher")
    url = f"/api/courses/{world.course}/sessions"
    naive = {"title": "x", "scheduled_start": "2030-01-01T09:00:00",
             "scheduled_end": "2030-01-01T10:00:00"}
    backwards = {"title": "x", "scheduled_start": "2030-01-01T10:00:00Z",
                 "scheduled_end": "2030-01-01T09:00:00Z"}
    for bad in (naive, backwards):
        response = await app_client.post(url, json=bad, headers=headers)
        assert response.status == 400, bad


async def test_oversize_body_is_json_413(app_client: TestClient, world: World) -> None:
    big = b'{"login": "' + b"x" * (MAX_BODY_BYTES + 10) + b'", "password": "y"}'
    response = await app_client.post(
        "/api/auth/login", data=big, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert_error(await response.json(), "payload_too_large")


async def test_unexpected_exception_is_json_500_and_logged(caplog) -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("database exploded")

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/api/broken", broken)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/broken")
        assert response.status == 500
        body = await response.json()
        assert_error(body, "internal_error")
        assert "exploded" not in body["error"]["message"]  # no internals leak to users
    assert "database exploded" in caplog.text
