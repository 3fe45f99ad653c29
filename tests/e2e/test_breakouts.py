"""Breakout groups in three browsers: split and recall with media flowing inside a group.

The teacher drags both students into group 1 and starts; each student then sees the group
panel and the other student's video decoding through the group's router (and not the
teacher's, who stayed in the main room); they chat in the group; the teacher sends a message
to every group and brings everyone back, and the students see the teacher's video again.
Student 1 draws on the group's board and student 2 sees the stroke. A second, 30-second
round shows the end-of-round warning and returns everyone by its timer.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import enter_live, log_in, open_course, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e

MEDIA_TIMEOUT_S = 25.0


def camera_frames(page: Page) -> dict[int, int]:
    rows = page.evaluate("() => window.newssemMedia.stats()")
    return {row["userId"]: row["framesDecoded"] for row in rows if row["source"] == "camera"}


def wait_for_video(page: Page, user_id: int, above: int = 0) -> int:
    """Until ``user_id``'s camera has decoded more than ``above`` frames on this page."""
    deadline = time.monotonic() + MEDIA_TIMEOUT_S
    while True:
        frames = camera_frames(page).get(user_id, 0)
        if frames > above:
            return frames
        if time.monotonic() > deadline:
            raise AssertionError(f"no video from {user_id}: {camera_frames(page)}")
        page.wait_for_timeout(250)


def join(server: ServerProcess, new_page: Any, login: str, course_id: int, session_id: int) -> Page:
    page = new_page()
    log_in(page, server.url, login)
    open_course(page, course_id)
    enter_live(page, session_id)
    return page


def test_breakout_rooms_split_and_recall_with_media_in_a_group(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    teacher_api = ApiClient(live_server.url, "teacher")
    course = teacher_api.teaching_course()
    session = teacher_api.schedule_session(course["id"], "모둠 토의")
    teacher_api.call("POST", f"/api/sessions/{session['id']}/start")
    ids = {
        login: ApiClient(live_server.url, login).user["id"] for login in ("student1", "student2")
    }
    ids["teacher"] = teacher_api.user["id"]
    pages = {
        login: join(live_server, new_page, login, course["id"], session["id"])
        for login in ("teacher", "student1", "student2")
    }
    teacher, one, two = pages["teacher"], pages["student1"], pages["student2"]
    wait_for_video(one, ids["teacher"])  # the main room's media flows first

    # The teacher plans by hand: both students dragged into group 1.
    tid(teacher, "breakouts-mode").select_option("manual")
    tid(teacher, "breakouts-minutes").fill("5")
    group_one = teacher.locator('[data-testid="breakouts-column"][data-group="1"]')
    for login in ("student1", "student2"):
        chip = teacher.locator(f'[data-testid="breakouts-student"][data-user-id="{ids[login]}"]')
        chip.locator("span").first.drag_to(group_one)  # by the name, not its menu
        expect(group_one.locator(f'[data-user-id="{ids[login]}"]').first).to_be_visible()
    tid(teacher, "breakouts-start").click()
    expect(tid(teacher, "breakouts-groups")).to_be_visible()
    expect(tid(teacher, "breakouts-teacher-countdown")).to_contain_text(":")

    # Inside group 1: the group panel, a countdown, and each other's video decoding.
    for page in (one, two):
        expect(tid(page, "breakout-group")).to_be_visible()
        expect(tid(page, "breakout-group-name")).to_contain_text("모둠 1")
        expect(tid(page, "breakout-countdown")).to_contain_text(":")
    before = {
        "student1": wait_for_video(one, ids["student2"]),
        "student2": wait_for_video(two, ids["student1"]),
    }
    one.wait_for_timeout(1500)
    assert wait_for_video(one, ids["student2"], before["student1"]) > before["student1"]
    assert wait_for_video(two, ids["student1"], before["student2"]) > before["student2"]
    assert ids["teacher"] not in camera_frames(one)  # the teacher stayed in the main room
    teacher_tile = f'[data-testid="stage-tile"][data-user-id="{ids["teacher"]}"]'
    expect(one.locator(teacher_tile)).to_be_hidden()

    # Group chat reaches the other member.
    tid(one, "breakout-chat-input").fill("우리 모둠은 광합성을 맡을게요")
    tid(one, "breakout-chat-send").click()
    expect(tid(two, "breakout-chat-message").filter(has_text="광합성을 맡을게요")).to_be_visible()
    mine = tid(one, "breakout-chat-message").filter(has_text="광합성을 맡을게요")
    expect(mine).to_have_attribute("data-state", "sent")

    # The group's own board: what student1 draws, student2 sees.
    board = tid(tid(one, "breakout-board"), "whiteboard-canvas")
    board.scroll_into_view_if_needed()
    box = board.bounding_box()
    assert box is not None
    one.mouse.move(box["x"] + 30, box["y"] + 30)
    one.mouse.down()
    one.mouse.move(box["x"] + 160, box["y"] + 90, steps=5)
    one.mouse.up()
    expect(board).to_have_attribute("data-strokes", "1")
    their_board = tid(tid(two, "breakout-board"), "whiteboard-canvas")
    expect(their_board).to_have_attribute("data-strokes", "1")

    # A message to every group.
    tid(teacher, "breakouts-broadcast-input").fill("2분 남았어요")
    tid(teacher, "breakouts-broadcast-send").click()
    for page in (one, two):
        expect(tid(page, "breakout-broadcast")).to_contain_text("2분 남았어요")
    two.screenshot(path=str(results_dir / "breakouts-student-in-group.png"))
    teacher.screenshot(path=str(results_dir / "breakouts-teacher-panel.png"))

    # Recall: everyone is back in the main room, with the teacher's video again.
    teacher.once("dialog", lambda dialog: dialog.accept())
    tid(teacher, "breakouts-recall").click()
    for page in (one, two):
        expect(tid(page, "breakout-group")).to_be_hidden()
        expect(tid(page, "breakout-notice")).to_be_visible()
        expect(page.locator(teacher_tile)).to_be_visible()
        wait_for_video(page, ids["teacher"])
    expect(tid(teacher, "breakouts-start")).to_be_visible()
    wait_for_video(teacher, ids["student1"])

    # A 30-second round: the warning shows at once, and the timer brings everyone back.
    tid(teacher, "breakouts-minutes").fill("0.5")
    tid(teacher, "breakouts-start").click()  # the same plan: both students in group 1
    for page in (one, two):
        expect(tid(page, "breakout-group")).to_be_visible()
        expect(tid(page, "breakout-warning")).to_be_visible()
    wait_for_video(one, ids["student2"])
    for page in (one, two):
        expect(tid(page, "breakout-group")).to_be_hidden(timeout=40_000)
        expect(tid(page, "breakout-notice")).to_be_visible()
        wait_for_video(page, ids["teacher"])
    expect(tid(teacher, "breakouts-start")).to_be_visible()
