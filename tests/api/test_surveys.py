"""Surveys over REST: each endpoint per role, guardian links without login, results and exports."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import assert_error

LIKERT = ["전혀 아니다", "아니다", "보통", "그렇다", "매우 그렇다"]
NOBODY: Headers = {}


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    response = await client.request(method, path, json=body, headers=headers)
    if response.content_type == "application/json":
        return response.status, await response.json()
    return response.status, await response.read()


def survey_body(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "owner_kind": "school",
        "owner_id": world.school_a,
        "title": "2학기 원격수업 만족도",
        "semester": "2026-2",
        "audiences": ["students", "guardians", "instructors"],
        "anonymous": True,
        "questions": [
            {"kind": "likert", "prompt": "수업이 도움이 되었나요?", "options": LIKERT},
            {"kind": "single_choice", "prompt": "좋은 시간대", "options": ["오전", "오후"]},
            {
                "kind": "multi_choice",
                "prompt": "쓴 기기",
                "options": ["태블릿", "노트북"],
                "required": False,
            },
            {"kind": "text", "prompt": "하고 싶은 말", "required": False},
        ],
        **overrides,
    }


async def make(client: TestClient, world: World, login_as: LoginAs, **overrides: Any) -> dict:
    admin = await login_as("sa_a")
    status, survey = await call(
        client, admin, "POST", "/api/surveys", survey_body(world, **overrides)
    )
    assert status == 201, survey
    status, survey = await call(client, admin, "POST", f"/api/surveys/{survey['id']}/open")
    assert status == 200 and survey["status"] == "open", survey
    return survey


def answer_body(survey: dict, likert: int, client_id: str, text: str = "") -> dict[str, Any]:
    q = [question["id"] for question in survey["questions"]]
    answers = [
        {"question_id": q[0], "value": likert},
        {"question_id": q[1], "value": 1},
        {"question_id": q[2], "value": [0]},
    ]
    if text:
        answers.append({"question_id": q[3], "value": text})
    return {"client_id": client_id, "answers": answers}


async def test_each_survey_endpoint_refuses_whom_it_should(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    survey = await make(app_client, world, login_as)
    sid = survey["id"]
    other_admin = await login_as("sa_b")
    student = await login_as("student1")
    teacher_b = await login_as("teacher_b")
    manager_only = [
        ("PATCH", f"/api/surveys/{sid}", {"closes_at": "2099-01-01T00:00:00Z"}),
        ("POST", f"/api/surveys/{sid}/open", None),
        ("POST", f"/api/surveys/{sid}/close", None),
        ("GET", f"/api/surveys/{sid}/results", None),
        ("GET", f"/api/surveys/{sid}/results.csv", None),
        ("GET", f"/api/surveys/{sid}/results.xlsx", None),
        ("GET", f"/api/surveys/{sid}/responses", None),
        ("POST", f"/api/surveys/{sid}/guardian-links", {"labels": ["x"]}),
        ("GET", f"/api/surveys/{sid}/guardian-links", None),
        ("DELETE", f"/api/surveys/{sid}/guardian-links/1", None),
        ("DELETE", f"/api/surveys/{sid}", None),
        ("POST", f"/api/surveys/{sid}/copy", {"semester": "2027-1"}),
    ]
    for headers in (other_admin, student, teacher_b):
        for method, path, body in manager_only:
            status, error = await call(app_client, headers, method, path, body)
            assert status == 403, (method, path, error)
            assert_error(error, "forbidden")
    # Building for another school is refused; an unknown school is not found.
    status, error = await call(app_client, other_admin, "POST", "/api/surveys", survey_body(world))
    assert status == 403, error
    status, error = await call(
        app_client,
        await login_as("admin"),
        "POST",
        "/api/surveys",
        survey_body(world, owner_id=999_999),
    )
    assert status == 404, error
    # Another school's teacher is not in any audience of this survey.
    status, error = await call(app_client, teacher_b, "GET", f"/api/surveys/{sid}")
    assert status == 403, error
    status, error = await call(
        app_client, teacher_b, "POST", f"/api/surveys/{sid}/responses", answer_body(survey, 3, "x")
    )
    assert status == 403, error
    # Everything needs a login except the guardian link routes.
    for method, path, body in [
        *manager_only,
        ("GET", "/api/surveys", None),
        ("GET", f"/api/surveys/{sid}", None),
        ("POST", f"/api/surveys/{sid}/responses", answer_body(survey, 3, "x")),
        ("GET", "/api/owners/managed", None),
    ]:
        status, error = await call(app_client, NOBODY, method, path, body)
        assert status == 401, (method, path)
    # The student sees it in their list and can read the questions.
    status, listed = await call(app_client, student, "GET", "/api/surveys")
    assert [(item["id"], item["responded"]) for item in listed["items"]] == [(sid, False)]
    status, read = await call(app_client, student, "GET", f"/api/surveys/{sid}")
    assert status == 200 and read["manager"] is False and len(read["questions"]) == 4


async def test_builder_validation_over_rest(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    admin = await login_as("sa_a")
    bad = [
        survey_body(world, semester="가을"),
        survey_body(world, audiences=[]),
        survey_body(world, audiences=["parents"]),
        survey_body(world, extra_field=1),
        survey_body(world, questions=[{"kind": "likert", "prompt": "x", "options": ["a"]}]),
        survey_body(world, questions=[{"kind": "essay", "prompt": "x"}]),
        survey_body(world, closes_at="2026-01-01T00:00:00"),  # no time zone
    ]
    for body in bad:
        status, error = await call(app_client, admin, "POST", "/api/surveys", body)
        assert status == 400, body
        assert_error(error, "invalid_input")
    status, draft = await call(app_client, admin, "POST", "/api/surveys", survey_body(world))
    assert status == 201 and draft["status"] == "draft"
    status, edited = await call(
        app_client,
        admin,
        "PATCH",
        f"/api/surveys/{draft['id']}",
        {"title": "바뀐 제목", "questions": [{"kind": "text", "prompt": "의견"}]},
    )
    assert status == 200 and edited["title"] == "바뀐 제목" and len(edited["questions"]) == 1
    # A draft is invisible to students; opened, its questions are frozen.
    status, _ = await call(
        app_client, await login_as("student1"), "GET", f"/api/surveys/{draft['id']}"
    )
    assert status == 404
    await call(app_client, admin, "POST", f"/api/surveys/{draft['id']}/open")
    status, error = await call(
        app_client,
        admin,
        "PATCH",
        f"/api/surveys/{draft['id']}",
        {"questions": [{"kind": "text", "prompt": "다른 질문"}]},
    )
    assert status == 409, error
    status, error = await call(app_client, admin, "DELETE", f"/api/surveys/{draft['id']}")
    assert status == 409, error


async def test_answering_once_and_results_after_close(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    survey = await make(app_client, world, login_as)
    sid = survey["id"]
    admin = await login_as("sa_a")
    status, ack = await call(
        app_client,
        await login_as("student1"),
        "POST",
        f"/api/surveys/{sid}/responses",
        answer_body(survey, 5, "s1"),
    )
    assert status == 201 and ack == {"ok": True, "created": True}
    status, ack = await call(
        app_client,
        await login_as("student1"),
        "POST",
        f"/api/surveys/{sid}/responses",
        answer_body(survey, 5, "s1"),
    )
    assert status == 200 and ack["created"] is False
    status, error = await call(
        app_client,
        await login_as("student1"),
        "POST",
        f"/api/surveys/{sid}/responses",
        answer_body(survey, 1, "s1-again"),
    )
    assert status == 409
    assert_error(error, "conflict")
    status, error = await call(
        app_client,
        await login_as("student2"),
        "POST",
        f"/api/surveys/{sid}/responses",
        {
            "client_id": "bad",
            "answers": [{"question_id": survey["questions"][0]["id"], "value": 9}],
        },
    )
    assert status == 400, error

    # Guardians: links made by the manager, answered without a login.
    status, links = await call(
        app_client,
        admin,
        "POST",
        f"/api/surveys/{sid}/guardian-links",
        {"labels": ["김보호", "이보호", "박보호"]},
    )
    assert status == 201 and len(links["items"]) == 3
    tokens = [item["token"] for item in links["items"]]
    status, page = await call(app_client, NOBODY, "GET", f"/api/survey-links/{tokens[0]}")
    assert status == 200 and page["used"] is False and page["survey"]["accepting"]
    for n, token in enumerate(tokens):
        status, ack = await call(
            app_client,
            NOBODY,
            "POST",
            f"/api/survey-links/{token}/responses",
            answer_body(survey, 4, f"g{n}", text="선생님 감사합니다"),
        )
        assert status == 201, ack
    status, error = await call(
        app_client,
        NOBODY,
        "POST",
        f"/api/survey-links/{tokens[0]}/responses",
        answer_body(survey, 1, "other"),
    )
    assert status == 409
    status, page = await call(app_client, NOBODY, "GET", f"/api/survey-links/{tokens[0]}")
    assert page["used"] is True
    status, _ = await call(app_client, NOBODY, "GET", "/api/survey-links/" + "A" * 32)
    assert status == 404
    status, listed = await call(app_client, admin, "GET", f"/api/surveys/{sid}/guardian-links")
    assert all(item["used_on"] for item in listed["items"])
    assert all("token" not in item for item in listed["items"])

    # Anonymous and still open: only the response rate; no exports.
    status, early = await call(app_client, admin, "GET", f"/api/surveys/{sid}/results")
    assert status == 200 and early["available"] is False and early["groups"] == []
    rate = {p["audience"]: (p["responded"], p["invited"]) for p in early["participation"]}
    assert rate == {"students": (1, 2), "guardians": (3, 3), "instructors": (0, 2)}
    status, error = await call(app_client, admin, "GET", f"/api/surveys/{sid}/results.csv")
    assert status == 409
    status, _ = await call(app_client, admin, "GET", f"/api/surveys/{sid}/responses")
    assert status == 403  # anonymous: never one by one

    await call(app_client, admin, "POST", f"/api/surveys/{sid}/close")
    status, done = await call(app_client, admin, "GET", f"/api/surveys/{sid}/results")
    groups = {g["audience"]: g for g in done["groups"]}
    assert groups["students"]["suppressed"] is True and groups["students"]["responses"] is None
    guardians = groups["guardians"]
    assert guardians["suppressed"] is False and guardians["responses"] == 3
    likert = guardians["questions"][0]
    assert likert["mean"] == 4.0 and [o["count"] for o in likert["options"]] == [0, 0, 0, 3, 0]
    assert guardians["questions"][3]["texts"] == ["선생님 감사합니다"] * 3

    status, data = await call(app_client, admin, "GET", f"/api/surveys/{sid}/results.csv")
    text = data.decode("utf-8-sig")
    assert status == 200 and "보호자" in text and "선생님 감사합니다" in text
    assert "응답이 적어 표시하지 않음" in text  # the students' group, hidden in the file too
    status, data = await call(app_client, admin, "GET", f"/api/surveys/{sid}/results.xlsx")
    book = load_workbook(io.BytesIO(data))
    values = [cell for row in book["결과"].iter_rows(values_only=True) for cell in row]
    assert "선생님 감사합니다" in values and "응답이 적어 표시하지 않음" in values


async def test_named_responses_of_a_survey_that_is_not_anonymous(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    survey = await make(app_client, world, login_as, anonymous=False, audiences=["students"])
    sid = survey["id"]
    await call(
        app_client,
        await login_as("student2"),
        "POST",
        f"/api/surveys/{sid}/responses",
        answer_body(survey, 2, "c"),
    )
    admin = await login_as("sa_a")
    status, named = await call(app_client, admin, "GET", f"/api/surveys/{sid}/responses")
    assert status == 200
    assert [
        (i["respondent"]["display_name"], i["answers"][str(survey["questions"][0]["id"])])
        for i in named["items"]
    ] == [("Student2", 2)]
    status, result = await call(app_client, admin, "GET", f"/api/surveys/{sid}/results")
    assert result["available"] and result["groups"][0]["responses"] == 1
    # Next semester: the same questionnaire as a new draft.
    status, copy = await call(
        app_client, admin, "POST", f"/api/surveys/{sid}/copy", {"semester": "2027-1"}
    )
    assert status == 201 and copy["status"] == "draft" and copy["semester"] == "2027-1"
    assert [q["prompt"] for q in copy["questions"]] == [q["prompt"] for q in survey["questions"]]
    assert copy["anonymous"] is False and copy["id"] != sid
    status, owners = await call(app_client, admin, "GET", "/api/owners/managed")
    assert owners["items"] == [{"kind": "school", "id": world.school_a, "name": "가나초등학교"}]


async def test_guardian_links_for_each_student(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    survey = await make(app_client, world, login_as, audiences=["guardians"])
    admin = await login_as("sa_a")
    path = f"/api/surveys/{survey['id']}/guardian-links"
    status, made = await call(app_client, admin, "POST", path, {"for_students": True})
    assert status == 201
    assert sorted(item["label"] for item in made["items"]) == ["Student1 보호자", "Student2 보호자"]
    assert all(len(item["token"]) >= 32 for item in made["items"])
    status, again = await call(app_client, admin, "POST", path, {"for_students": True})
    assert status == 201 and again["items"] == []
    status, error = await call(app_client, admin, "POST", path, {})
    assert status == 400
    assert_error(error, "invalid_input")
