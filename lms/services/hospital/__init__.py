"""The hospital classroom (``docs/hospital.md``), one module per job.

``access`` (roles and what each sees), ``programme`` (programme, calendar, staff, classes),
``timetable`` (weekly slots and the live sessions they make), ``admissions``, ``daily`` (per-day
status for the home school), ``notices`` (the monthly attendance notice) and ``render`` (its PDF
and XLSX). Dates are Asia/Seoul calendar days: Korea keeps no daylight saving time, so a fixed
+09:00 offset is exact and needs no time-zone database on the server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

SEOUL = timezone(timedelta(hours=9), "KST")


def seoul_moment(day: date, at: time) -> datetime:
    """A Seoul wall-clock time on ``day``, as the UTC instant the database stores."""
    return datetime.combine(day, at, tzinfo=SEOUL).astimezone(UTC)


def seoul_day(instant: datetime) -> date:
    """The Seoul calendar day an instant falls on."""
    return instant.astimezone(SEOUL).date()
