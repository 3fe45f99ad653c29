"""What a person does in the client, as small steps the tests read like a lesson plan.

Everything is located by ``data-testid`` (and ``data-user-id`` / ``data-session-id``), never
by visible text, so the same steps work in Korean and in English.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.api_client import DEMO_PASSWORD

# Any positive integer: the seq the server assigned when it committed the message.
_SEQ = re.compile(r"^[1-9]\d*$")


def tid(page: Page | Locator, testid: str) -> Locator:
    return page.locator(f'[data-testid="{testid}"]')


def log_in(page: Page, base_url: str, login: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/#/login")
    tid(page, "login-username").fill(login)
    tid(page, "login-password").fill(DEMO_PASSWORD)
    tid(page, "login-submit").click()
    expect(tid(page, "course-list")).to_be_visible()


def open_course(page: Page, course_id: int) -> None:
    page.locator(f'[data-testid="course-link"][data-course-id="{course_id}"]').click()
    expect(tid(page, "course-title")).to_be_visible()


def session_row(page: Page, session_id: int) -> Locator:
    return page.locator(f'[data-testid="session-row"][data-session-id="{session_id}"]')


def start_session(page: Page, session_id: int) -> None:
    row = session_row(page, session_id)
    tid(row, "start-session").click()
    expect(session_row(page, session_id)).to_have_attribute("data-status", "live")


def enter_live(page: Page, session_id: int) -> None:
    tid(session_row(page, session_id), "enter-live").click()
    expect(tid(page, "connection-status")).to_have_attribute("data-state", "joined")


def participant(page: Page, user: dict[str, Any]) -> Locator:
    return page.locator(f'[data-testid="participant"][data-user-id="{user["id"]}"]')


def send_chat(page: Page, body: str) -> Locator:
    """Send a message and wait until the server acknowledged it (it then carries a seq)."""
    tid(page, "chat-input").fill(body)
    tid(page, "chat-send").click()
    mine = tid(page, "chat-message").filter(has_text=body)
    expect(mine).to_have_attribute("data-state", "sent")
    expect(mine).to_have_attribute("data-seq", _SEQ)
    return mine


def chat_message(page: Page, body: str) -> Locator:
    return tid(page, "chat-message").filter(has_text=body)


# -- course requests and courseware ----------------------------------------------------------


def request_course(page: Page, title: str, *, subject: str = "", schedule: str = "") -> Locator:
    """A teacher sends a course request; returns its row in "my requests" (status pending)."""
    tid(page, "nav-course-requests").click()
    tid(page, "req-title").fill(title)
    if subject:
        tid(page, "req-subject").fill(subject)
    if schedule:
        tid(page, "req-schedule").fill(schedule)
    tid(page, "req-submit").click()
    row = request_row(tid(page, "my-requests"), title)
    expect(row).to_have_attribute("data-status", "pending")
    return row


def request_row(scope: Page | Locator, title: str) -> Locator:
    return tid(scope, "request-row").filter(has_text=title)


def approve_course_request(page: Page, title: str) -> None:
    """A school admin approves a request from the queue; it moves to the decided list."""
    tid(page, "nav-course-requests").click()
    tid(request_row(tid(page, "request-queue"), title), "approve").click()
    expect(request_row(tid(page, "decided-requests"), title)).to_have_attribute(
        "data-status", "approved"
    )


def reject_course_request(page: Page, title: str, reason: str) -> None:
    tid(page, "nav-course-requests").click()
    row = request_row(tid(page, "request-queue"), title)
    tid(row, "reject-reason").fill(reason)
    tid(row, "reject").click()
    expect(request_row(tid(page, "decided-requests"), title)).to_have_attribute(
        "data-status", "rejected"
    )


def open_requested_course(page: Page, title: str) -> None:
    """From "my requests", the teacher opens the course an approval created."""
    tid(page, "nav-course-requests").click()
    page.reload()  # the teacher may be on this page since they sent the request
    row = request_row(tid(page, "my-requests"), title)
    expect(row).to_have_attribute("data-status", "approved")
    tid(row, "open-course").click()
    expect(tid(page, "course-title")).to_have_text(title)


def add_section(page: Page, title: str) -> Locator:
    tid(page, "section-title-input").fill(title)
    tid(page, "section-submit").click()
    heading = tid(page, "section-title").filter(has_text=title)
    section = tid(page, "course-section").filter(has=heading)
    expect(section).to_be_visible()
    return section


def add_lesson(
    page: Page,
    section: Locator,
    kind: str,
    title: str,
    *,
    url: str = "",
    minutes: int | None = None,
) -> Locator:
    """Add a link, video or live lesson to a section; returns its item in the outline."""
    tid(section, "lesson-add-toggle").click()
    form = tid(section, "lesson-form")
    tid(form, "lesson-kind").select_option(kind)
    tid(form, "lesson-title").fill(title)
    if url:
        tid(form, "lesson-url").fill(url)
    if minutes is not None:
        tid(form, "lesson-minutes").fill(str(minutes))
    tid(form, "lesson-submit").click()
    item = lesson_item(page, title)
    expect(item).to_have_attribute("data-kind", kind)
    return item


def lesson_item(page: Page, title: str) -> Locator:
    return tid(page, "lesson-item").filter(has=tid(page, "lesson-link").filter(has_text=title))


def enrol_by_search(page: Page, query: str, user_id: int) -> None:
    """On the course page, find someone by name or login and enrol them."""
    tid(page, "enrol-search").fill(query)
    candidate = page.locator(f'[data-testid="enrol-candidate"][data-user-id="{user_id}"]')
    tid(candidate, "enrol-pick").click()
    expect(
        page.locator(f'[data-testid="enrolment-list"] li[data-user-id="{user_id}"]')
    ).to_be_visible()


def open_course_titled(page: Page, title: str) -> None:
    tid(page, "nav-courses").click()
    page.locator('[data-testid="course-link"]').filter(has_text=title).click()
    expect(tid(page, "course-title")).to_have_text(title)


def open_lesson(page: Page, title: str) -> None:
    tid(lesson_item(page, title), "lesson-link").click()
    expect(tid(page, "lesson-title")).to_have_text(title)


def play_video_to_the_end(page: Page) -> dict[str, Any]:
    """Play the lesson's video (muted, as a browser allows without a click) and return the
    progress the server stored when it ended."""
    with page.expect_response(
        lambda r: r.url.endswith("/progress") and r.request.method == "PUT" and r.ok,
        timeout=20000,
    ) as saved:
        tid(page, "lesson-video").evaluate("video => { video.muted = true; return video.play(); }")
        expect(tid(page, "lesson-video")).to_have_js_property("ended", True, timeout=15000)
    return saved.value.json()


# -- administration --------------------------------------------------------------------------


def import_accounts(page: Page, csv_text: str) -> None:
    """On the people page, upload a CSV of accounts and press "create"."""
    tid(page, "nav-admin-users").click()
    tid(page, "import-file").set_input_files(
        {"name": "accounts.csv", "mimeType": "text/csv", "buffer": csv_text.encode("utf-8-sig")}
    )
    tid(page, "import-run").click()


def find_user_row(page: Page, query: str, login: str) -> Locator:
    tid(page, "user-search").fill(query)
    tid(page, "user-filter").locator('button[type="submit"]').click()
    row = page.locator(f'[data-testid="user-row"][data-login="{login}"]')
    expect(row).to_be_visible()
    return row


def edit_lesson(page: Page, title: str, *, new_title: str, url: str | None = None) -> Locator:
    """A teacher corrects a lesson's title (and address) in place."""
    tid(lesson_item(page, title), "lesson-edit").click()
    form = tid(page, "lesson-edit-form")
    tid(form, "edit-title").fill(new_title)
    if url is not None:
        tid(form, "edit-url").fill(url)
    tid(form, "edit-save").click()
    item = lesson_item(page, new_title)
    expect(item).to_be_visible()
    return item
