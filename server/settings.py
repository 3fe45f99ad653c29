"""One typed settings object, read from ``NEWSSEM_*`` environment variables.

Everything an operator may change lives here so that a node's whole configuration
can be read in one place; defaults give the embedded single-laptop setup.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lms.attendance_rules import AttendanceRules
from lms.hospital_rules import DayRules, NoticeSettings


class Settings(BaseSettings):
    """Node configuration. Unset Redis URL means one node with in-process fan-out."""

    model_config = SettingsConfigDict(env_prefix="NEWSSEM_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    # Every node of one deployment shares this Redis channel; deployments sharing a Redis don't.
    fanout_channel: str = Field("newssem", min_length=1)
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    public_url: str | None = None
    secret_key: str = "dev-insecure-change-me"
    session_ttl_hours: float = Field(12.0, gt=0)
    cookie_secure: bool = False

    chat_max_chars: int = Field(2000, gt=0)
    events_per_10s: int = Field(20, gt=0, description="per-user socket event budget")

    # The address put in ICE candidates, as mediasoup's announcedIp.
    ice_address: str | None = None
    ice_port_min: int | None = None
    ice_port_max: int | None = None
    turn_url: str | None = None
    turn_secret: str | None = None
    turn_ttl_seconds: int = 3600

    # The file store (under data_dir/files): the largest upload per use, in bytes.
    upload_max_bytes: int = Field(20 * 1024 * 1024, gt=0)
    document_max_bytes: int = Field(50 * 1024 * 1024, gt=0)
    media_max_bytes: int = Field(500 * 1024 * 1024, gt=0)
    # Documents shown in class: pages past this are refused; pages render this wide (pixels).
    document_max_pages: int = Field(300, gt=0)
    page_render_width: int = Field(1280, ge=320, le=4096)

    attendance: AttendanceRules = Field(default_factory=AttendanceRules)
    # The hospital classroom: per-day status rules and the monthly notice's font.
    hospital_day: DayRules = Field(default_factory=DayRules)
    hospital_notice: NoticeSettings = Field(default_factory=NoticeSettings)

    @cached_property
    def effective_database_url(self) -> str:
        """The configured URL, or an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'newssem.sqlite3').resolve()}"

    @property
    def files_dir(self) -> Path:
        """Where the file store keeps its blobs."""
        return self.data_dir / "files"

    @property
    def advertised_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"
