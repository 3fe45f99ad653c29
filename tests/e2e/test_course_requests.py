"""A course from request to lesson: a teacher requests it, the school admin approves, the
teacher adds a section with a link lesson and enrols a student found by name, and the student
sees and opens the lesson."""

from __future__ import annotations

import io
import json
import urllib.request
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import (
    add_lesson,
    add_section,
    approve_course_request,
    edit_lesson,
    enrol_by_search,
    lesson_item,
    log_in,
    open_course,
    open_course_titled,
    open_lesson,
    open_requested_course,
    play_video_to_the_end,
    request_course,
    tid,
)
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_requested_course_is_approved_and_its_lesson_reaches_a_student(
    live_server: ServerProcess, new_page: Any
) -> None:
    title = f"6학년 코딩 {uuid.uuid4().hex[:6]}"
    student = ApiClient(live_server.url, "student1").user

    teacher = new_page()
    log_in(teacher, live_server.url, "teacher")
    request_course(teacher, title, subject="정보", schedule="화·목 5교시")

    admin = new_page()
    log_in(admin, live_server.url, "schooladmin")
    approve_course_request(admin, title)

    open_requested_course(teacher, title)
    section = add_section(teacher, "1단원 알고리즘")
    add_lesson(teacher, section, "link", "순서도", url="https://example.org/draft")
    edit_lesson(teacher, "순서도", new_title="순서도 그리기", url="https://example.org/flowchart")
    add_lesson(
        teacher, section, "video", "반복문 영상", url="https://example.org/loop.mp4", minutes=5
    )
    enrol_by_search(teacher, "박하", student["id"])  # 박하늘, found by part of the name

    pupil = new_page()
    log_in(pupil, live_server.url, "student1")
    open_course_titled(pupil, title)
    expect(tid(pupil, "lesson-item")).to_have_count(2)
    expect(tid(pupil, "section-form")).to_have_count(0)  # students do not edit
    open_lesson(pupil, "순서도 그리기")
    expect(tid(pupil, "lesson-open")).to_have_attribute("href", "https://example.org/flowchart")
    # Opening the link (a new tab) completes the lesson for the student.
    pupil.context.route("https://example.org/**", lambda route: route.fulfill(body="ok"))
    with (
        pupil.expect_response(lambda r: r.url.endswith("/view") and r.status == 200),
        pupil.context.expect_page() as tab,
    ):
        tid(pupil, "lesson-open").click()
    tab.value.close()
    expect(tid(pupil, "lesson-progress").locator("time")).to_have_count(1)
    open_course_titled(pupil, title)
    expect(tid(lesson_item(pupil, "순서도 그리기"), "lesson-done")).to_be_visible()


def webm_clip(seconds: int = 4) -> bytes:
    """A tiny VP8 clip Chromium plays without a GPU."""
    import av
    import numpy as np

    out = io.BytesIO()
    container = av.open(out, "w", format="webm")
    stream = container.add_stream("libvpx", rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for i in range(seconds * 10):
        frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 5, np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return out.getvalue()


def test_a_student_watches_an_uploaded_video_lesson_to_completion(
    live_server: ServerProcess, new_page: Any
) -> None:
    teacher = ApiClient(live_server.url, "teacher")
    course = teacher.teaching_course()
    upload = urllib.request.Request(
        f"{live_server.url}/api/courses/{course['id']}/files",
        data=webm_clip(),
        method="POST",
        headers={"Authorization": f"Bearer {teacher.token}", "X-File-Name": "clip.webm"},
    )
    with urllib.request.urlopen(upload, timeout=10) as response:
        file_id = json.loads(response.read())["id"]
    section = teacher.call(
        "POST", f"/api/courses/{course['id']}/sections", {"title": f"영상 {uuid.uuid4().hex[:6]}"}
    )
    title = f"씨앗의 싹 틔우기 {uuid.uuid4().hex[:6]}"
    teacher.call(
        "POST",
        f"/api/courses/{course['id']}/lessons",
        {
            "client_id": uuid.uuid4().hex,
            "section_id": section["id"],
            "kind": "video",
            "title": title,
            "file_id": file_id,
        },
    )

    pupil = new_page()
    log_in(pupil, live_server.url, "student1")
    open_course(pupil, course["id"])
    open_lesson(pupil, title)
    progress = play_video_to_the_end(pupil)
    assert progress["completed_at"] is not None
    assert progress["watched_seconds"] >= 0.9 * progress["duration_seconds"]
    expect(tid(pupil, "lesson-progress").locator("time")).to_have_count(1)
    pupil.go_back()
    expect(tid(lesson_item(pupil, title), "lesson-done")).to_be_visible()
