"""The help desk in two browsers: a student asks, the school admin answers, the student reads
the answer and closes the question."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import log_in, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_a_question_is_answered_through_the_help_desk(
    live_server: ServerProcess, new_page: Any
) -> None:
    subject = f"비밀번호 변경 {uuid.uuid4().hex[:6]}"
    student = new_page()
    log_in(student, live_server.url, "student1")
    tid(student, "nav-helpdesk").click()
    tid(student, "ticket-subject").fill(subject)
    tid(student, "ticket-body").fill("비밀번호를 바꾸고 싶어요.")
    tid(student, "ticket-send").click()
    mine = tid(student, "ticket-row").filter(has_text=subject)
    expect(mine).to_have_attribute("data-status", "open")

    staff = new_page()
    log_in(staff, live_server.url, "schooladmin")
    tid(staff, "nav-helpdesk").click()
    tid(staff, "ticket-row").filter(has_text=subject).locator("a").click()
    tid(staff, "reply-body").fill("담임 선생님이 초기화해 드립니다.")
    tid(staff, "reply-internal").check()
    tid(staff, "reply-send").click()
    expect(tid(staff, "ticket-thread").locator("li")).to_have_count(2)
    tid(staff, "reply-body").fill("로그인 화면의 안내를 따라 주세요.")
    tid(staff, "reply-send").click()
    expect(tid(staff, "ticket-status")).to_have_attribute("data-i18n", "helpdesk.status.answered")

    student.reload()
    expect(mine).to_have_attribute("data-status", "answered")
    mine.locator("a").click()
    thread = tid(student, "ticket-thread").locator("li")
    expect(thread).to_have_count(2)  # the internal note never reaches the student
    expect(thread.nth(1)).to_contain_text("로그인 화면의 안내를 따라 주세요.")
    tid(student, "ticket-toggle").click()
    expect(tid(student, "ticket-status")).to_have_attribute("data-i18n", "helpdesk.status.closed")
