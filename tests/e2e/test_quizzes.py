"""A quiz in a live class, in three browsers: the teacher launches a bank question, two
students answer, the teacher's live count reaches 2; one student reloads the page mid-question
and finds the answer still there, the other changes the answer while offline and it is sent
once the connection is back."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import enter_live, log_in, open_course, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def join(
    live_server: ServerProcess, new_page: Any, login: str, course_id: int, session_id: int
) -> Page:
    page = new_page()
    log_in(page, live_server.url, login)
    open_course(page, course_id)
    enter_live(page, session_id)
    return page


def answer(page: Page, option: int) -> None:
    card = tid(page, "quiz-question")
    card.locator(f'[data-testid="quiz-option"][data-option="{option}"]').check()
    tid(card, "quiz-submit").click()


def test_teacher_sees_answers_arrive_and_a_reconnecting_student_keeps_theirs(
    live_server: ServerProcess, new_page: Any
) -> None:
    teacher_api = ApiClient(live_server.url, "teacher")
    course = teacher_api.teaching_course()
    question = teacher_api.call(
        "POST",
        f"/api/courses/{course['id']}/questions",
        {
            "kind": "single_choice",
            "prompt": "식물이 양분을 만드는 과정은?",
            "options": ["광합성", "호흡", "발아"],
            "correct": [0],
            "points": 1,
        },
    )
    session = teacher_api.schedule_session(course["id"], "퀴즈 수업")
    teacher_api.call("POST", f"/api/sessions/{session['id']}/start")

    teacher = join(live_server, new_page, "teacher", course["id"], session["id"])
    one = join(live_server, new_page, "student1", course["id"], session["id"])
    two = join(live_server, new_page, "student2", course["id"], session["id"])

    teacher.locator(f'[data-testid="quiz-bank-item"][data-question-id="{question["id"]}"]').check()
    tid(teacher, "quiz-launch-bank").click()
    expect(tid(teacher, "quiz-run")).to_have_attribute("data-status", "open")
    expect(tid(teacher, "quiz-respondents")).to_have_attribute("data-count", "0")

    answer(one, 0)
    expect(tid(one, "quiz-answer-state")).to_have_attribute("data-state", "sent")
    answer(two, 1)
    expect(tid(two, "quiz-answer-state")).to_have_attribute("data-state", "sent")
    expect(tid(teacher, "quiz-respondents")).to_have_attribute("data-count", "2")
    expect(tid(teacher, "quiz-bar").nth(0)).to_have_attribute("data-count", "1")

    # A reload mid-question: the join ack brings back the run and the stored answer.
    one.reload()
    expect(tid(one, "connection-status")).to_have_attribute("data-state", "joined")
    expect(tid(one, "quiz-answer-state")).to_have_attribute("data-state", "sent")
    expect(one.locator('[data-testid="quiz-option"][data-option="0"]')).to_be_checked()

    # Offline: the changed answer waits as pending and goes out once after the re-join.
    two.context.set_offline(True)
    expect(tid(two, "connection-status")).to_have_attribute("data-state", "reconnecting")
    answer(two, 0)
    expect(tid(two, "quiz-answer-state")).to_have_attribute("data-state", "pending")
    two.context.set_offline(False)
    expect(tid(two, "connection-status")).to_have_attribute("data-state", "joined")
    expect(tid(two, "quiz-answer-state")).to_have_attribute("data-state", "sent")
    expect(tid(teacher, "quiz-bar").nth(0)).to_have_attribute("data-count", "2")
    expect(tid(teacher, "quiz-respondents")).to_have_attribute("data-count", "2")

    tid(teacher, "quiz-close").click()
    expect(tid(one, "quiz-waiting-results")).to_be_visible()
    tid(teacher, "quiz-reveal").click()
    expect(tid(one, "quiz-verdict")).to_have_attribute("data-correct", "true")
    expect(tid(two, "quiz-score")).to_be_visible()

    # Then an anonymous quick poll: the teacher sees who answered, the counts only once closed.
    tid(teacher, "quiz-poll-prompt").fill("오늘 수업 이해했나요?")
    tid(teacher, "quiz-anonymous").check()
    tid(teacher, "quiz-poll-yes_no").click()
    expect(tid(one, "quiz-run-title")).to_have_text("오늘 수업 이해했나요?")
    answer(one, 0)
    expect(tid(one, "quiz-answer-state")).to_have_attribute("data-state", "sent")
    expect(tid(teacher, "quiz-respondents")).to_have_attribute("data-count", "1")
    expect(tid(teacher, "quiz-counts-hidden")).to_be_visible()
    expect(tid(teacher, "quiz-bar")).to_have_count(0)
    tid(teacher, "quiz-close").click()
    expect(tid(teacher, "quiz-bar").nth(0)).to_have_attribute("data-count", "1")

    runs = teacher_api.call("GET", f"/api/sessions/{session['id']}/quiz-runs")["items"]
    grades = {g["display_name"]: g["points"] for g in runs[0]["grades"]}
    assert sorted(grades.values()) == [0, 1, 1]

    # After class: the session's results page, the teacher's with points, a student's own.
    teacher.goto(f"{live_server.url}/#/sessions/{session['id']}/quizzes")
    expect(tid(teacher, "quiz-result")).to_have_count(2)
    expect(tid(teacher, "quiz-grades").locator("tbody tr")).to_have_count(3)
    one.goto(f"{live_server.url}/#/sessions/{session['id']}/quizzes")
    expect(tid(one, "quiz-my-answer")).to_have_count(1)


def test_teacher_prepares_the_question_bank(live_server: ServerProcess, new_page: Any) -> None:
    course = ApiClient(live_server.url, "teacher").teaching_course()
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server.url, "teacher")
    open_course(page, course["id"])
    tid(page, "question-bank-link").click()
    expect(tid(page, "bank-title")).to_be_visible()

    # A prompt of its own: the browser tests share one server and its demo course.
    prompt = f"물이 끓는 온도는? [{uuid.uuid4().hex[:6]}]"
    tid(page, "bank-prompt").fill(prompt)
    options = tid(page, "bank-option")
    options.nth(0).fill("100도")
    options.nth(1).fill("50도")
    tid(page, "bank-option-correct").nth(0).check()
    tid(page, "bank-points").fill("2")
    tid(page, "bank-save").click()
    item = tid(page, "bank-item").filter(has_text=prompt)
    expect(item).to_have_count(1)

    tid(item, "bank-edit").click()
    tid(page, "bank-prompt").fill(f"{prompt} (1기압)")
    tid(page, "bank-save").click()
    edited = tid(page, "bank-item").filter(has_text=f"{prompt} (1기압)")
    expect(edited).to_have_count(1)
    question_id = edited.get_attribute("data-question-id")
    stored = ApiClient(live_server.url, "teacher").call("GET", f"/api/questions/{question_id}")
    assert stored["options"] == ["100도", "50도"] and stored["correct"] == [0]
    assert stored["points"] == 2

    tid(edited, "bank-delete").click()
    expect(tid(page, "bank-item").filter(has_text=f"{prompt} (1기압)")).to_have_count(0)
