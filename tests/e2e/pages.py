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

