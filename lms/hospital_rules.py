"""How a hospital-classroom day's status follows from its sessions: configuration, not code.

The home school records one status per day (NEIS: 출석, 지각, 조퇴, 결과, 결석); the classroom has
several live sessions a day. These thresholds turn the sessions' statuses into that one word.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lms.models.hospital import DayStatus


class DayRules(BaseSettings):
    """Per-day status rules (``NEWSSEM_HOSPITAL_DAY_*``); ``lms.services.hospital.daily``."""

    model_config = SettingsConfigDict(env_prefix="NEWSSEM_HOSPITAL_DAY_")

    early_leave_minutes: float = Field(
        10.0, ge=0, description="leaving a session more than this before its end is leaving early"
    )
    absent_at_or_below_percent: float = Field(
        0.0,
        ge=0,
        le=100,
        description="a day whose share of sessions attended is at or below this is absent",
    )
    precedence: tuple[DayStatus, ...] = Field(
        (DayStatus.EARLY_LEAVE, DayStatus.LATE, DayStatus.PARTIAL),
        description="when several apply (late and left early), the first listed wins",
    )


class NoticeSettings(BaseSettings):
    """The monthly notice's font (``NEWSSEM_HOSPITAL_NOTICE_*``); Korean needs a CJK face.

    Noto Sans CJK ships as a collection (.ttc): ``font_index`` picks the face inside it, and
    1 is the Korean one (KR) in Debian's fonts-noto-cjk.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSSEM_HOSPITAL_NOTICE_")

    font_path: Path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    font_index: int = Field(1, ge=0)
