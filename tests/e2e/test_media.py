"""Live video and audio in three browsers through the real server and its SFU.

A teacher and two students, each in their own browser context with Chromium's fake camera and
microphone, join one live class. Everyone must see the others' video (frames decoded, and still
rising two seconds later) and receive their audio (RTP packets arriving); the teacher mutes a
student's microphone and the others see that producer paused; a student leaves and the others
see that student's tiles go.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import enter_live, log_in, open_course, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e

MEDIA_TIMEOUT_S = 25.0


def tile(page: Page, user: dict[str, Any], source: str) -> Locator:
    return page.locator(
        f'[data-testid="tile"][data-user-id="{user["id"]}"][data-source="{source}"]'
    )


def media_stats(page: Page) -> dict[tuple[int, str], dict[str, Any]]:
    rows = page.evaluate("() => window.newssemMedia.stats()")
    return {(row["userId"], row["source"]): row for row in rows}


def wait_for_media(page: Page, others: list[dict[str, Any]]) -> dict[tuple[int, str], Any]:
    """Until every other person's video decodes and their audio arrives on this page."""
    deadline = time.monotonic() + MEDIA_TIMEOUT_S
    while True:
        stats = media_stats(page)
        ready = all(
            stats.get((user["id"], "camera"), {}).get("framesDecoded", 0) > 0
            and stats.get((user["id"], "microphone"), {}).get("packetsReceived", 0) > 0
            for user in others
        )
        if ready:
            return stats
        if time.monotonic() > deadline:
            raise AssertionError(f"media did not arrive: {stats}")
        page.wait_for_timeout(250)


def join(live_server: ServerProcess, new_page: Any, login: str, course_id: int,
         session_id: int) -> Page:
    page = new_page()
    log_in(page, live_server.url, login)
    open_course(page, course_id)
    enter_live(page, session_id)
    return page


def test_three_browsers_see_and_hear_each_other(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    teacher_api = ApiClient(live_server.url, "teacher")
    course = teacher_api.teaching_course()
    session = teacher_api.schedule_session(course["id"], "영상 수업")
    teacher_api.call("POST", f"/api/sessions/{session['id']}/start")
    users = {login: ApiClient(live_server.url, login).user for login in ("student1", "student2")}
    users["teacher"] = teacher_api.user
    pages = {
        login: join(live_server, new_page, login, course["id"], session["id"])
        for login in ("teacher", "student1", "student2")
    }

    # Everyone sees and hears everyone else; video keeps decoding.
    for login, page in pages.items():
        others = [user for other, user in users.items() if other != login]
        before = wait_for_media(page, others)
        page.wait_for_timeout(2000)
        after = media_stats(page)
        for user in others:
            key = (user["id"], "camera")
            assert after[key]["framesDecoded"] > before[key]["framesDecoded"], (login, after)
            expect(tile(page, user, "camera")).to_be_visible()
        expect(tid(page, "connection-quality")).not_to_have_attribute("data-quality", "unknown")

    teacher = pages["teacher"]
    teacher.screenshot(path=str(results_dir / "media-teacher.png"))

    # The teacher mutes student1's microphone from student1's tile.
    student1 = users["student1"]
    teacher.locator(f'[data-testid="stage-tile"][data-user-id="{student1["id"]}"]').hover()
    teacher.locator(f'[data-testid="mute-mic"][data-user-id="{student1["id"]}"]').click()
    for login in ("teacher", "student2"):
        expect(tile(pages[login], student1, "microphone")).to_have_attribute("data-paused", "true")
    expect(tid(pages["student1"], "mic-toggle")).to_have_attribute("data-held", "true")
    pages["student2"].screenshot(path=str(results_dir / "media-student-sees-mute.png"))

    # student2 leaves: their tiles go from the others' stages.
    tid(pages["student2"], "leave-live").click()
    for login in ("teacher", "student1"):
        expect(tile(pages[login], users["student2"], "camera")).to_have_count(0)
        expect(tile(pages[login], users["student2"], "microphone")).to_have_count(0)
