"""A satisfaction survey in two browsers: the school admin builds and sends it, a student
answers it, and once closed the admin reads the aggregated result by group."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import log_in, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_admin_sends_a_survey_students_answer_admin_reads_results(
    live_server: ServerProcess, new_page: Any
) -> None:
    title = f"2학기 원격수업 만족도 {uuid.uuid4().hex[:6]}"
    admin = new_page()
    log_in(admin, live_server.url, "schooladmin")
    tid(admin, "nav-surveys").click()
    tid(admin, "survey-new").click()
    tid(admin, "survey-title").fill(title)
    tid(admin, "question-prompt").first.fill("원격수업이 도움이 되었나요?")
    tid(admin, "question-add").click()
    editor = tid(admin, "question-editor").nth(1)
    tid(editor, "question-kind").select_option("text")
    tid(editor, "question-prompt").fill("선생님께 하고 싶은 말")
    editor.locator('input[type="checkbox"]').uncheck()
    tid(admin, "survey-save").click()
    expect(tid(admin, "survey-heading")).to_have_text(title)
    expect(tid(admin, "survey-status")).to_have_attribute("data-i18n", "surveys.status.draft")
    tid(admin, "survey-open").click()
    expect(tid(admin, "survey-status")).to_have_attribute("data-i18n", "surveys.status.open")
    survey_id = int(admin.url.rsplit("/", 1)[1])

    student = new_page()
    log_in(student, live_server.url, "student1")
    tid(student, "nav-surveys").click()
    tid(student, "survey-answer-row").filter(has_text=title).locator("a").first.click()
    expect(tid(student, "survey-heading")).to_have_text(title)
    tid(student, "survey-submit").click()  # the required question is still empty
    expect(student.locator(".notice--error")).to_be_visible()
    tid(student, "answer-0-4").check()  # 5: 매우 그렇다
    tid(student, "answer-text-1").fill("화면 공유가 잘 보여요")
    tid(student, "survey-submit").click()
    expect(tid(student, "survey-thanks")).to_be_visible()
    student.reload()
    expect(tid(student, "survey-answered")).to_be_visible()

    # Two classmates answer over REST, so the students' group reaches the minimum of three.
    survey = ApiClient(live_server.url, "student2").call("GET", f"/api/surveys/{survey_id}")
    likert = survey["questions"][0]["id"]
    for login, value in (("student2", 4), ("student3", 3)):
        ApiClient(live_server.url, login).call(
            "POST",
            f"/api/surveys/{survey_id}/responses",
            {"client_id": f"e2e-{login}", "answers": [{"question_id": likert, "value": value}]},
        )

    tid(admin, "survey-results-link").click()
    expect(tid(admin, "result-wait")).to_be_visible()  # anonymous: results after closing
    admin.go_back()
    tid(admin, "survey-close").click()
    expect(tid(admin, "survey-status")).to_have_attribute("data-i18n", "surveys.status.closed")
    tid(admin, "survey-results-link").click()
    group = admin.locator('[data-testid="result-group"][data-audience="students"]')
    expect(group.locator('[data-testid="result-mean"]')).to_contain_text("4")
    counts = group.locator('[data-testid="result-count"]')
    expect(counts).to_have_count(5)
    expect(counts.nth(2)).to_have_text("1 (33%)")
    expect(counts.nth(4)).to_have_text("1 (33%)")
    expect(group).to_contain_text("화면 공유가 잘 보여요")
