"""A dropped connection, as on a hospital ward's Wi-Fi: the student goes offline mid-class,
writes a message anyway, and comes back. The message waits as "sending", goes out once after
the re-join (same client id), and nothing the student already saw is shown twice."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import chat_message, enter_live, log_in, open_course, send_chat, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_message_written_offline_is_sent_once_after_reconnect(
    live_server: ServerProcess, new_page: Any
) -> None:
    teacher = ApiClient(live_server.url, "teacher")
    course = teacher.teaching_course()
    session = teacher.schedule_session(course["id"], "재연결 연습")
    teacher.call("POST", f"/api/sessions/{session['id']}/start")

    page = new_page()
    log_in(page, live_server.url, "student3")
    open_course(page, course["id"])
    enter_live(page, session["id"])
    send_chat(page, "연결 전 메시지")

    status = tid(page, "connection-status")
    page.context.set_offline(True)
    expect(status).to_have_attribute("data-state", "reconnecting")
    tid(page, "chat-input").fill("끊긴 동안 쓴 메시지")
    tid(page, "chat-send").click()
    expect(chat_message(page, "끊긴 동안 쓴 메시지")).to_have_attribute("data-state", "pending")

    page.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "joined")
    expect(chat_message(page, "끊긴 동안 쓴 메시지")).to_have_attribute("data-state", "sent")
    expect(chat_message(page, "끊긴 동안 쓴 메시지")).to_have_count(1)
    expect(chat_message(page, "연결 전 메시지")).to_have_count(1)

    # The server stored it exactly once.
    history = teacher.call("GET", f"/api/sessions/{session['id']}/chat")["items"]
    bodies = [event["payload"]["body"] for event in history if event["kind"] == "chat"]
    assert bodies.count("끊긴 동안 쓴 메시지") == 1
