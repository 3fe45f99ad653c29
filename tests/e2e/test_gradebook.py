"""The gradebook and the attendance book in two browsers: a teacher grades inline (a grade
above the maximum is refused on the spot), the attendance book shows the ended class, and the
student sees only their own grades and attendance."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import log_in, open_course, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_gradebook_and_attendance_book(live_server: ServerProcess, new_page: Any) -> None:
    api = ApiClient(live_server.url, "teacher")
    course = api.teaching_course()
    session = api.schedule_session(course["id"], f"출석 확인 {uuid.uuid4().hex[:4]}")
    api.call("POST", f"/api/sessions/{session['id']}/start")
    api.call("POST", f"/api/sessions/{session['id']}/end")
    student_id = ApiClient(live_server.url, "student1").user["id"]
    title = f"발표 {uuid.uuid4().hex[:6]}"

    teacher = new_page()
    log_in(teacher, live_server.url, "teacher")
    open_course(teacher, course["id"])
    tid(teacher, "grades-link").click()
    tid(teacher, "add-item-toggle").click()
    tid(teacher, "item-title").fill(title)
    tid(teacher, "item-max").fill("20")
    tid(teacher, "item-weight").fill("2")
    tid(teacher, "item-add").click()
    header = teacher.locator("th", has_text=title)
    expect(header).to_be_visible()
    item_id = header.get_attribute("data-item-id")
    cell = teacher.locator(
        f'[data-testid="grade-input"][data-item-id="{item_id}"][data-user-id="{student_id}"]'
    )
    cell.fill("25")
    cell.press("Tab")
    expect(cell).to_have_attribute("aria-invalid", "true")
    expect(teacher.locator(".notice--error")).to_contain_text("20")
    cell = teacher.locator(
        f'[data-testid="grade-input"][data-item-id="{item_id}"][data-user-id="{student_id}"]'
    )
    cell.fill("18")
    cell.press("Tab")
    expect(teacher.locator(".notice--ok")).to_contain_text("18")
    teacher.locator(f'tr[data-user-id="{student_id}"] [data-testid="open-report"]').click()
    report_line = tid(teacher, "student-report").locator(f'tr[data-item-id="{item_id}"]')
    tid(report_line, "feedback-input").fill("목소리가 또렷해요")
    tid(report_line, "feedback-save").click()
    expect(teacher.locator(".notice--ok")).to_be_visible()
    report_line = tid(teacher, "student-report").locator(f'tr[data-item-id="{item_id}"]')
    tid(report_line, "history-open").click()
    expect(tid(report_line, "grade-history").locator("li")).to_have_count(2)
    export = tid(teacher, "gradebook-export-xlsx").get_attribute("href")
    response = teacher.request.get(f"{live_server.url}{export}")
    assert response.status == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]

    teacher.goto(f"{live_server.url}/#/courses/{course['id']}/attendance-book")
    expect(tid(teacher, "book-table")).to_be_visible()
    row = teacher.locator(f'[data-testid="book-table"] tr[data-user-id="{student_id}"]')
    expect(row.locator('[data-testid="book-status"]').last).to_have_attribute(
        "data-status", "absent"
    )
    month = tid(teacher, "book-month")
    last_month = month.locator("option").last.get_attribute("value")
    month.select_option(last_month)
    expect(tid(teacher, "book-summary").locator(f'tr[data-month="{last_month}"]')).to_be_visible()
    expect(tid(teacher, "book-export-csv")).to_have_attribute(
        "href", re.compile(f"month={last_month}$")
    )

    student = new_page()
    log_in(student, live_server.url, "student1")
    open_course(student, course["id"])
    tid(student, "grades-link").click()
    line = tid(student, "my-grades-table").locator("tr", has_text=title)
    expect(line).to_contain_text("18 / 20")
    expect(line).to_contain_text("목소리가 또렷해요")
    student.goto(f"{live_server.url}/#/courses/{course['id']}/attendance-book")
    expect(
        tid(student, "my-attendance-table").locator(f'tr[data-session-id="{session["id"]}"]')
    ).to_contain_text("결석")
