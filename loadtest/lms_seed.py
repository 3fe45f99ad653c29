"""Seed the district's full shape for the scale benchmark: schools, people, courses, enrolments,
past live sessions with attendance, and gradebooks.

    python -m loadtest.lms_seed            # on NEWSSEM_DATABASE_URL, reusing a seeded shape
    python -m loadtest.lms_scale --seed-only

The default shape is Seoul's: 146 schools (101 elementary, 20 middle, 23 high, 2 special),
34 courses a school (4,964), 100,000 students spread over the schools, 30 students a course,
one teacher for every two courses and one school admin a school. Every course has
``sessions_per_course`` past, ended sessions (weekly from March) with an attendance record per
student, and ``items_per_course`` manual grade items graded for every student.

Rows are written in bulk: PostgreSQL gets asyncpg's ``COPY`` (``copy_records_to_table``),
SQLite SQLAlchemy Core ``executemany``. Everything is one transaction, so a seeded shape is
either all there or not at all; the shape is recognised by its school codes (``SCALE-…``).
Ids are given explicitly (after the highest already used) and the PostgreSQL sequences moved
past them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import lms.models  # noqa: F401  (registers every table)
from lms.db import Base, create_engine

CODE_PREFIX = "SCALE-"
PASSWORD = "scale-bench-password"
KST = timezone(timedelta(hours=9))
KINDS = (("elementary", 101), ("middle", 20), ("high", 23), ("special", 2))
KIND_KO = {"elementary": "초등학교", "middle": "중학교", "high": "고등학교", "special": "학교"}
SUBJECTS = ("국어", "수학", "사회", "과학", "영어", "음악", "미술", "체육", "도덕", "실과")
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
SYLLABLES = "민서준지현우도윤하은수아예린시연유진채원주호성재영"
STATUS_WEIGHTS = (("present", 88), ("late", 6), ("excused", 3), ("absent", 3))
CHUNK = 20_000


@dataclass(frozen=True)
class Shape:
    schools: int = 146
    courses_per_school: int = 34
    students: int = 100_000
    students_per_course: int = 30
    sessions_per_course: int = 8
    items_per_course: int = 3

    def kinds(self) -> list[str]:
        """School kinds in Seoul's proportions (exactly 101/20/23/2 for 146 schools)."""
        total = sum(count for _, count in KINDS)
        ladder = [kind for kind, count in KINDS for _ in range(count)]
        return [ladder[index * total // self.schools] for index in range(self.schools)]


@dataclass
class SeedReport:
    reused: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def _defaults(table: Table, given: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
    """Columns the generator does not fill (another feature's, say) get their model default."""
    names, values = [], []
    for column in table.columns:
        if column.name in given:
            continue
        default = column.default
        if default is not None and default.is_scalar:
            value = default.arg
        elif default is not None and default.is_callable:
            value = default.arg(None)  # type: ignore[operator]
        elif column.nullable:
            value = None
        else:
            raise RuntimeError(f"{table.name}.{column.name} needs a value to seed")
        names.append(column.name)
        values.append(value)
    return names, tuple(values)


class Writer:
    """Bulk rows into one connection: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.next_ids: dict[str, int] = {}

    async def first_id(self, table: str) -> int:
        if table not in self.next_ids:
            top = await self.conn.scalar(select(func.max(Base.metadata.tables[table].c.id)))
            self.next_ids[table] = (top or 0) + 1
        return self.next_ids[table]

    async def write(
        self, name: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        table = Base.metadata.tables[name]
        extra_names, extra_values = _defaults(table, columns)
        all_columns = [*columns, *extra_names]
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row + extra_values)
            if len(batch) >= CHUNK:
                await self._flush(table, all_columns, batch)
                batch = []
        if batch:
            await self._flush(table, all_columns, batch)

    async def _flush(self, table: Table, columns: list[str], batch: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            raw = await self.conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.copy_records_to_table(table.name, records=batch, columns=columns)
        else:
            await self.conn.execute(
                table.insert(), [dict(zip(columns, row, strict=True)) for row in batch]
            )
        self.counts[table.name] = self.counts.get(table.name, 0) + len(batch)
        top = max(row[0] for row in batch) if columns[0] == "id" else 0
        self.next_ids[table.name] = max(self.next_ids.get(table.name, 1), top + 1)

    async def fix_sequences(self) -> None:
        if not self.postgres:
            return
        for name in self.counts:
            await self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                )
            )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES)


async def shape_present(conn: AsyncConnection, shape: Shape) -> bool:
    school = Base.metadata.tables["school"]
    found = await conn.scalar(
        select(func.count()).select_from(school).where(school.c.code.like(f"{CODE_PREFIX}%"))
    )
    if found and found != shape.schools:
        raise RuntimeError(
            f"this database holds {found} seeded schools, not {shape.schools}: "
            "use a fresh database (or --reseed)"
        )
    return bool(found)


async def seed(
    engine: AsyncEngine, shape: Shape, *, password_hash: str | None = None
) -> SeedReport:
    """Seed ``shape`` unless it is already there; returns what was written and how long it took."""
    started = time.perf_counter()
    async with engine.begin() as conn:
        if await shape_present(conn, shape):
            return SeedReport(True, 0.0)
        if password_hash is None:
            from lms.services import accounts

            password_hash = accounts.hash_password(PASSWORD)
        writer = Writer(conn)
        await _seed_rows(writer, shape, password_hash)
        await writer.fix_sequences()
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))
    return SeedReport(False, time.perf_counter() - started, dict(writer.counts))


COLUMNS = {
    "school": ("id", "code", "name", "kind", "created_at"),
    "user_account": (
        "id", "login", "display_name", "password_hash", "role", "school_id", "is_active",
        "locale", "created_at",
    ),
    "course": ("id", "school_id", "title", "subject", "grade_band", "created_by", "created_at"),
    "enrolment": ("id", "course_id", "user_id", "role", "created_at"),
    "live_session": (
        "id", "course_id", "title", "scheduled_start", "scheduled_end", "status", "started_at",
        "ended_at", "started_by", "last_seq", "created_at",
    ),
    "attendance_record": (
        "id", "session_id", "user_id", "status", "computed_status", "first_join_at",
        "seconds_present", "updated_at",
    ),
    "grade_item": (
        "id", "course_id", "title", "source_kind", "source_id", "max_points", "weight",
        "category", "hidden", "client_id", "created_by", "created_at",
    ),
    "grade": (
        "id", "item_id", "user_id", "points", "feedback", "graded_by", "graded_at", "overridden",
    ),
}  # fmt: skip


class Ids:
    """Explicit ids, handed out from after the highest id each table already holds."""

    def __init__(self, first: dict[str, int]) -> None:
        self.next = dict(first)

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


async def _seed_rows(writer: Writer, shape: Shape, password_hash: str) -> None:
    """School by school (rows of one school in memory at a time), parents before children."""
    rng = random.Random(146)
    now = datetime.now(UTC)
    new_id = Ids({name: await writer.first_id(name) for name in COLUMNS})
    kinds = shape.kinds()
    per_school = [shape.students // shape.schools] * shape.schools
    for index in range(shape.students % shape.schools):
        per_school[index] += 1
    for s_index in range(shape.schools):
        rows = _school_rows(s_index, kinds[s_index], per_school[s_index], shape, new_id, rng,
                            now, password_hash)  # fmt: skip
        for table, columns in COLUMNS.items():
            await writer.write(table, columns, rows[table])


def _school_rows(
    s_index: int,
    kind: str,
    students: int,
    shape: Shape,
    new_id: Ids,
    rng: random.Random,
    now: datetime,
    password_hash: str,
) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
    statuses = [status for status, _ in STATUS_WEIGHTS]
    weights = [weight for _, weight in STATUS_WEIGHTS]
    first_session = datetime(2026, 3, 2, 9, 0, tzinfo=KST).astimezone(UTC)
    school_id = new_id("school")
    name = f"서울{s_index + 1}{KIND_KO[kind]}"
    rows["school"].append((school_id, f"{CODE_PREFIX}{s_index:03d}", name, kind, now))
    prefix = f"s{s_index:03d}"

    def user(login: str, display: str, role: str) -> int:
        uid = new_id("user_account")
        rows["user_account"].append(
            (uid, login, display, password_hash, role, school_id, True, "ko", now)
        )
        return uid

    user(f"{prefix}-admin", f"관리자 {s_index + 1}", "school_admin")
    teachers = [
        user(f"{prefix}-t{t:02d}", f"{_name(rng)} 선생님", "teacher")
        for t in range(math.ceil(shape.courses_per_school / 2))
    ]
    learners = [user(f"{prefix}-st{k:04d}", _name(rng), "student") for k in range(students)]
    for c in range(shape.courses_per_school):
        course_id = new_id("course")
        teacher = teachers[c // 2]
        subject = SUBJECTS[c % len(SUBJECTS)]
        band = str(c % 6 + 1)
        title = f"{band}학년 {subject} {c // 6 + 1}반"
        rows["course"].append((course_id, school_id, title, subject, band, teacher, now))
        rows["enrolment"].append((new_id("enrolment"), course_id, teacher, "teacher", now))
        count = min(shape.students_per_course, len(learners))
        start = (c * shape.students_per_course) % max(len(learners), 1)
        members = [learners[(start + j) % len(learners)] for j in range(count)]
        for member in members:
            rows["enrolment"].append((new_id("enrolment"), course_id, member, "student", now))
        for n in range(shape.sessions_per_course):
            session_id = new_id("live_session")
            begin = first_session + timedelta(days=7 * n, hours=c % 6)
            end = begin + timedelta(minutes=40)
            rows["live_session"].append(
                (session_id, course_id, f"{n + 1}차시 {subject}", begin, end, "ended", begin, end,
                 teacher, 0, now)
            )  # fmt: skip
            for member, status in zip(
                members, rng.choices(statuses, weights, k=count), strict=True
            ):
                late = status == "late"
                joined = (
                    None if status == "absent" else begin + timedelta(minutes=12 if late else 1)
                )
                seconds = 0 if status == "absent" else 2000
                rows["attendance_record"].append(
                    (new_id("attendance_record"), session_id, member, status, status, joined,
                     seconds, now)
                )  # fmt: skip
        for i in range(shape.items_per_course):
            item_id = new_id("grade_item")
            rows["grade_item"].append(
                (item_id, course_id, f"수행평가 {i + 1}", "manual", None, 100.0, float(i % 2 + 1),
                 "수행평가", False, f"scale-{i}", teacher, now)
            )  # fmt: skip
            for member in members:
                points = float(rng.randint(40, 100))
                rows["grade"].append(
                    (new_id("grade"), item_id, member, points, "", teacher, now, False)
                )
    return rows


def check_url(url: str) -> None:
    """The shape is seeded into a database of its own, never the one the test suites share."""
    parsed = make_url(url)
    if parsed.drivername.startswith("postgresql") and parsed.database in ("test", "postgres"):
        sys.exit(f"refusing to seed the shared '{parsed.database}' database; name one of its own")


def database_url() -> str:
    url = os.environ.get("NEWSSEM_DATABASE_URL")
    if not url:
        sys.exit("set NEWSSEM_DATABASE_URL to a database of its own (e.g. newssem_scale)")
    check_url(url)
    return url


async def _main(args: argparse.Namespace) -> None:
    from lms import migrate

    url = database_url()
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        report = await seed(engine, Shape())
    finally:
        await engine.dispose()
    seconds = None if report.reused else round(report.seconds, 1)
    print(json.dumps({"reused": report.reused, "seed_seconds": seconds, "rows": report.rows}))


if __name__ == "__main__":
    asyncio.run(_main(argparse.ArgumentParser(description=__doc__).parse_args()))
