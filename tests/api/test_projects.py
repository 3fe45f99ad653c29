"""The project community over REST: proposals, mentors by offer or by match, the space."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import assert_error


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    response = await client.request(method, path, json=body, headers=headers)
    return response.status, await response.json()


def proposal(client_id: str = "p-1", **overrides: Any) -> dict[str, Any]:
    return {
        "title": "우리 동네 미세먼지 지도",
        "summary": "센서로 학교 주변 미세먼지를 재고 지도로 만듭니다.",
        "subject": "Science",
        "client_id": client_id,
        **overrides,
    }


async def propose(client: TestClient, headers: Headers, client_id: str = "p-1") -> int:
    status, body = await call(client, headers, "POST", "/api/projects", proposal(client_id))
    assert status == 201, body
    return body["id"]


async def make_mentor(client: TestClient, admin: Headers, user_id: int, **profile: Any) -> None:
    body = {"subjects": ["science", "coding"], "bio": "과학 교사 10년", **profile}
    status, saved = await call(client, admin, "PUT", f"/api/mentors/{user_id}", body)
    assert status == 200, saved


async def test_a_mentor_offers_and_the_owner_accepts(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    owner = await login_as("student1")
    mentor = await login_as("teacher2")
    await make_mentor(app_client, await login_as("admin"), world.users["teacher2"])
    project = await propose(app_client, owner)
    status, again = await call(app_client, owner, "POST", "/api/projects", proposal())
    assert status == 200 and again["id"] == project, "a retried proposal is not duplicated"

    status, card = await call(app_client, mentor, "GET", f"/api/projects/{project}")
    assert card["status"] == "proposed" and card["members"] == 1 and card["my_role"] is None
    status, offer = await call(
        app_client, mentor, "POST", f"/api/projects/{project}/offers", {"message": "함께 해요"}
    )
    assert status == 201 and offer["status"] == "pending"
    status, body = await call(
        app_client,
        await login_as("student2"),
        "POST",
        f"/api/mentor-offers/{offer['id']}/decision",
        {"accept": True},
    )
    assert status == 403, "only the owner decides"
    assert_error(body, "forbidden")
    status, decided = await call(
        app_client, owner, "POST", f"/api/mentor-offers/{offer['id']}/decision", {"accept": True}
    )
    assert status == 200 and decided["status"] == "accepted"
    status, _body = await call(
        app_client, owner, "POST", f"/api/mentor-offers/{offer['id']}/decision", {"accept": False}
    )
    assert status == 409
    status, card = await call(app_client, mentor, "GET", f"/api/projects/{project}")
    assert card["status"] == "active" and card["my_role"] == "mentor" and card["members"] == 2

    status, _post = await call(
        app_client,
        mentor,
        "POST",
        f"/api/projects/{project}/posts",
        {"body": "첫 회의는 월요일", "client_id": "m-1"},
    )
    assert status == 201
    status, _ = await call(
        app_client,
        mentor,
        "POST",
        f"/api/projects/{project}/posts",
        {"body": "첫 회의는 월요일", "client_id": "m-1"},
    )
    assert status == 200
    status, listed = await call(app_client, owner, "GET", f"/api/projects/{project}/posts")
    assert [p["body"] for p in listed["items"]] == ["첫 회의는 월요일"]
    assert listed["items"][0]["author"]["id"] == world.users["teacher2"]


async def test_matching_by_subject_and_load(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    admin = await login_as("admin")
    await make_mentor(app_client, admin, world.users["teacher2"], max_projects=1)
    await make_mentor(app_client, admin, world.users["teacher"], subjects=["art"])
    owner = await login_as("student1")
    first = await propose(app_client, owner, "a")
    second = await propose(app_client, owner, "b")
    status, suggested = await call(
        app_client, owner, "GET", f"/api/projects/{first}/mentor-suggestions"
    )
    assert [m["user"]["id"] for m in suggested["items"]] == [world.users["teacher2"]]
    assert suggested["items"][0]["load"] == 0
    status, body = await call(
        app_client,
        owner,
        "POST",
        f"/api/projects/{first}/mentor",
        {"mentor_id": world.users["teacher2"]},
    )
    assert status == 403, "students do not match mentors; staff do"
    status, body = await call(
        app_client,
        await login_as("sa_b"),
        "POST",
        f"/api/projects/{first}/mentor",
        {"mentor_id": world.users["teacher2"]},
    )
    assert status == 403, "another school's admin does not oversee the project"
    status, matched = await call(
        app_client,
        await login_as("sa_a"),
        "POST",
        f"/api/projects/{first}/mentor",
        {"mentor_id": world.users["teacher2"]},
    )
    assert status == 200 and matched["status"] == "active"
    status, suggested = await call(
        app_client, owner, "GET", f"/api/projects/{second}/mentor-suggestions"
    )
    assert suggested["items"] == [], "a mentor at their limit is not suggested"
    status, body = await call(
        app_client,
        admin,
        "POST",
        f"/api/projects/{second}/mentor",
        {"mentor_id": world.users["teacher2"]},
    )
    assert status == 409
    assert_error(body, "conflict")


async def test_the_space_is_for_members(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    owner = await login_as("student1")
    project = await propose(app_client, owner)
    outsider = await login_as("student2")
    status, board = await call(app_client, outsider, "GET", "/api/projects")
    assert [p["id"] for p in board["items"]] == [project], "the board is public"
    for path in ("posts", "members", "offers", "mentor-suggestions"):
        status, body = await call(app_client, outsider, "GET", f"/api/projects/{project}/{path}")
        assert status == 403, path
        assert_error(body, "forbidden")
    status, _ = await call(
        app_client,
        outsider,
        "POST",
        f"/api/projects/{project}/posts",
        {"body": "안녕", "client_id": "x"},
    )
    assert status == 403
    status, body = await call(
        app_client, await login_as("teacher_b"), "GET", f"/api/projects/{project}/posts"
    )
    assert status == 403
    status, _ = await call(
        app_client, await login_as("sa_a"), "GET", f"/api/projects/{project}/posts"
    )
    assert status == 200, "the owner's school admin oversees the space"

    status, member = await call(
        app_client,
        owner,
        "POST",
        f"/api/projects/{project}/members",
        {"user_id": world.users["student2"]},
    )
    assert status == 201 and member["role"] == "member"
    status, _ = await call(app_client, outsider, "GET", f"/api/projects/{project}/posts")
    assert status == 200
    status, body = await call(
        app_client,
        owner,
        "POST",
        f"/api/projects/{project}/members",
        {"user_id": world.users["teacher"]},
    )
    assert status == 400, "members are students of the project's school"
    status, body = await call(
        app_client,
        owner,
        "POST",
        f"/api/projects/{project}/members",
        {"user_id": world.users["student2"]},
    )
    assert status == 409
    status, mine = await call(app_client, outsider, "GET", "/api/projects?mine=true")
    assert mine["items"][0]["my_role"] == "member"
    status, _ = await call(app_client, outsider, "POST", f"/api/projects/{project}/leave")
    assert status == 200
    status, body = await call(app_client, owner, "POST", f"/api/projects/{project}/leave")
    assert status == 409, "the owner withdraws instead of leaving"


async def test_who_proposes_and_bad_input(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    status, body = await call(
        app_client, await login_as("teacher"), "POST", "/api/projects", proposal()
    )
    assert status == 403
    owner = await login_as("student1")
    for bad in (
        proposal(title=""),
        proposal(subject="x" * 101),
        proposal(extra=True),
        proposal(summary=5),
    ):
        status, body = await call(app_client, owner, "POST", "/api/projects", bad)
        assert status == 400, bad
        assert_error(body, "invalid_input")
    status, board = await call(app_client, owner, "GET", "/api/projects")
    assert board["total"] == 0
    admin = await login_as("admin")
    status, body = await call(
        app_client, admin, "PUT", f"/api/mentors/{world.users['student2']}", {"subjects": ["art"]}
    )
    assert status == 400, "students cannot be mentors"
    status, body = await call(
        app_client, owner, "PUT", f"/api/mentors/{world.users['teacher']}", {"subjects": ["art"]}
    )
    assert status == 403
    status, body = await call(
        app_client, admin, "PUT", f"/api/mentors/{world.users['teacher']}", {"subjects": []}
    )
    assert status == 400
    project = await propose(app_client, owner)
    status, body = await call(
        app_client, await login_as("teacher"), "POST", f"/api/projects/{project}/offers", {}
    )
    assert status == 403, "only mentors offer"
    status, done = await call(
        app_client, owner, "POST", f"/api/projects/{project}/status", {"status": "withdrawn"}
    )
    assert status == 200 and done["status"] == "withdrawn"
    status, body = await call(
        app_client, owner, "POST", f"/api/projects/{project}/status", {"status": "completed"}
    )
    assert status == 409
    status, body = await call(
        app_client,
        owner,
        "POST",
        f"/api/projects/{project}/posts",
        {"body": "늦은 글", "client_id": "late"},
    )
    assert status == 409
