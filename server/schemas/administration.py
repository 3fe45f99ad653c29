"""REST shapes of administration: the user list, CSV import, deactivation
(``docs/administration.md``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lms.models import Role
from server.schemas import Body, Out, Query, UTCDatetime

# A CSV file travels base64-encoded, so the server (not the browser) decides whether it is
# UTF-8 and can say so instead of importing mangled names.
CsvBase64 = Field(min_length=1, max_length=960_000, description="the CSV file, base64-encoded")


class UserQuery(Query):
    q: str | None = Field(None, max_length=100, description="part of a login or name")
    role: Role | None = None
    school_id: int | None = Field(None, ge=1)
    active: bool | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class AdminUserOut(Out):
    id: int
    login: str
    display_name: str
    role: Role
    school_id: int | None
    is_active: bool
    created_at: UTCDatetime


class AdminUserList(Out):
    items: list[AdminUserOut]
    total: int


class UserImportRequest(Body):
    csv_base64: str = CsvBase64
    dry_run: bool = False


class ImportedUser(Out):
    line: int
    id: int | None = None
    login: str
    display_name: str
    role: Role
    school_code: str
    one_time_password: str | None = Field(
        None, description="only for rows without a password; shown once, never stored in clear"
    )


class UserImportResult(Out):
    status: Literal["checked", "imported"]
    total_rows: int
    users: list[ImportedUser]
