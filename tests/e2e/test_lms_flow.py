"""The LMS from end to end in three browsers, as a term starts: a teacher requests a course,
the school admin approves it, the teacher adds a lesson and an assignment, a student hands in,
the teacher grades, and the gradebook exports the grade."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import (
    add_lesson,
    add_section,
    approve_course_request,
    enrol_by_search,
    log_in,
    open_course_titled,
    open_requested_course,
    request_course,
    tid,
)
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_request_to_gradebook_export(live_server: ServerProcess, new_page: Any) -> None:
    title = f"6학년 과학 탐구 {uuid.uuid4().hex[:6]}"
    work = f"탐구 보고서 {uuid.uuid4().hex[:6]}"
    student = ApiClient(live_server.url, "student1").user

    teacher = new_page()
    log_in(teacher, live_server.url, "teacher")
    request_course(teacher, title, subject="과학", schedule="수 3교시")
    admin = new_page()
    log_in(admin, live_server.url, "schooladmin")
    approve_course_request(admin, title)

    open_requested_course(teacher, title)
    section = add_section(teacher, "1단원 물의 순환")
    add_lesson(teacher, section, "link", "물의 여행", url="https://example.org/water")
    enrol_by_search(teacher, "박하", student["id"])
    tid(teacher, "coursework-link").click()
    tid(teacher, "assignment-title").fill(work)
    tid(teacher, "assignment-instructions").fill("물의 순환을 그림과 글로 설명하세요.")
    tid(teacher, "assignment-create").click()
    expect(tid(teacher, "assignment-row").filter(has_text=work)).to_be_visible()

    pupil = new_page()
    log_in(pupil, live_server.url, "student1")
    open_course_titled(pupil, title)
    expect(tid(pupil, "lesson-item")).to_have_count(1)
    tid(pupil, "coursework-link").click()
    tid(pupil, "assignment-row").filter(has_text=work).locator("a").click()
    tid(pupil, "submission-text").fill("바다의 물이 증발해 구름이 되고 비가 되어 내립니다.")
    tid(pupil, "submission-send").click()
    expect(tid(pupil, "submission-status")).to_have_attribute("data-status", "submitted")

    teacher.reload()
    tid(teacher, "assignment-row").filter(has_text=work).locator("a").click()
    row = teacher.locator(f'[data-testid="submission-row"][data-user-id="{student["id"]}"]')
    tid(row, "grade-points").fill("87")
    tid(row, "grade-feedback").fill("순환 과정을 정확히 설명했어요")
    tid(row, "grade-save").click()
    expect(
        teacher.locator(f'[data-testid="submission-row"][data-user-id="{student["id"]}"]')
        .locator('[data-testid="submission-status"]')
    ).to_have_attribute("data-status", "graded")

    open_course_titled(teacher, title)
    tid(teacher, "grades-link").click()
    expect(tid(teacher, "gradebook-table")).to_contain_text(work)
    expect(tid(teacher, "gradebook-table")).to_contain_text("87")
    export = tid(teacher, "gradebook-export-csv")
    response = teacher.request.get(live_server.url + export.get_attribute("href"))
    assert response.ok, response.status
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    header = rows[0]
    assert work in " ".join(header), header
    mine = next(r for r in rows[1:] if student["display_name"] in r)
    assert "87" in [cell.split(".")[0] for cell in mine], mine

    pupil.reload()
    expect(tid(pupil, "submission-status")).to_have_attribute("data-status", "graded")
    expect(tid(pupil, "submission-grade")).to_contain_text("87")
