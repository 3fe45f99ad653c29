"""A whole live class in two browsers: a teacher and a student, as on the first day of use.

Each test schedules its own session over the API (setup), then does everything a person does
through the client: log in, open the course, start the class, join, chat, raise and lower a
hand, switch language, remove a student, end the class.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from server.auth import COOKIE_NAME
from tests.e2e.api_client import ApiClient
from tests.e2e.pages import (
    chat_message,
    enter_live,
    log_in,
    open_course,
    participant,
    send_chat,
    start_session,
    tid,
)
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def class_with_teacher(
    live_server: ServerProcess, new_page: Any, title: str
) -> tuple[Any, dict[str, Any], int, int]:
    """The teacher logs in, opens the course, starts a fresh session and enters it."""
    teacher_api = ApiClient(live_server.url, "teacher")
    course = teacher_api.teaching_course()
    session = teacher_api.schedule_session(course["id"], title)
    page = new_page()
    log_in(page, live_server.url, "teacher")
    open_course(page, course["id"])
    start_session(page, session["id"])
    enter_live(page, session["id"])
    return page, teacher_api.user, course["id"], session["id"]


def student_joins(
    live_server: ServerProcess, new_page: Any, login: str, course_id: int, session_id: int
) -> tuple[Any, dict[str, Any]]:
    user = ApiClient(live_server.url, login).user
    page = new_page()
    log_in(page, live_server.url, login)
    open_course(page, course_id)
    enter_live(page, session_id)
    return page, user


def test_teacher_and_student_share_a_live_class(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    teacher, teacher_user, course_id, session_id = class_with_teacher(
        live_server, new_page, "과학 실험 시간"
    )
    student, student_user = student_joins(live_server, new_page, "student1", course_id, session_id)

    # Presence: each sees the other, and the teacher is listed first.
    expect(participant(teacher, student_user)).to_be_visible()
    expect(participant(student, teacher_user)).to_be_visible()
    expect(tid(student, "participant").first).to_have_attribute(
        "data-user-id", str(teacher_user["id"])
    )

    # Chat both ways; a sent message carries the seq the server gave it on commit.
    send_chat(student, "선생님, 질문 있어요!")
    expect(chat_message(teacher, "선생님, 질문 있어요!")).to_be_visible()
    send_chat(teacher, "네, 말해 보세요.")
    expect(chat_message(student, "네, 말해 보세요.")).to_be_visible()
    expect(chat_message(student, "선생님, 질문 있어요!")).to_have_count(1)

    # The student raises a hand; the teacher sees it and lowers it.
    hand = tid(student, "hand-button")
    hand.click()
    expect(hand).to_have_attribute("aria-pressed", "true")
    raised = participant(teacher, student_user)
    expect(raised).to_have_attribute("data-hand", "true")
    expect(tid(raised, "hand-indicator")).to_be_visible()
    teacher.screenshot(path=results_dir / "live-teacher-hand-raised.png")
    tid(raised, "lower-hand").click()
    expect(raised).to_have_attribute("data-hand", "false")
    expect(hand).to_have_attribute("aria-pressed", "false")

    # Korean first; the switch turns the interface English and the choice survives a reload.
    expect(tid(teacher, "chat-send")).to_have_text("보내기")
    tid(teacher, "lang-switch").click()
    expect(teacher.locator("html")).to_have_attribute("lang", "en")
    expect(tid(teacher, "chat-send")).to_have_text("Send")
    expect(teacher.locator("#participants-title")).to_have_text("Participants (2)")
    expect(tid(teacher, "connection-status")).to_have_text("Connected")
    teacher.reload()
    expect(tid(teacher, "connection-status")).to_have_attribute("data-state", "joined")
    expect(tid(teacher, "chat-send")).to_have_text("Send")
    # After the reload the history is replayed from the server, once.
    expect(chat_message(teacher, "선생님, 질문 있어요!")).to_have_count(1)
    teacher.screenshot(path=results_dir / "live-teacher-en.png")
    student.screenshot(path=results_dir / "live-student-ko.png")

    # The teacher ends the class from the live page; the student is told.
    tid(teacher, "end-session").click()
    expect(tid(student, "live-banner")).to_have_attribute("data-state", "ended")
    expect(tid(student, "chat-input")).to_be_disabled()

    # Afterwards the teacher corrects an attendance status; the reason stays in the history.
    teacher.goto(f"{live_server.url}/#/sessions/{session_id}/attendance")
    record = teacher.locator(
        f'[data-testid="attendance-table"] tr[data-user-id="{student_user["id"]}"]'
    )
    record.locator("summary").click()
    tid(record, "correction-status").select_option("excused")
    tid(record, "correction-reason").fill("병원 진료 확인서 제출")
    tid(record, "correction-submit").click()
    expect(tid(record, "attendance-status")).to_have_attribute("data-status", "excused")
    expect(tid(record, "correction-history")).to_contain_text("병원 진료 확인서 제출")


def test_teacher_removes_a_student(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    teacher, _, course_id, session_id = class_with_teacher(live_server, new_page, "내보내기 연습")
    student, student_user = student_joins(live_server, new_page, "student2", course_id, session_id)

    row = participant(teacher, student_user)
    expect(row).to_be_visible()
    tid(row, "remove-participant").click()
    tid(row, "confirm-remove").click()

    banner = tid(student, "live-banner")
    expect(banner).to_have_attribute("data-state", "removed")
    expect(banner).to_contain_text(re.compile("내보냈습니다"))
    expect(participant(teacher, student_user)).to_have_count(0)
    student.screenshot(path=results_dir / "live-student-removed.png")

    # A removed student cannot come back into this session without the teacher's approval.
    student.reload()
    expect(tid(student, "connection-status")).to_have_attribute("data-state", "waiting")
    expect(tid(student, "waiting-screen")).to_contain_text("내보내졌습니다")
    waiting = teacher.locator(
        f'[data-testid="waiting-person"][data-user-id="{student_user["id"]}"]'
    )
    expect(tid(waiting, "removed-earlier")).to_be_visible()


def test_a_student_logged_out_elsewhere_is_told_and_stays_out(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    teacher, _, course_id, session_id = class_with_teacher(live_server, new_page, "로그아웃 연습")
    student, student_user = student_joins(live_server, new_page, "student3", course_id, session_id)
    expect(participant(teacher, student_user)).to_be_visible()

    # The browser's own login is revoked from outside (as a logout on another tab would).
    [cookie] = [c for c in student.context.cookies() if c["name"] == COOKIE_NAME]
    request = urllib.request.Request(
        f"{live_server.url}/api/auth/logout",
        headers={"Authorization": f"Bearer {cookie['value']}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200

    banner = tid(student, "live-banner")
    expect(banner).to_have_attribute("data-state", "revoked")
    expect(banner).to_contain_text(re.compile("로그아웃되어"))
    expect(participant(teacher, student_user)).to_have_count(0)
    student.screenshot(path=results_dir / "live-student-logged-out.png")
    # No reconnect loop: after the client's retry delay it is still out, and still says why.
    student.wait_for_timeout(3500)
    expect(tid(student, "connection-status")).to_have_attribute("data-state", "revoked")
    expect(banner).to_be_visible()
