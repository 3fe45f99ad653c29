"""Help desk over REST: who sees which ticket, status following the conversation, the FAQ."""

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


def ticket_body(client_id: str = "t-1", **overrides: Any) -> dict[str, Any]:
    return {
        "category": "live_class",
        "subject": "화상 수업에 소리가 안 들려요",
        "body": "수업에 들어갔는데 선생님 목소리가 들리지 않습니다.",
        "client_id": client_id,
        **overrides,
    }


async def open_ticket(client: TestClient, headers: Headers, client_id: str = "t-1") -> int:
    status, body = await call(
        client, headers, "POST", "/api/helpdesk/tickets", ticket_body(client_id)
    )
    assert status == 201, body
    return body["id"]


async def test_a_ticket_is_answered_and_reopened_by_the_conversation(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    student = await login_as("student1")
    staff = await login_as("sa_a")
    ticket = await open_ticket(app_client, student)

    status, queue = await call(app_client, staff, "GET", "/api/helpdesk/tickets?status=open")
    assert status == 200 and [item["id"] for item in queue["items"]] == [ticket]
    assert queue["items"][0]["requester"]["display_name"] == "Student1"

    status, note = await call(
        app_client,
        staff,
        "POST",
        f"/api/helpdesk/tickets/{ticket}/messages",
        {"body": "학부모 연락 필요", "client_id": "n-1", "internal": True},
    )
    assert status == 201 and note["internal"] is True
    status, _answer = await call(
        app_client,
        staff,
        "POST",
        f"/api/helpdesk/tickets/{ticket}/messages",
        {"body": "브라우저의 소리 권한을 확인해 주세요.", "client_id": "a-1"},
    )
    assert status == 201
    status, thread = await call(app_client, student, "GET", f"/api/helpdesk/tickets/{ticket}")
    assert thread["ticket"]["status"] == "answered"
    assert [m["body"] for m in thread["messages"]] == [
        ticket_body()["body"],
        "브라우저의 소리 권한을 확인해 주세요.",
    ], "the requester never sees staff's internal note"
    assert thread["staff_view"] is False

    status, closed = await call(
        app_client, student, "POST", f"/api/helpdesk/tickets/{ticket}/status", {"status": "closed"}
    )
    assert status == 200 and closed["status"] == "closed" and closed["closed_at"]
    status, body = await call(
        app_client,
        staff,
        "POST",
        f"/api/helpdesk/tickets/{ticket}/messages",
        {"body": "추가 안내", "client_id": "a-2"},
    )
    assert status == 409
    assert_error(body, "conflict")
    status, _ = await call(
        app_client,
        student,
        "POST",
        f"/api/helpdesk/tickets/{ticket}/messages",
        {"body": "다시 안 들려요", "client_id": "s-2"},
    )
    assert status == 201
    status, thread = await call(app_client, staff, "GET", f"/api/helpdesk/tickets/{ticket}")
    assert thread["ticket"]["status"] == "open" and thread["ticket"]["closed_at"] is None
    assert len(thread["messages"]) == 4 and thread["staff_view"] is True


async def test_retries_do_not_duplicate(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    student = await login_as("student1")
    first = await open_ticket(app_client, student, "same")
    status, again = await call(
        app_client, student, "POST", "/api/helpdesk/tickets", ticket_body("same")
    )
    assert status == 200 and again["id"] == first
    for expected in (201, 200):
        status, _ = await call(
            app_client,
            student,
            "POST",
            f"/api/helpdesk/tickets/{first}/messages",
            {"body": "추가 설명", "client_id": "m-1"},
        )
        assert status == expected
    status, thread = await call(app_client, student, "GET", f"/api/helpdesk/tickets/{first}")
    assert len(thread["messages"]) == 2
    status, page = await call(app_client, student, "GET", "/api/helpdesk/tickets")
    assert page["total"] == 1


async def test_who_sees_which_ticket(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    ticket = await open_ticket(app_client, await login_as("student1"))
    path = f"/api/helpdesk/tickets/{ticket}"
    for outsider in ("student2", "teacher", "sa_b"):
        headers = await login_as(outsider)
        status, body = await call(app_client, headers, "GET", path)
        assert status == 404, outsider
        assert_error(body, "not_found")
        status, page = await call(app_client, headers, "GET", "/api/helpdesk/tickets")
        assert page["items"] == [] and page["total"] == 0, outsider
        status, _ = await call(
            app_client, headers, "POST", f"{path}/messages", {"body": "x", "client_id": "x"}
        )
        assert status == 404, outsider
    for staff in ("sa_a", "admin"):
        status, _ = await call(app_client, await login_as(staff), "GET", path)
        assert status == 200, staff
    student = await login_as("student1")
    status, body = await call(
        app_client,
        student,
        "POST",
        f"{path}/messages",
        {"body": "x", "client_id": "i", "internal": True},
    )
    assert status == 403
    status, body = await call(
        app_client, student, "POST", f"{path}/assignee", {"user_id": world.users["sa_a"]}
    )
    assert status == 403
    admin = await login_as("admin")
    status, body = await call(
        app_client, admin, "POST", f"{path}/assignee", {"user_id": world.users["sa_b"]}
    )
    assert status == 400, "a school admin of another school cannot be assigned"
    status, body = await call(
        app_client, admin, "POST", f"{path}/assignee", {"user_id": world.users["sa_a"]}
    )
    assert status == 200 and body["assignee_id"] == world.users["sa_a"]


async def test_bad_tickets_are_refused(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    student = await login_as("student1")
    for bad in (
        ticket_body(category="billing"),
        ticket_body(subject=""),
        ticket_body(subject="x" * 201),
        ticket_body(body="   "),
        ticket_body(extra=1),
        {k: v for k, v in ticket_body().items() if k != "client_id"},
    ):
        status, body = await call(app_client, student, "POST", "/api/helpdesk/tickets", bad)
        assert status == 400, bad
        assert_error(body, "invalid_input")
    status, body = await call(app_client, student, "GET", "/api/helpdesk/tickets?limit=500")
    assert status == 400
    status, page = await call(app_client, student, "GET", "/api/helpdesk/tickets")
    assert page["total"] == 0, "nothing was stored by the refused requests"
    ticket = await open_ticket(app_client, student)
    status, body = await call(
        app_client,
        student,
        "POST",
        f"/api/helpdesk/tickets/{ticket}/status",
        {"status": "answered"},
    )
    assert status == 400


async def test_faq_is_edited_by_admins_and_read_by_everyone(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    admin = await login_as("admin")
    student = await login_as("student1")
    entry = {
        "category": "account",
        "question": "비밀번호를 잊었어요",
        "answer": "담임 선생님께 문의하세요.",
    }
    status, body = await call(app_client, student, "POST", "/api/helpdesk/faq", entry)
    assert status == 403
    status, body = await call(
        app_client, await login_as("sa_a"), "POST", "/api/helpdesk/faq", entry
    )
    assert status == 403
    status, created = await call(app_client, admin, "POST", "/api/helpdesk/faq", entry)
    assert status == 201
    status, draft = await call(
        app_client,
        admin,
        "POST",
        "/api/helpdesk/faq",
        {**entry, "question": "초안", "published": False},
    )
    assert status == 201
    status, listed = await call(app_client, student, "GET", "/api/helpdesk/faq")
    assert [item["question"] for item in listed["items"]] == ["비밀번호를 잊었어요"]
    status, listed = await call(app_client, admin, "GET", "/api/helpdesk/faq?category=account")
    assert len(listed["items"]) == 2
    status, body = await call(
        app_client,
        admin,
        "PATCH",
        f"/api/helpdesk/faq/{draft['id']}",
        {"published": True, "answer": "고쳤습니다"},
    )
    assert status == 200 and body["published"] and body["answer"] == "고쳤습니다"
    status, body = await call(
        app_client, admin, "PATCH", f"/api/helpdesk/faq/{draft['id']}", {"question": ""}
    )
    assert status == 400
    status, _ = await call(app_client, student, "DELETE", f"/api/helpdesk/faq/{created['id']}")
    assert status == 403
    status, _ = await call(app_client, admin, "DELETE", f"/api/helpdesk/faq/{created['id']}")
    assert status == 200
    status, body = await call(app_client, admin, "DELETE", f"/api/helpdesk/faq/{created['id']}")
    assert status == 404
    assert_error(body, "not_found")
