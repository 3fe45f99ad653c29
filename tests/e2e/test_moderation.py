"""The waiting room in two browsers: the teacher turns it on, a student waits, the teacher
admits them and the student lands in the class without touching anything; then a reaction
and a private message cross between them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import log_in, open_course, participant, session_row, tid
from tests.e2e.server_process import ServerProcess
from tests.e2e.test_live_class import class_with_teacher

pytestmark = pytest.mark.e2e


def test_a_waiting_student_is_admitted_and_lands_in_class(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    teacher, teacher_user, course_id, session_id = class_with_teacher(
        live_server, new_page, "대기실 연습"
    )
    panel = tid(teacher, "moderation-panel")
    expect(panel).to_be_visible()
    tid(panel, "moderation-waiting-room").check()
    expect(tid(panel, "moderation-waiting-room")).to_be_checked()

    student_user = ApiClient(live_server.url, "student3").user
    student = new_page()
    log_in(student, live_server.url, "student3")
    open_course(student, course_id)
    tid(session_row(student, session_id), "enter-live").click()
    waiting = tid(student, "waiting-screen")
    expect(waiting).to_have_attribute("data-state", "waiting")
    expect(waiting).to_contain_text("선생님이 입장을 허락하면")
    expect(tid(student, "connection-status")).to_have_attribute("data-state", "waiting")

    person = teacher.locator(f'[data-testid="waiting-person"][data-user-id="{student_user["id"]}"]')
    expect(person).to_contain_text(student_user["display_name"])
    expect(participant(teacher, student_user)).to_have_count(0)
    expect(tid(teacher, "waiting-badge")).to_have_text("대기 1명")
    teacher.screenshot(path=results_dir / "moderation-teacher-waiting-list.png")
    student.screenshot(path=results_dir / "moderation-student-waiting.png")
    tid(person, "admit").click()

    expect(tid(student, "connection-status")).to_have_attribute("data-state", "joined")
    expect(waiting).to_be_hidden()
    expect(participant(teacher, student_user)).to_be_visible()
    expect(person).to_have_count(0)
    expect(tid(teacher, "waiting-badge")).to_be_hidden()

    # The teacher's moderation log shows both actions, newest last.
    tid(teacher, "moderation-log-toggle").click()
    entries = tid(teacher, "moderation-log-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(1)).to_have_attribute("data-action", "admit")
    expect(entries.nth(1)).to_contain_text(student_user["display_name"])

    # A reaction floats up on the teacher's screen, with the student's name.
    student.locator('[data-testid="reaction-button"][data-emoji="👏"]').click()
    bubble = teacher.locator(
        f'[data-testid="reaction-bubble"][data-user-id="{student_user["id"]}"]'
    )
    expect(bubble.first).to_contain_text("👏")

    # A private message to the teacher opens the teacher's private thread with the student.
    tid(student, "private-toggle").click()
    tid(student, "private-to").select_option(str(teacher_user["id"]))
    tid(student, "private-input").fill("선생님, 잠깐 질문 있어요")
    tid(student, "private-send").click()
    expect(tid(teacher, "private-panel")).to_have_attribute("open", "")
    expect(tid(teacher, "private-to")).to_have_value(str(student_user["id"]))
    expect(tid(teacher, "private-messages")).to_contain_text("선생님, 잠깐 질문 있어요")
    student.screenshot(path=results_dir / "moderation-student-admitted.png")
