"""Course content, enrolment methods and course groups over REST, with every endpoint's
permissions checked per role (a student cannot read another student's progress; a school
admin cannot touch another school's course)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error

# Who may do what in ``world.course`` (school A): its teacher, school A's admin and the
# platform admin teach it; its students read it; everyone else is refused.
OUTSIDERS = ("teacher_b", "sa_b", "teacher2")


class Caller:
    """Calls the API as named users and checks the status it expects."""

    def __init__(self, client: TestClient, login_as: LoginAs) -> None:
        self.client = client
        self.login_as = login_as

    async def __call__(
        self, who: str, method: str, path: str, body: Any = None, status: int = 200
    ) -> dict[str, Any]:
        response = await self.client.request(
            method, path, json=body, headers=await self.login_as(who)
        )
        payload = await response.json()
        assert response.status == status, (who, method, path, response.status, payload)
        if status == 403:
            assert_error(payload, "forbidden")
        return payload

    async def refused(
        self, whos: tuple[str, ...], method: str, path: str, body: Any = None
    ) -> None:
        for who in whos:
            await self(who, method, path, body, status=403)


@pytest.fixture
def api(app_client: TestClient, login_as: LoginAs) -> Caller:
    return Caller(app_client, login_as)


def csv64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def build(api: Caller, world: World) -> dict[str, int]:
    """A section with a visible link, a visible video and a hidden draft."""
    c = world.course
    section = await api("teacher", "POST", f"/api/courses/{c}/sections", {"title": "1단원"}, 201)
    sid = section["id"]

    async def lesson(client_id: str, **fields: Any) -> int:
        body = {"client_id": client_id, "section_id": sid, **fields}
        return (await api("teacher", "POST", f"/api/courses/{c}/lessons", body, 201))["id"]

    return {
        "section": sid,
        "link": await lesson("l", kind="link", title="교과서", url="https://example.org/book"),
        "video": await lesson(
            "v", kind="video", title="영상", url="https://example.org/v.mp4", duration_seconds=300
        ),
        "draft": await lesson(
            "d", kind="link", title="초안", url="https://example.org/d", visible=False
        ),
    }


async def test_sections_and_lessons_per_role(api: Caller, world: World) -> None:
    c = world.course
    ids = await build(api, world)
    for who in ("teacher", "sa_a", "admin"):
        outline = await api(who, "GET", f"/api/courses/{c}/outline")
        assert outline["teaching"] and len(outline["sections"][0]["lessons"]) == 3
    outline = await api("student1", "GET", f"/api/courses/{c}/outline")
    assert not outline["teaching"]
    assert [lesson["title"] for lesson in outline["sections"][0]["lessons"]] == ["교과서", "영상"]
    await api.refused(OUTSIDERS, "GET", f"/api/courses/{c}/outline")
    await api("student1", "GET", f"/api/lessons/{ids['draft']}", status=404)
    await api.refused(OUTSIDERS, "GET", f"/api/lessons/{ids['link']}")

    writers_refused = ("student1", *OUTSIDERS)
    await api.refused(writers_refused, "POST", f"/api/courses/{c}/sections", {"title": "x"})
    await api.refused(writers_refused, "PATCH", f"/api/sections/{ids['section']}", {"title": "x"})
    await api.refused(writers_refused, "DELETE", f"/api/sections/{ids['section']}")
    only_section = {"section_ids": [ids["section"]]}
    await api.refused(writers_refused, "PUT", f"/api/courses/{c}/sections/order", only_section)
    order = [ids["video"], ids["link"], ids["draft"]]
    lesson_order = f"/api/sections/{ids['section']}/lessons/order"
    await api.refused(writers_refused, "PUT", lesson_order, {"lesson_ids": order})
    new_lesson = {
        "client_id": "z",
        "section_id": ids["section"],
        "kind": "link",
        "title": "x",
        "url": "https://example.org",
    }
    await api.refused(writers_refused, "POST", f"/api/courses/{c}/lessons", new_lesson)
    await api.refused(writers_refused, "PATCH", f"/api/lessons/{ids['link']}", {"title": "x"})
    await api.refused(writers_refused, "DELETE", f"/api/lessons/{ids['link']}")
    await api.refused(writers_refused, "GET", f"/api/lessons/{ids['video']}/report")

    second = await api("sa_a", "POST", f"/api/courses/{c}/sections", {"title": "2단원"}, 201)
    await api("teacher", "PATCH", f"/api/sections/{second['id']}", {"summary": "요약"})
    reordered = await api(
        "teacher",
        "PUT",
        f"/api/courses/{c}/sections/order",
        {"section_ids": [second["id"], ids["section"]]},
    )
    assert [s["position"] for s in reordered["items"]] == [1, 2]
    lessons = await api(
        "teacher", "PUT", f"/api/sections/{ids['section']}/lessons/order", {"lesson_ids": order}
    )
    assert [lesson["id"] for lesson in lessons["items"]] == order
    await api("teacher", "DELETE", f"/api/sections/{ids['section']}", status=409)
    await api(
        "teacher",
        "PATCH",
        f"/api/lessons/{ids['draft']}",
        {"section_id": second["id"], "visible": True},
    )
    await api("teacher", "DELETE", f"/api/lessons/{ids['draft']}")
    await api("admin", "DELETE", f"/api/sections/{second['id']}")


async def test_lesson_input_is_validated(api: Caller, world: World) -> None:
    c = world.course
    ids = await build(api, world)
    base = {"client_id": "q", "section_id": ids["section"], "title": "t"}
    for body in (
        {**base, "kind": "link", "url": "ftp://example.org"},
        {**base, "kind": "link", "url": "https://example.org", "extra": 1},
        {**base, "kind": "sticker"},
        {**base, "kind": "quiz"},
        {**base, "kind": "document"},
    ):
        payload = await api("teacher", "POST", f"/api/courses/{c}/lessons", body, 400)
        assert_error(payload, "invalid_input")
    payload = await api(
        "teacher", "POST", f"/api/courses/{c}/lessons", {**base, "kind": "quiz", "ref_id": 999}, 404
    )
    assert_error(payload, "not_found")
    other_section = await api(
        "teacher2", "POST", f"/api/courses/{world.other_course}/sections", {"title": "x"}, 201
    )
    await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/lessons",
        {**base, "section_id": other_section["id"], "kind": "link", "url": "https://example.org"},
        404,
    )
    again = {
        "client_id": "l",
        "section_id": ids["section"],
        "kind": "link",
        "title": "교과서",
        "url": "https://example.org/book",
    }
    retry = await api("teacher", "POST", f"/api/courses/{c}/lessons", again, 200)
    assert retry["id"] == ids["link"]


async def test_progress_is_each_students_own(api: Caller, world: World) -> None:
    ids = await build(api, world)
    video = ids["video"]
    saved = await api(
        "student1",
        "PUT",
        f"/api/lessons/{video}/progress",
        {"position_seconds": 12.5, "watched_seconds": 12},
    )
    assert saved["watched_seconds"] == 12 and saved["completed_at"] is None
    again = await api(
        "student1",
        "PUT",
        f"/api/lessons/{video}/progress",
        {"position_seconds": 3, "watched_seconds": 2},
    )
    assert (again["position_seconds"], again["watched_seconds"]) == (12.5, 12)
    mine = await api("student1", "GET", f"/api/lessons/{video}")
    assert mine["progress"]["watched_seconds"] == 12
    theirs = await api("student2", "GET", f"/api/lessons/{video}")
    assert theirs["progress"] is None
    await api.refused(
        ("teacher", "sa_a", *OUTSIDERS),
        "PUT",
        f"/api/lessons/{video}/progress",
        {"position_seconds": 1, "watched_seconds": 1},
    )
    await api(
        "student1",
        "PUT",
        f"/api/lessons/{video}/progress",
        {"position_seconds": -1, "watched_seconds": 1},
        400,
    )
    await api(
        "student1",
        "PUT",
        f"/api/lessons/{ids['link']}/progress",
        {"position_seconds": 1, "watched_seconds": 1},
        400,
    )
    viewed = await api("student2", "POST", f"/api/lessons/{ids['link']}/view")
    assert viewed["completed_at"] is not None
    await api.refused(("teacher", *OUTSIDERS), "POST", f"/api/lessons/{ids['link']}/view")
    await api.refused(("student1", "student2"), "GET", f"/api/lessons/{video}/report")
    report = await api("sa_a", "GET", f"/api/lessons/{video}/report")
    watched = {row["user"]["login"]: row["progress"] for row in report["items"]}
    assert watched["student1"]["watched_seconds"] == 12 and watched["student2"] is None


async def test_enrolment_methods_per_role(api: Caller, world: World) -> None:
    c = world.course
    writers_refused = ("student1", *OUTSIDERS)
    await api.refused(writers_refused, "GET", f"/api/courses/{c}/enrolment-candidates?q=t")
    found = await api("teacher", "GET", f"/api/courses/{c}/enrolment-candidates?q=teacher")
    assert {user["login"] for user in found["items"]} == {"teacher2"}
    await api("teacher", "GET", f"/api/courses/{c}/enrolment-candidates", status=400)

    body = {"csv_base64": csv64("login,role\nteacher2,co_teacher\n")}
    await api.refused(writers_refused, "POST", f"/api/courses/{c}/enrolments/import", body)
    checked = await api(
        "teacher", "POST", f"/api/courses/{c}/enrolments/import", {**body, "dry_run": True}
    )
    assert checked["status"] == "checked" and len(checked["enrolled"]) == 1
    bad = await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/enrolments/import",
        {"csv_base64": csv64("login\nteacher2\nteacher_b\nnobody\nteacher2\n")},
        400,
    )
    assert_error(bad, "invalid_input")
    assert [(e["line"], e["reason"]) for e in bad["error"]["details"]["errors"]] == [
        (3, "other_school"),
        (4, "unknown_login"),
        (5, "duplicate_in_file"),
    ]
    wrong = await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/enrolments/import",
        {"csv_base64": csv64("name\nx\n")},
        400,
    )
    assert wrong["error"]["details"]["reason"] == "wrong_columns"
    await api("teacher", "POST", f"/api/courses/{c}/enrolments/import", {"csv_base64": "!!"}, 400)
    done = await api("teacher", "POST", f"/api/courses/{c}/enrolments/import", body, 201)
    assert done["enrolled"][0]["user"]["login"] == "teacher2"

    s2 = world.users["student2"]
    writers_refused = ("student1", "teacher_b", "sa_b")  # teacher2 now co-teaches
    await api.refused(writers_refused, "DELETE", f"/api/courses/{c}/enrolments/{s2}")
    await api("teacher", "DELETE", f"/api/courses/{c}/enrolments/{s2}")
    await api("teacher", "DELETE", f"/api/courses/{c}/enrolments/{s2}", status=404)

    await api.refused(writers_refused, "GET", f"/api/courses/{c}/self-enrolment")
    await api.refused(writers_refused, "PUT", f"/api/courses/{c}/self-enrolment", {"enabled": True})
    off = await api("teacher", "GET", f"/api/courses/{c}/self-enrolment")
    assert off == {"course_id": c, "enabled": False, "enrol_key": None, "updated_at": None}
    on = await api(
        "teacher", "PUT", f"/api/courses/{c}/self-enrolment", {"enabled": True, "key": "과학2027"}
    )
    assert on["enrol_key"] == "과학2027"
    await api("student2", "POST", f"/api/courses/{c}/self-enrol", {"key": "wrong"}, 403)
    await api("teacher_b", "POST", f"/api/courses/{c}/self-enrol", {"key": "과학2027"}, 403)
    joined = await api("student2", "POST", f"/api/courses/{c}/self-enrol", {"key": "과학2027"})
    assert joined["role"] == "student" and joined["user"]["id"] == s2


async def test_groups_per_role(api: Caller, world: World) -> None:
    c = world.course
    s1, s2 = world.users["student1"], world.users["student2"]
    writers_refused = ("student1", *OUTSIDERS)
    body = {"name": "1모둠", "user_ids": [s1]}
    await api.refused(writers_refused, "POST", f"/api/courses/{c}/groups", body)
    group = await api("teacher", "POST", f"/api/courses/{c}/groups", body, 201)
    await api(
        "teacher", "POST", f"/api/courses/{c}/groups", {"name": "2모둠", "user_ids": [s2]}, 201
    )
    await api("teacher", "POST", f"/api/courses/{c}/groups", body, 409)
    await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/groups",
        {"name": "x", "user_ids": [world.users["teacher_b"]]},
        400,
    )
    assert len((await api("teacher", "GET", f"/api/courses/{c}/groups"))["items"]) == 2
    own = await api("student1", "GET", f"/api/courses/{c}/groups")
    assert [g["name"] for g in own["items"]] == ["1모둠"]
    await api.refused(OUTSIDERS, "GET", f"/api/courses/{c}/groups")
    gid = group["id"]
    await api.refused(writers_refused, "PATCH", f"/api/groups/{gid}", {"name": "x"})
    await api.refused(writers_refused, "DELETE", f"/api/groups/{gid}")
    updated = await api("teacher", "PATCH", f"/api/groups/{gid}", {"user_ids": [s1, s2]})
    assert updated["member_ids"] == sorted([s1, s2])
    await api("sa_a", "DELETE", f"/api/groups/{gid}")
    await api("teacher", "DELETE", f"/api/groups/{gid}", status=404)


async def test_document_and_video_lessons_use_the_course_file_store(
    api: Caller, app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    c = world.course
    ids = await build(api, world)

    async def upload(who: str, course_id: int, data: bytes, name: str) -> int:
        response = await app_client.post(
            f"/api/courses/{course_id}/files",
            data=data,
            headers={**await login_as(who), "X-File-Name": name},
        )
        assert response.status == 201, await response.text()
        return (await response.json())["id"]

    pdf = await upload("teacher", c, b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n", "worksheet.pdf")
    base = {"section_id": ids["section"], "title": "학습지"}
    doc = await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/lessons",
        {**base, "client_id": "doc", "kind": "document", "file_id": pdf},
        201,
    )
    assert doc["file_id"] == pdf and doc["url"] == ""
    opened = await api("student1", "GET", f"/api/lessons/{doc['id']}")
    assert opened["file_id"] == pdf
    download = await app_client.get(f"/api/files/{pdf}", headers=await login_as("student1"))
    assert download.status == 200
    viewed = await api("student1", "POST", f"/api/lessons/{doc['id']}/view")
    assert viewed["completed_at"] is not None

    elsewhere = await upload("teacher2", world.other_course, b"%PDF-1.4\n%%EOF\n", "x.pdf")
    await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/lessons",
        {**base, "client_id": "doc2", "kind": "document", "file_id": elsewhere},
        400,
    )
    await api(
        "teacher",
        "POST",
        f"/api/courses/{c}/lessons",
        {**base, "client_id": "doc3", "kind": "document", "file_id": 999999},
        400,
    )
