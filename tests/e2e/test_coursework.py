"""Work outside the live class in two browsers: an assignment handed in and graded, and a timed
quiz whose autosaved answers survive a dropped connection and a reload."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import log_in, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_assignment_is_set_handed_in_and_graded(
    live_server: ServerProcess, new_page: Any
) -> None:
    course = ApiClient(live_server.url, "teacher").teaching_course()
    title = f"관찰 일지 {uuid.uuid4().hex[:6]}"
    teacher = new_page()
    log_in(teacher, live_server.url, "teacher")
    teacher.goto(f"{live_server.url}/#/courses/{course['id']}/work")
    tid(teacher, "assignment-title").fill(title)
    tid(teacher, "assignment-instructions").fill("강낭콩의 변화를 적으세요.")
    tid(teacher, "assignment-files").check()
    tid(teacher, "assignment-create").click()
    expect(tid(teacher, "assignment-row").filter(has_text=title)).to_be_visible()

    student = new_page()
    log_in(student, live_server.url, "student1")
    student.goto(f"{live_server.url}/#/courses/{course['id']}")
    tid(student, "coursework-link").click()
    tid(student, "assignment-row").filter(has_text=title).locator("a").click()
    tid(student, "submission-text").fill("1일차: 싹이 났다.")
    tid(student, "submission-file").set_input_files(
        files=[{"name": "관찰.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    tid(student, "submission-send").click()
    expect(tid(student, "submission-status")).to_have_attribute("data-status", "submitted")
    expect(tid(student, "submission-files")).to_contain_text("관찰.pdf")

    tid(teacher, "assignment-row").filter(has_text=title).locator("a").click()
    row = tid(teacher, "submission-row").filter(has_text="1일차: 싹이 났다.")
    expect(tid(row, "submission-file-links")).to_contain_text("관찰.pdf")
    tid(row, "grade-points").fill("95")
    tid(row, "grade-feedback").fill("관찰을 잘했어요")
    tid(row, "grade-save").click()
    expect(tid(teacher, "submission-row").filter(has_text="1일차").locator(
        '[data-testid="submission-status"]')).to_have_attribute("data-status", "graded")

    student.reload()
    expect(tid(student, "submission-status")).to_have_attribute("data-status", "graded")
    expect(tid(student, "submission-feedback")).to_have_text("관찰을 잘했어요")
    expect(tid(student, "submission-grade")).to_contain_text("95")


def test_quiz_answers_survive_a_dropped_connection(
    live_server: ServerProcess, new_page: Any
) -> None:
    api = ApiClient(live_server.url, "teacher")
    course = api.teaching_course()
    question = api.call("POST", f"/api/courses/{course['id']}/questions", {
        # A prompt of its own: the browser tests share one server and its demo course.
        "kind": "single_choice", "prompt": f"얼음이 녹는 온도는? ({uuid.uuid4().hex[:6]})",
        "options": ["10도", "0도"], "correct": [1], "points": 1,
    })
    quiz = api.call("POST", f"/api/courses/{course['id']}/course-quizzes", {
        "title": f"확인 평가 {uuid.uuid4().hex[:6]}", "question_ids": [question["id"]],
        "time_limit_seconds": 600,
    })
    page = new_page()
    log_in(page, live_server.url, "student1")
    page.goto(f"{live_server.url}/#/course-quizzes/{quiz['id']}")
    tid(page, "attempt-start").click()
    expect(tid(page, "quiz-clock")).to_be_visible()
    options = tid(page, "answer-option")

    page.context.set_offline(True)
    options.nth(1).check()
    state = tid(page, "save-state")
    expect(state).to_have_attribute("data-state", "retrying")
    page.context.set_offline(False)
    expect(state).to_have_attribute("data-state", "saved", timeout=20_000)

    page.reload()
    expect(tid(page, "answer-option").nth(1)).to_be_checked()
    page.once("dialog", lambda dialog: dialog.accept())
    tid(page, "attempt-submit").click()
    expect(tid(page, "attempt-state")).to_have_attribute("data-state", "finished")
    expect(tid(page, "attempt-points")).to_contain_text("1 / 1")
