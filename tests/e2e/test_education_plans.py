"""An education plan in three browsers: the student's instructor writes it with a health note,
the home-school teacher reads it without the health note, an instructor of another class is
refused, and the programme admin sees the home-school teacher's read and the refused attempt
in the access log."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import DEMO_PASSWORD
from tests.e2e.pages import tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e

HEALTH = "면역 저하: 발열 시 수업을 멈추고 보호자에게 연락"


def log_in_staff(page: Any, base_url: str, login: str) -> None:
    """Programme staff land on their courses like everyone; the top bar has the plans link."""
    page.goto(f"{base_url}/")
    tid(page, "login-username").fill(login)
    tid(page, "login-password").fill(DEMO_PASSWORD)
    tid(page, "login-submit").click()
    expect(tid(page, "nav-courses")).to_be_visible()


def test_plan_written_read_refused_and_logged(live_server: ServerProcess, new_page: Any) -> None:
    instructor = new_page()
    log_in_staff(instructor, live_server.url, "instructor1")
    tid(instructor, "nav-education-plans").click()
    expect(tid(instructor, "iep-new")).to_be_visible()
    existing = tid(instructor, "iep-row").filter(has_text="이도윤")
    if existing.count():  # a node that already ran this test (NEWSSEM_E2E_BASE_URL)
        existing.first.locator("a").click()
    else:
        stay = tid(instructor, "iep-stay")
        stay.select_option(stay.locator("option", has_text="이도윤").get_attribute("value"))
        tid(instructor, "iep-create").click()
    expect(tid(instructor, "iep-heading")).to_contain_text("이도윤")
    plan_url = instructor.url
    tid(instructor, "goal-add").click()
    tid(instructor, "goal-area").last.fill("국어")
    tid(instructor, "goal-text").last.fill("짧은 글을 읽고 중심 문장을 찾는다")
    tid(instructor, "acc-camera_off_allowed").check()
    tid(instructor, "iep-save").click()
    expect(instructor.locator(".notice--ok")).to_be_visible()
    tid(instructor, "health-body").fill(HEALTH)
    tid(instructor, "health-add").click()
    expect(tid(instructor, "health-note").first).to_contain_text(HEALTH)

    home = new_page()
    log_in_staff(home, live_server.url, "hometeacher")
    home.goto(plan_url)
    expect(tid(home, "iep-read")).to_contain_text("짧은 글을 읽고 중심 문장을 찾는다")
    expect(tid(home, "accommodation-list")).to_be_visible()
    expect(tid(home, "health-section")).to_have_count(0)
    expect(home.locator("body")).not_to_contain_text(HEALTH)

    other = new_page()
    log_in_staff(other, live_server.url, "instructor2")
    other.goto(plan_url)
    expect(other.locator(".notice--error")).to_be_visible()
    expect(tid(other, "iep-heading")).to_have_count(0)

    admin = new_page()
    log_in_staff(admin, live_server.url, "hadmin")
    admin.goto(plan_url)
    expect(tid(admin, "health-note").first).to_contain_text(HEALTH)
    home_reads = tid(admin, "iep-log-row").filter(has_text="서담임")
    expect(home_reads.first).to_be_visible()
    # The other instructor's attempt is there, marked refused; none of their rows is a read.
    refused = tid(admin, "iep-log-row").filter(has_text="윤강사")
    expect(refused.first).to_be_visible()
    expect(refused.first.locator('[data-testid="iep-log-refused"]')).to_have_text("거부됨")
    expect(refused.filter(has_not=admin.locator('[data-testid="iep-log-refused"]'))).to_have_count(
        0
    )
