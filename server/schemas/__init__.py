"""Request and response models of the REST API (``docs/protocol.md``).

Requests are strict: unknown fields, wrong JSON types and out-of-range lengths are refused with
400 ``invalid_input`` before any service runs, so services only ever see well-formed values.
Responses are built through the same models, which keeps the wire shape and the OpenAPI
document (``server.openapi``) from drifting apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from lms.models import (
    AttendanceStatus,
    CourseRole,
    LiveSessionStatus,
    Role,
    SchoolKind,
)


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Every timestamp leaves the server in UTC ("...Z"), whatever offset it arrived with.
UTCDatetime = Annotated[datetime, PlainSerializer(_utc_text, return_type=str, when_used="json")]
# Incoming timestamps must carry an offset (a naive time is ambiguous across the district's
# servers) and are stored in UTC.
AwareUTC = Annotated[AwareDatetime, AfterValidator(lambda value: value.astimezone(UTC))]


class Body(BaseModel):
    """A JSON request body: strict types, no extra fields, surrounding whitespace ignored."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


class Query(BaseModel):
    """Query-string parameters arrive as text, so these convert ("5" -> 5) but stay closed."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response object, read from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


# -- requests -------------------------------------------------------------------------------


class LoginRequest(Body):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class SchoolCreate(Body):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: SchoolKind


class UserCreate(Body):
    login: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=256)
    role: Role
    school_id: int | None = None


class CourseCreate(Body):
    school_id: int
    title: str = Field(min_length=1, max_length=200)
    subject: str = Field("", max_length=100)
    grade_band: str = Field("", max_length=32)


class CourseQuery(Query):
    q: str | None = Field(None, max_length=100, description="part of the title")
    school_id: int | None = Field(None, ge=1)
    limit: int = Field(100, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class EnrolmentCreate(Body):
    user_id: int
    role: CourseRole


class SessionCreate(Body):
    title: str = Field(min_length=1, max_length=200)
    scheduled_start: AwareUTC
    scheduled_end: AwareUTC

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionCreate:
        if self.scheduled_end <= self.scheduled_start:
            raise ValueError("scheduled_end must be after scheduled_start")
        return self


class CorrectionCreate(Body):
    status: AttendanceStatus
    reason: str = Field(min_length=1, max_length=500)


class ChatQuery(Query):
    after_seq: int | None = Field(None, ge=0)
    limit: int = Field(200, ge=1, le=200)


# -- responses ------------------------------------------------------------------------------


class UserOut(Out):
    id: int
    login: str
    display_name: str
    role: Role
    school_id: int | None
    locale: str


class SchoolOut(Out):
    id: int
    code: str
    name: str
    kind: SchoolKind


class CourseOut(Out):
    id: int
    school_id: int
    title: str
    subject: str
    grade_band: str
    my_role: CourseRole | None = None


class EnrolmentOut(Out):
    id: int
    course_id: int
    user: UserOut
    role: CourseRole


class LiveSessionOut(Out):
    id: int
    course_id: int
    title: str
    scheduled_start: UTCDatetime
    scheduled_end: UTCDatetime
    status: LiveSessionStatus
    started_at: UTCDatetime | None
    ended_at: UTCDatetime | None


class CorrectionOut(Out):
    id: int
    changed_by: UserOut
    changed_at: UTCDatetime
    old_status: AttendanceStatus
    new_status: AttendanceStatus
    reason: str


class AttendanceRecordOut(Out):
    id: int
    session_id: int
    user: UserOut
    status: AttendanceStatus
    computed_status: AttendanceStatus
    first_join_at: UTCDatetime | None
    seconds_present: int
    corrections: list[CorrectionOut] = []


class AttendanceRulesOut(Out):
    late_after_minutes: float
    absent_below_percent: float
    reconnect_grace_seconds: float


class ChatActor(Out):
    id: int
    display_name: str


class RoomEventOut(Out):
    """A durable room event; chat is ``kind="chat"`` with ``payload={"id","client_id","body"}``."""

    seq: int
    kind: str
    actor: ChatActor
    target_id: int | None = None
    payload: dict[str, Any] = {}
    created_at: UTCDatetime


class LoginResponse(Out):
    user: UserOut
    csrf_token: str
    token: str


class MeResponse(Out):
    user: UserOut
    csrf_token: str
    # Roles held in features (e.g. "hospital_admin"); the client's nav reads them.
    capabilities: list[str] = Field(default_factory=list)


class OkResponse(Out):
    ok: bool = True


class SchoolList(Out):
    items: list[SchoolOut]


class CourseList(Out):
    items: list[CourseOut]
    total: int


class EnrolmentList(Out):
    items: list[EnrolmentOut]


class SessionList(Out):
    items: list[LiveSessionOut]


class AttendanceList(Out):
    items: list[AttendanceRecordOut]
    rules: AttendanceRulesOut


class ChatHistory(Out):
    items: list[RoomEventOut]


class PoolHealth(Out):
    """The node's database connections: ``checked_out`` near ``size`` + overflow means events
    wait for a connection."""

    size: int
    checked_out: int
    idle: int
    overflow: int


class DatabaseHealth(Out):
    ok: bool
    backend: str
    pool: PoolHealth | None = None


class EventLoopHealth(Out):
    """How late the node's event loop ran (``server.loop_lag``): a saturated node's first sign."""

    recent_max_ms: float
    recent_mean_ms: float
    worst_ms: float
    window_seconds: float


class FanoutHealth(Out):
    model_config = ConfigDict(extra="allow")

    ok: bool
    mode: str


class HealthResponse(Out):
    status: Literal["ok", "degraded"]
    database: DatabaseHealth
    fanout: FanoutHealth
    event_loop: EventLoopHealth
    node: str


class ErrorDetail(Out):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorResponse(Out):
    error: ErrorDetail


def dump(model: type[Out], obj: Any, **extra: Any) -> dict[str, Any]:
    """Serialize ``obj`` (an ORM row or a dict) through ``model`` into JSON-ready values."""
    if extra:
        data = {name: getattr(obj, name) for name in model.model_fields if name not in extra}
        data.update(extra)
        return model.model_validate(data).model_dump(mode="json")
    return model.model_validate(obj).model_dump(mode="json")
