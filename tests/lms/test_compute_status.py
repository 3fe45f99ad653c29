"""The attendance rules as a pure function: each case a teacher would recognise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from lms.attendance_rules import AttendanceRules
from lms.models import AttendanceStatus, LeaveReason
from lms.services.attendance import compute_status

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
END = START + timedelta(minutes=40)
RULES = AttendanceRules(late_after_minutes=10, absent_below_percent=50, reconnect_grace_seconds=120)


@dataclass
class Span:
    joined_at: datetime
    left_at: datetime | None
    leave_reason: LeaveReason | None = None


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("spans", "status", "seconds"),
    [
        pytest.param([], AttendanceStatus.ABSENT, 0, id="never joined"),
        pytest.param([Span(at(0), at(40))], AttendanceStatus.PRESENT, 2400, id="whole class"),
        pytest.param([Span(at(-5), None)], AttendanceStatus.PRESENT, 2400, id="early, still in"),
        pytest.param([Span(at(10), at(40))], AttendanceStatus.PRESENT, 1800, id="at the limit"),
        pytest.param([Span(at(12), at(40))], AttendanceStatus.LATE, 1680, id="late"),
        pytest.param([Span(at(0), at(15))], AttendanceStatus.ABSENT, 900, id="left early"),
        pytest.param([Span(at(25), at(40))], AttendanceStatus.ABSENT, 900, id="late and short"),
        pytest.param(
            [
                Span(at(0), at(10), LeaveReason.NETWORK_LOST),
                Span(at(11.5), at(40)),
            ],
            AttendanceStatus.PRESENT,
            2400,
            id="network gap within grace bridged",
        ),
        pytest.param(
            [
                Span(at(0), at(10), LeaveReason.NETWORK_LOST),
                Span(at(25), at(40)),
            ],
            AttendanceStatus.PRESENT,
            1500,
            id="network gap beyond grace not bridged",
        ),
        pytest.param(
            [Span(at(0), at(10), LeaveReason.LEFT), Span(at(11), at(40))],
            AttendanceStatus.PRESENT,
            2340,
            id="a real leave is not bridged",
        ),
        pytest.param(
            [Span(at(0), at(30)), Span(at(5), at(20))],
            AttendanceStatus.PRESENT,
            1800,
            id="two tabs overlap once",
        ),
        pytest.param([Span(at(41), at(50))], AttendanceStatus.ABSENT, 0, id="after the end"),
    ],
)
def test_status_from_intervals(spans: list[Span], status: AttendanceStatus, seconds: int) -> None:
    outcome = compute_status(spans, START, END, RULES)
    assert (outcome.status, outcome.seconds_present) == (status, seconds)
    if spans:
        assert outcome.first_join_at == min(s.joined_at for s in spans)


def test_rules_are_configuration() -> None:
    strict = AttendanceRules(late_after_minutes=1, absent_below_percent=90)
    outcome = compute_status([Span(at(2), at(40))], START, END, strict)
    assert outcome.status is AttendanceStatus.LATE
    outcome = compute_status([Span(at(0), at(30))], START, END, strict)
    assert outcome.status is AttendanceStatus.ABSENT
