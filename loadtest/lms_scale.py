"""Benchmark: the LMS at the district's full size, measured through the real HTTP API.

    NEWSSEM_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/newssem_scale \\
        python -m loadtest.lms_scale --json

Migrates the database (``lms.migrate``), seeds the full shape (``loadtest.lms_seed``: 146
schools, 4,964 courses, 100,000 students, their enrolments, past sessions with attendance,
gradebooks) or reuses it when already there, then starts the app in this process (aiohttp's
``TestServer`` on a real socket, so the figures include routing, authentication, the views and
JSON or XLSX rendering) and times, after a warm-up, ``--requests`` requests each of:

- the course list (``GET /api/courses``) of a teacher and of a school admin;
- the gradebook of a 30-student course (``GET /api/courses/{id}/gradebook``);
- an attendance month export as XLSX (``GET /api/courses/{id}/attendance-book/export``).

Prints one JSON object: ``seed_seconds`` (null when the shape was reused), the p95 of each in
milliseconds (``course_list_ms_p95`` is the slower of the two course lists), p50s, the row
counts and the machine's load average, which matters on a shared machine.
The database must be one of its own: the benchmark refuses the ``test`` database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from lms import migrate
from lms.db import create_engine
from lms.models import Course, Enrolment, LiveSession, School, User
from loadtest.lms_seed import CODE_PREFIX, PASSWORD, Shape, check_url, seed

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/newssem_scale"


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile of the samples (``share`` in 0..1)."""
    ordered = sorted(samples)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


async def ensure_database(url: str) -> None:
    """Create the PostgreSQL database the URL names when it does not exist yet."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    import asyncpg

    admin = parsed.set(database="postgres", drivername="postgresql")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False), timeout=5)
    try:
        exists = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
        )
        if not exists:
            await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()


async def reset_database(url: str) -> None:
    """Empty the benchmark's own database (``--reseed``): drop every table and type."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                from sqlalchemy import text

                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            else:
                raise SystemExit("--reseed is for PostgreSQL; delete the SQLite file instead")
    finally:
        await engine.dispose()


async def targets(url: str) -> dict[str, Any]:
    """What to measure: the first seeded school's admin, a teacher, a full course and a month."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            school_id = await conn.scalar(
                select(School.id).where(School.code == f"{CODE_PREFIX}000")
            )
            admin = await conn.scalar(
                select(User.login).where(User.school_id == school_id, User.role == "school_admin")
            )
            full = (
                select(Enrolment.course_id, func.count().label("n"))
                .join(Course, Course.id == Enrolment.course_id)
                .where(Course.school_id == school_id, Enrolment.role == "student")
                .group_by(Enrolment.course_id)
                .order_by(func.count().desc(), Enrolment.course_id)
                .limit(1)
            )
            course_id, students = (await conn.execute(full)).one()
            teacher = await conn.scalar(
                select(User.login)
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.course_id == course_id, Enrolment.role == "teacher")
            )
            start = await conn.scalar(
                select(func.max(LiveSession.scheduled_start)).where(
                    LiveSession.course_id == course_id
                )
            )
            counts = {
                name: await conn.scalar(select(func.count()).select_from(model))
                for name, model in (
                    ("schools", School),
                    ("courses", Course),
                    ("users", User),
                    ("enrolments", Enrolment),
                    ("live_sessions", LiveSession),
                )
            }
    finally:
        await engine.dispose()
    from lms.services.attendance_book import month_of

    return {
        "admin": admin,
        "teacher": teacher,
        "course_id": course_id,
        "course_students": students,
        "month": month_of(start) if start is not None else None,
        "counts": counts,
    }


async def timed(call: Callable[[], Awaitable[int]], requests: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(requests):
        began = time.perf_counter()
        status = await call()
        samples.append((time.perf_counter() - began) * 1000)
        if status != 200:
            raise RuntimeError(f"a measured request answered {status}")
    return samples


async def measure(url: str, found: dict[str, Any], requests: int, warmup: int) -> dict[str, Any]:
    from server.app import init_app
    from server.settings import Settings

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), database_url=url, secret_key="bench")
        async with TestClient(TestServer(init_app(settings))) as client:

            async def login(name: str) -> dict[str, str]:
                response = await client.post(
                    "/api/auth/login", json={"login": name, "password": PASSWORD}
                )
                if response.status != 200:
                    raise RuntimeError(f"login {name}: {response.status} {await response.text()}")
                client.session.cookie_jar.clear()
                return {"Authorization": f"Bearer {(await response.json())['token']}"}

            teacher = await login(found["teacher"])
            admin = await login(found["admin"])
            course = found["course_id"]

            def get(path: str, headers: dict[str, str]) -> Callable[[], Awaitable[int]]:
                async def call() -> int:
                    async with client.get(path, headers=headers) as response:
                        await response.read()
                        return response.status

                return call

            month = f"&month={found['month']}" if found["month"] else ""
            runs = {
                "course_list_teacher": get("/api/courses", teacher),
                "course_list_school_admin": get("/api/courses", admin),
                "gradebook": get(f"/api/courses/{course}/gradebook", teacher),
                "attendance_export": get(
                    f"/api/courses/{course}/attendance-book/export?format=xlsx{month}", teacher
                ),
            }
            samples = {name: await timed(call, requests, warmup) for name, call in runs.items()}
    out: dict[str, Any] = {}
    for name, values in samples.items():
        out[f"{name}_ms_p95"] = round(percentile(values, 0.95), 1)
        out[f"{name}_ms_p50"] = round(statistics.median(values), 1)
    out["course_list_ms_p95"] = max(
        out["course_list_teacher_ms_p95"], out["course_list_school_admin_ms_p95"]
    )
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = os.environ.get("NEWSSEM_DATABASE_URL") or DEFAULT_URL
    check_url(url)
    await ensure_database(url)
    if args.reseed:
        await reset_database(url)
    began = time.perf_counter()
    migrate.upgrade(url)
    migrate_seconds = time.perf_counter() - began
    shape = Shape(schools=args.schools, students=args.students)
    engine = create_engine(url)
    try:
        report = await seed(engine, shape)
    finally:
        await engine.dispose()
    result: dict[str, Any] = {
        "database": make_url(url).get_backend_name(),
        "seed_seconds": None if report.reused else round(report.seconds, 1),
        "reused": report.reused,
        "migrate_seconds": round(migrate_seconds, 1),
        "rows_written": report.rows,
    }
    if args.seed_only:
        return result
    found = await targets(url)
    result.update(await measure(url, found, args.requests, args.warmup))
    result["requests_each"] = args.requests
    result["course_students"] = found["course_students"]
    result["shape"] = found["counts"]
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["cpus"] = os.cpu_count()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="LMS scale benchmark")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--seed-only", action="store_true", help="migrate and seed, then stop")
    parser.add_argument("--reseed", action="store_true", help="empty the database first")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--schools", type=int, default=Shape.schools)
    parser.add_argument("--students", type=int, default=Shape.students)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
