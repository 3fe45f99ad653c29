"""Small assertions shared by the REST tests."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct-horse-battery"


def assert_error(body: dict[str, Any], code: str) -> None:
    """The protocol's error shape: ``{"error": {"code", "message", "details"?}}``."""
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)
    assert set(body["error"]) <= {"code", "message", "details"}
