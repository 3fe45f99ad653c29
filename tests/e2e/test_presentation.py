"""Presenting in the live class, in two browsers: the teacher uploads a two-page PDF from the
page, presents it and turns to page 2; the student's viewer follows to page 2, pages back on
their own and returns, and after a reload lands on page 2 again. The teacher draws on the
class board; the student sees it. A shared video plays in step on the students' screens, and a
late joiner starts where the class is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import enter_live, log_in, open_course, tid
from tests.e2e.server_process import ServerProcess
from tests.sample_files import pdf_bytes, webm_bytes

pytestmark = pytest.mark.e2e


def join(
    live_server: ServerProcess, new_page: Any, login: str, course_id: int, session_id: int
) -> Page:
    page = new_page()
    log_in(page, live_server.url, login)
    open_course(page, course_id)
    enter_live(page, session_id)
    return page


def test_the_class_follows_the_teachers_page_and_board(
    live_server: ServerProcess, new_page: Any
) -> None:
    teacher_api = ApiClient(live_server.url, "teacher")
    course = teacher_api.teaching_course()
    session = teacher_api.schedule_session(course["id"], "자료 수업")
    teacher_api.call("POST", f"/api/sessions/{session['id']}/start")

    teacher = join(live_server, new_page, "teacher", course["id"], session["id"])
    student = join(live_server, new_page, "student1", course["id"], session["id"])
    expect(tid(student, "presentation-viewer")).to_be_hidden()

    # Upload from the page: the file input takes a PDF made here, named in Korean.
    tid(teacher, "doc-upload-input").set_input_files(
        {"name": "광합성 2쪽.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(2)}
    )
    picker = tid(teacher, "doc-picker")
    expect(picker.locator("option")).to_contain_text(["광합성 2쪽"])
    tid(teacher, "doc-open").click()
    expect(tid(teacher, "presentation-page")).to_have_attribute("data-page", "1")
    expect(tid(student, "presentation-page")).to_have_attribute("data-page", "1")

    tid(teacher, "doc-next").click()
    expect(tid(teacher, "presentation-page")).to_have_attribute("data-page", "2")
    expect(tid(student, "presentation-page")).to_have_attribute("data-page", "2")
    image = tid(student, "presentation-image")
    expect(image).to_have_attribute("src", re.compile(r"/pages/2\?width=\d+$"))
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0  # the server rendered the page
    expect(tid(student, "doc-open")).to_be_hidden()  # students follow, they don't lead

    # A student pages back on their own, then returns to the teacher's page.
    tid(student, "doc-prev").click()
    expect(tid(student, "presentation-page")).to_have_attribute("data-page", "1")
    expect(tid(teacher, "presentation-page")).to_have_attribute("data-page", "2")
    tid(student, "doc-follow").click()
    expect(tid(student, "presentation-page")).to_have_attribute("data-page", "2")
    expect(tid(student, "doc-follow")).to_be_hidden()

    # A reload lands on the page the class is on.
    student.reload()
    expect(tid(student, "connection-status")).to_have_attribute("data-state", "joined")
    expect(tid(student, "presentation-page")).to_have_attribute("data-page", "2")

    # The teacher draws a line on the class board; the student's board shows one stroke.
    class_board = tid(teacher, "whiteboard-panel")
    tid(class_board, "wb-tool-line").click()
    board = tid(class_board, "whiteboard-canvas")
    board.scroll_into_view_if_needed()
    box = board.bounding_box()
    assert box is not None
    teacher.mouse.move(box["x"] + 40, box["y"] + 40)
    teacher.mouse.down()
    teacher.mouse.move(box["x"] + 200, box["y"] + 120, steps=5)
    teacher.mouse.up()
    expect(board).to_have_attribute("data-strokes", "1")
    expect(tid(student, "whiteboard-canvas")).to_have_attribute("data-strokes", "1")
    # View only until the teacher allows students to draw; the board can be kept as a picture.
    expect(tid(tid(student, "whiteboard-panel"), "wb-undo")).to_be_hidden()
    with student.expect_download() as download:
        tid(student, "wb-save").click()
    assert download.value.suggested_filename.endswith(".png")


def player_time(page: Page) -> float:
    return page.locator('[data-testid="media-player"]').evaluate("el => el.currentTime")


def test_a_shared_video_plays_in_step_and_a_late_joiner_starts_where_the_class_is(
    live_server: ServerProcess, new_page: Any
) -> None:
    teacher_api = ApiClient(live_server.url, "teacher")
    course = teacher_api.teaching_course()
    session = teacher_api.schedule_session(course["id"], "함께 보기 수업")
    teacher_api.call("POST", f"/api/sessions/{session['id']}/start")
    teacher = join(live_server, new_page, "teacher", course["id"], session["id"])
    student = join(live_server, new_page, "student1", course["id"], session["id"])

    tid(teacher, "media-upload-input").set_input_files(
        {"name": "실험 영상.webm", "mimeType": "video/webm", "buffer": webm_bytes(20)}
    )
    expect(tid(teacher, "media-picker").locator("option")).to_contain_text(["실험 영상.webm"])
    tid(teacher, "media-load").click()
    expect(tid(student, "media-name")).to_have_text("실험 영상.webm")
    video = teacher.locator('[data-testid="media-player"]')
    expect(video).to_have_js_property("readyState", 4)
    video.evaluate("el => { el.currentTime = 3; }")
    video.evaluate("el => el.play()")
    expect(tid(student, "shared-media-panel")).to_have_attribute("data-playing", "true")
    if tid(student, "media-tap").is_visible():  # the browser wanted a click before playing
        tid(student, "media-tap").click()
    student.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=media-player]');"
        " return v && !v.paused && v.currentTime > 3; }"
    )
    assert abs(player_time(student) - player_time(teacher)) < 1.0

    late = join(live_server, new_page, "student2", course["id"], session["id"])
    late.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=media-player]');"
        " return v && v.readyState >= 2 && v.currentTime > 3; }"
    )
    assert abs(player_time(late) - player_time(teacher)) < 1.5
