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
        pytest.param([Span(at(-30), at(-1))], AttendanceStatus.ABSENT, 0, id="before the start"),
        pytest.param(
            [Span(at(-5), at(50), LeaveReason.LEFT)],
            AttendanceStatus.PRESENT,
            2400,
            id="interval outside the session is clipped",
        ),
        pytest.param(
            [
                Span(at(0), at(5), LeaveReason.NETWORK_LOST),
                Span(at(6), at(12), LeaveReason.NETWORK_LOST),
                Span(at(13), at(40), LeaveReason.SESSION_ENDED),
            ],
            AttendanceStatus.PRESENT,
            2400,
            id="several short drops all bridged",
        ),
        pytest.param(
            [
                Span(at(0), at(10), LeaveReason.NODE_SHUTDOWN),
                Span(at(10.5), at(40)),
            ],
            AttendanceStatus.PRESENT,
            2400,
            id="node drain bridged like a network drop",
        ),
        pytest.param(
            [
                Span(at(0), at(10), LeaveReason.NETWORK_LOST),
                Span(at(12), at(40)),
            ],
            AttendanceStatus.PRESENT,
            2400,
            id="gap exactly the grace is bridged",
        ),
        pytest.param(
            [Span(at(15), at(17), LeaveReason.NETWORK_LOST), Span(at(18), at(19))],
            AttendanceStatus.ABSENT,
            240,
            id="absent beats late",
        ),
        pytest.param(
            [Span(at(0), at(20)), Span(at(20), at(40))],
            AttendanceStatus.PRESENT,
            2400,
            id="back-to-back intervals",
        ),
        pytest.param(
            [Span(at(0), at(19))],
            AttendanceStatus.ABSENT,
            1140,
            id="just under the share",
        ),
        pytest.param(
            [Span(at(0), at(20))],
            AttendanceStatus.PRESENT,
            1200,
            id="exactly the share",
        ),
    ],
)
def test_status_from_intervals(spans: list[Span], status: AttendanceStatus, seconds: int) -> None:
    outcome = compute_status(spans, START, END, RULES)
    assert (outcome.status, outcome.seconds_present) == (status, seconds)
    if spans:
        assert outcome.first_join_at == min(s.joined_at for s in spans)


def test_an_early_visit_does_not_excuse_a_late_arrival() -> None:
    spans = [Span(at(-10), at(-5), LeaveReason.LEFT), Span(at(15), at(40))]
    status, first_join, seconds = compute_status(spans, START, END, RULES)  # unpacks as a tuple
    assert (status, first_join, seconds) == (AttendanceStatus.LATE, at(15), 1500)


def test_a_short_drop_before_the_start_still_counts_as_on_time() -> None:
    spans = [Span(at(-10), at(-1), LeaveReason.NETWORK_LOST), Span(at(0.5), at(40))]
    outcome = compute_status(spans, START, END, RULES)
    assert (outcome.status, outcome.first_join_at) == (AttendanceStatus.PRESENT, at(-10))


def test_no_grace_bridges_nothing() -> None:
    rules = RULES.model_copy(update={"reconnect_grace_seconds": 0})
    spans = [Span(at(0), at(10), LeaveReason.NETWORK_LOST), Span(at(10.5), at(40))]
    assert compute_status(spans, START, END, rules).seconds_present == 2370


def test_input_order_does_not_matter() -> None:
    spans = [Span(at(25), at(40)), Span(at(0), at(10), LeaveReason.NETWORK_LOST)]
    assert compute_status(spans, START, END, RULES) == compute_status(
        list(reversed(spans)), START, END, RULES
    )


def test_rules_are_configuration() -> None:
    strict = AttendanceRules(late_after_minutes=1, absent_below_percent=90)
    outcome = compute_status([Span(at(2), at(40))], START, END, strict)
    assert outcome.status is AttendanceStatus.LATE
    outcome = compute_status([Span(at(0), at(30))], START, END, strict)
    assert outcome.status is AttendanceStatus.ABSENT
