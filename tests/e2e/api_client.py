"""A few REST calls the tests make outside the browser (setup, not the thing under test).

Uses the bearer token the login returns, the documented way for non-browser clients.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

# The seeder is the one source of the demo password; the tests follow it.
from lms.services.demo import DEMO_PASSWORD


class ApiClient:
    def __init__(self, base_url: str, login: str, password: str = DEMO_PASSWORD) -> None:
        self.base_url = base_url
        data = self.call("POST", "/api/auth/login", {"login": login, "password": password},
                         auth=False)
        self.token: str = data["token"]
        self.user: dict[str, Any] = data["user"]

    def call(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.base_url + path, data=payload, headers=headers, method=method
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def teaching_course(self) -> dict[str, Any]:
        """The demo course the teacher teaches."""
        courses = self.call("GET", "/api/courses")["items"]
        return next(c for c in courses if c["my_role"] == "teacher")

    def schedule_session(self, course_id: int, title: str) -> dict[str, Any]:
        """A fresh session per test, so tests never depend on each other's room state."""
        start = datetime.now(UTC)
        return self.call("POST", f"/api/courses/{course_id}/sessions", {
            "title": title,
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(minutes=45)).isoformat(),
        })
