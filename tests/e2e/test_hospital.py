"""The hospital classroom in three browsers: an instructor runs today's two periods for two
students of the same home school; one of them leaves the second period early. At month end the
programme admin generates and signs off the notices, and the home school's notice (XLSX and
PDF) says 출석 for one student and 조퇴 for the other on that day; the home-school teacher sees
the same in their daily attendance screen and can download the notice.

Setup over the API (the demo programme is seeded with the server): today is made a class day
and the class gets two periods on today's weekday if it has none.
"""

from __future__ import annotations

import io
import re
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.api_client import DEMO_PASSWORD, ApiClient
from tests.e2e.pages import enter_live, log_in, open_course, participant, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e

CLASS_NAME = "초등 3학년"  # the demo class of hstudent1 (김하람) and hstudent2 (이도윤)


def seoul_today() -> str:
    return (datetime.now(UTC) + timedelta(hours=9)).date().isoformat()


def prepare_today(admin: ApiClient) -> dict[str, Any]:
    """Today is a class day with (at least) two periods of the class, which it returns."""
    [programme] = admin.call("GET", "/api/hospital/programmes")["items"]
    base = f"/api/hospital/programmes/{programme['id']}"
    today = seoul_today()
    weekday = datetime.fromisoformat(today).weekday()
    klass = next(
        k for k in admin.call("GET", f"{base}/classes")["items"] if k["name"] == CLASS_NAME
    )
    if len([s for s in klass["slots"] if s["weekday"] == weekday]) < 2:
        for period, start, end in ((1, "07:00", "07:40"), (2, "08:00", "08:40")):
            admin.call("POST", f"/api/hospital/classes/{klass['id']}/slots", {
                "weekday": weekday, "period": period, "starts_at": start, "ends_at": end,
                "subject": "국어",
            })  # fmt: skip
    # Marking the day regenerates its sessions (idempotently) from the timetable.
    admin.call("PUT", f"{base}/calendar", {"days": [{"day": today, "kind": "class_day"}]})
    return klass


def open_hospital(page: Page, base_url: str, login: str) -> None:
    """Log in (staff without courses land on an empty course page) and open the programme."""
    page.goto(f"{base_url}/")
    tid(page, "login-username").fill(login)
    tid(page, "login-password").fill(DEMO_PASSWORD)
    tid(page, "login-submit").click()
    tid(page, "nav-hospital").click()
    expect(tid(page, "hospital-section")).to_be_visible()


def students_enter(pages: list[Page], course_id: int, session_id: int) -> None:
    for page in pages:
        page.goto(page.url.split("#")[0] + f"#/courses/{course_id}")
        page.reload()
        enter_live(page, session_id)


def hold_period(
    instructor: Page,
    kids: list[Page],
    kid_users: list[dict[str, Any]],
    course_id: int,
    session_id: int,
    leaver: Page | None = None,
) -> None:
    """Start the period from the instructor's today list, let the students in, optionally one
    leaves at once, and end it once the stayers have been there well over half the time."""
    item = instructor.locator(
        f'[data-testid="hospital-today-session"][data-session-id="{session_id}"]'
    )
    started = time.monotonic()
    tid(item, "hospital-start").click()
    expect(tid(instructor, "connection-status")).to_have_attribute("data-state", "joined")
    students_enter(kids, course_id, session_id)
    for user in kid_users:
        expect(participant(instructor, user)).to_be_visible()
    if leaver is not None:
        tid(leaver, "leave-live").click()
        expect(tid(leaver, "course-title")).to_be_visible()
    time.sleep(time.monotonic() - started + 2)
    tid(instructor, "end-session").click()
    expect(tid(instructor, "live-banner")).to_be_visible()


def download(base_url: str, token: str, path: str) -> bytes:
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def test_an_early_leave_reaches_the_home_school_notice(
    live_server: ServerProcess, new_page: Any, results_dir: Path
) -> None:
    url = live_server.url
    admin = ApiClient(url, "hadmin")
    klass = prepare_today(admin)
    kid_apis = [ApiClient(url, "hstudent1"), ApiClient(url, "hstudent2")]
    kid_users = [k.user for k in kid_apis]

    instructor = new_page()
    log_in(instructor, url, "instructor1")
    tid(instructor, "nav-hospital").click()
    sessions = tid(instructor, "hospital-today-session")
    expect(sessions.first).to_be_visible()
    ids = [int(x) for x in sessions.evaluate_all("els => els.map(e => e.dataset.sessionId)")]
    first, second = ids[0], ids[1]

    kids = []
    for login in ("hstudent1", "hstudent2"):
        page = new_page()
        log_in(page, url, login)
        open_course(page, klass["course_id"])
        kids.append(page)

    # Period 1: both stay. Period 2: 이도윤 (hstudent2) leaves at once.
    hold_period(instructor, kids, kid_users, klass["course_id"], first)
    instructor.goto(f"{url}/#/hospital")
    expect(tid(instructor, "hospital-today")).to_be_visible()
    hold_period(instructor, kids, kid_users, klass["course_id"], second, leaver=kids[1])

    # Month end: the admin generates every home school's notice and signs off theirs.
    admin_page = new_page()
    open_hospital(admin_page, url, "hadmin")
    tid(admin_page, "hospital-tab-notices").click()
    tid(admin_page, "make-notices").click()
    row = admin_page.locator('[data-testid="notices-table"] tr[data-school="서울한빛초등학교"]')
    # Rendering the PDFs takes a few seconds of CPU, more on a busy CI machine.
    expect(row).to_have_count(1, timeout=30_000)
    tid(row, "notice-sign-off").click()
    expect(tid(row, "notice-sign-off")).to_have_count(0, timeout=30_000)
    notice_id = int(row.get_attribute("data-notice-id") or 0)
    admin_page.screenshot(path=str(results_dir / "hospital-notices.png"), full_page=True)

    # The home-school teacher sees the day in their attendance screen and downloads the notice.
    today = seoul_today()
    home = new_page()
    open_hospital(home, url, "hometeacher")
    tid(home, "hospital-tab-attendance").click()
    expect(tid(home, f"grid-{kid_users[0]['id']}-{today}")).to_have_attribute(
        "data-status", "present"
    )
    early = tid(home, f"grid-{kid_users[1]['id']}-{today}")
    expect(early).to_have_attribute("data-status", "early_leave")
    # Why: the day's detail shows the first period attended and the second missed.
    early.locator("button").click()
    statuses = tid(tid(home, "day-detail"), "day-session-status")
    expect(statuses).to_have_count(2)
    expect(statuses.nth(0)).to_have_attribute("data-status", "present")
    expect(statuses.nth(1)).to_have_attribute("data-status", "absent")
    home_api = ApiClient(url, "hometeacher")
    xlsx = download(url, home_api.token, f"/api/hospital/notices/{notice_id}/xlsx")
    sheet = load_workbook(io.BytesIO(xlsx))["출석"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "이름")
    day = int(today[8:])
    column = next(i for i, h in enumerate(header) if isinstance(h, str) and h.startswith(f"{day}("))
    cells = {r[0]: r[column] for r in rows if r and r[0] in ("김하람", "이도윤")}
    assert cells == {"김하람": "출석", "이도윤": "조퇴"}
    assert "장서연" not in {r[0] for r in rows}  # another home school's student

    pdf = download(url, home_api.token, f"/api/hospital/notices/{notice_id}/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"[\s\x00]+", "", text)  # see tests/lms/test_hospital.py: pdf_text
    assert "서울한빛초등학교" in text and "확인:한관리" in text
    assert "김하람" in text and "이도윤" in text and "조퇴" in text
