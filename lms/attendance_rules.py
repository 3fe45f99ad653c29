"""Attendance rules are configuration, not code: each school may set its own thresholds."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AttendanceRules(BaseSettings):
    """How a student's attendance status is derived from their join/leave intervals."""

    model_config = SettingsConfigDict(env_prefix="NEWSSEM_ATTENDANCE_")

    late_after_minutes: float = Field(10.0, ge=0, description="first join later than this is late")
    absent_below_percent: float = Field(
        50.0, ge=0, le=100, description="time present below this share of the session is absent"
    )
    reconnect_grace_seconds: float = Field(
        120.0, ge=0, description="a drop shorter than this is not a leave"
    )
