"""Login, logout, the session cookie, CSRF and bearer tokens, and the login rate limit."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from lms.errors import RateLimited
from server.auth import COOKIE_NAME, LoginRateLimiter
from server.settings import Settings
from tests.api.conftest import LoginAs, World
from tests.api.helpers import PASSWORD, assert_error


async def login(client: TestClient, name: str, password: str = PASSWORD) -> dict:
    response = await client.post("/api/auth/login", json={"login": name, "password": password})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_login_sets_http_only_lax_cookie_and_me_works(
    app_client: TestClient, world: World
) -> None:
    response = await app_client.post(
        "/api/auth/login", json={"login": "teacher", "password": PASSWORD}
    )
    assert response.status == 200
    body = await response.json()
    assert set(body) == {"user", "csrf_token", "token"}
    assert body["user"] == {
        "id": world.users["teacher"],
        "login": "teacher",
        "display_name": "Teacher",
        "role": "teacher",
        "school_id": world.school_a,
        "locale": "ko",
    }
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == body["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]

    me = await app_client.get("/api/me")
    assert me.status == 200
    assert await me.json() == {
        "user": body["user"],
        "csrf_token": body["csrf_token"],
        "capabilities": [],  # feature roles (hospital classroom) the caller holds
    }


async def test_secure_cookie_when_configured(
    app_client: TestClient, world: World, settings: Settings
) -> None:
    settings.cookie_secure = True  # the app reads its settings object at request time
    response = await app_client.post(
        "/api/auth/login", json={"login": "teacher", "password": PASSWORD}
    )
    assert response.cookies[COOKIE_NAME]["secure"] is True


async def test_wrong_password_and_unknown_user_are_the_same_401(
    app_client: TestClient, world: World
) -> None:
    for name in ("teacher", "nobody"):
        response = await app_client.post(
            "/api/auth/login", json={"login": name, "password": "wrong-password"}
        )
        assert response.status == 401
        assert_error(await response.json(), "not_authenticated")
        assert COOKIE_NAME not in response.cookies


async def test_no_credentials_is_401(app_client: TestClient, world: World) -> None:
    response = await app_client.get("/api/me")
    assert response.status == 401
    assert_error(await response.json(), "not_authenticated")
    response = await app_client.get("/api/me", headers={"Authorization": "Bearer forged"})
    assert response.status == 401


async def test_cookie_auth_needs_csrf_for_changes(app_client: TestClient, world: World) -> None:
    body = await login(app_client, "admin")
    new_school = {"code": "C", "name": "마바고등학교", "kind": "high"}

    missing = await app_client.post("/api/schools", json=new_school)
    assert missing.status == 403
    assert_error(await missing.json(), "forbidden")

    wrong = await app_client.post(
        "/api/schools", json=new_school, headers={"X-CSRF-Token": "not-the-token"}
    )
    assert wrong.status == 403

    listing = await app_client.get("/api/schools")  # reads need no CSRF
    assert listing.status == 200
    assert len((await listing.json())["items"]) == 2

    ok = await app_client.post(
        "/api/schools", json=new_school, headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert ok.status == 201, await ok.text()


async def test_bearer_needs_no_csrf(app_client: TestClient, world: World) -> None:
    body = await login(app_client, "admin")
    app_client.session.cookie_jar.clear()
    response = await app_client.post(
        "/api/schools",
        json={"code": "C", "name": "마바고등학교", "kind": "high"},
        headers={"Authorization": f"Bearer {body['token']}"},
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["code"] == "C"


async def test_logout_revokes_token_and_clears_cookie(
    app_client: TestClient, world: World
) -> None:
    body = await login(app_client, "student1")
    no_csrf = await app_client.post("/api/auth/logout")
    assert no_csrf.status == 403  # logout by cookie is a change too

    response = await app_client.post(
        "/api/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert response.status == 200
    assert await response.json() == {"ok": True}
    assert response.cookies[COOKIE_NAME].value == ""

    after = await app_client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert after.status == 401


async def test_login_rate_limit_per_login_and_address(
    app_client: TestClient, world: World
) -> None:
    for _ in range(10):
        response = await app_client.post(
            "/api/auth/login", json={"login": "student1", "password": "guess"}
        )
        assert response.status == 401
    limited = await app_client.post(
        "/api/auth/login", json={"login": "student1", "password": PASSWORD}
    )
    assert limited.status == 429
    body = await limited.json()
    assert_error(body, "rate_limited")
    assert body["error"]["details"]["retry_after"] >= 1
    # Another account from the same address is not locked out.
    await login(app_client, "student2")


async def test_login_as_fixture_gives_bearer_headers(login_as: LoginAs, world: World,
                                                     app_client: TestClient) -> None:
    headers = await login_as("teacher")
    me = await app_client.get("/api/me", headers=headers)
    assert (await me.json())["user"]["login"] == "teacher"


def test_rate_limiter_window_slides() -> None:
    limiter = LoginRateLimiter(limit=3, window_seconds=60)
    for t in (0.0, 1.0, 2.0):
        limiter.check("Kim", "10.0.0.1", now=t)
        limiter.failed("Kim", "10.0.0.1", now=t)
    with pytest.raises(RateLimited):
        limiter.check("kim", "10.0.0.1", now=30.0)  # logins compare case-insensitively
    limiter.check("kim", "10.0.0.2", now=30.0)  # another address is another budget
    limiter.check("kim", "10.0.0.1", now=60.5)  # the first failure has left the window


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = LoginRateLimiter(limit=3, window_seconds=60, max_keys=100)
    for i in range(1000):
        limiter.failed(f"user{i}", "10.0.0.1", now=float(i))
    assert len(limiter._failures) <= 100
