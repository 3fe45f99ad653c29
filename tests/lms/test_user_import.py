"""CSV import of accounts: all or nothing, every bad row reported with its line and reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from lms.models import AuthToken, Enrolment, Role, User
from lms.services import accounts, user_admin, user_import
from lms.services.user_import import OTP_LENGTH
from tests.lms.conftest import PASSWORD, World

Db = async_sessionmaker[AsyncSession]
GOOD = (
    "login,display_name,role,school_code,password\n"
    "kim.minji,김민지,student,S1,\n"
    "lee.seojun,이서준,student,S1,seojun-pass-1\n"
    "park.t,박선생,교사,S1,\n"
)


async def run_import(db: Db, actor: User, data: bytes) -> list[user_import.ImportRow]:
    async with db() as session:
        plan = await user_import.check_import(session, actor, data)
    assert plan.ok, plan.errors
    await user_import.hash_passwords(plan)
    async with db() as session, session.begin():
        await user_import.apply_import(session, actor, plan)
    return plan.rows


async def count_users(db: Db) -> int:
    async with db() as session:
        return await session.scalar(select(func.count(User.id))) or 0


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
async def test_import_with_or_without_bom_creates_everyone(
    db: Db, world: World, bom: bytes
) -> None:
    rows = await run_import(db, world.school_admin, bom + GOOD.encode())
    generated = {row.login: row.password for row in rows if row.generated}
    assert set(generated) == {"kim.minji", "park.t"}
    assert all(len(password) == OTP_LENGTH for password in generated.values())
    assert {row.login: row.role for row in rows}["park.t"] is Role.TEACHER  # "교사"
    async with db() as session, session.begin():
        imported_hash = await session.scalar(
            select(User.password_hash).where(User.login == "kim.minji")
        )
        assert accounts.hasher.check_needs_rehash(imported_hash)  # the cheaper import profile
        kim = await accounts.authenticate(session, "kim.minji", generated["kim.minji"])
        assert not accounts.hasher.check_needs_rehash(kim.password_hash)  # upgraded at login
        assert (kim.display_name, kim.role.value, kim.school_id) == (
            "김민지",
            "student",
            world.school.id,
        )
        await accounts.authenticate(session, "lee.seojun", "seojun-pass-1")


async def test_every_bad_row_is_reported_and_nothing_stored(db: Db, world: World) -> None:
    before = await count_users(db)
    data = (
        "login,display_name,role,school_code\n"
        "ok.one,하나,student,S1\n"
        "dup,둘,student,S1\n"
        "DUP,셋,student,S1\n"  # same login as line 3, whatever the case
        "student1,넷,student,S1\n"  # taken in the database
        "five,다섯,student,NOPE\n"  # unknown school
        "six,여섯,principal,S1\n"  # bad role
        "sev en,일곱,student,S1\n"  # bad login
        "eight,,student,S1\n"  # missing name
        "nine,아홉,admin,S1\n"  # admins are never imported
    ).encode()
    async with db() as session:
        plan = await user_import.check_import(session, world.admin, data)
    assert [(e.line, e.reason) for e in plan.errors] == [
        (4, "duplicate_in_file"),
        (5, "login_taken"),
        (6, "unknown_school"),
        (7, "bad_role"),
        (8, "bad_login"),
        (9, "missing_value"),
        (10, "bad_role"),
    ]
    assert "line 3" in plan.errors[0].message
    with pytest.raises(Conflict):
        async with db() as session, session.begin():
            await user_import.apply_import(session, world.admin, plan)
    assert await count_users(db) == before


@pytest.mark.parametrize(
    ("header", "missing", "unknown"),
    [
        ("login,name,role,school_code", ["display_name"], ["name"]),
        ("login,display_name,role", ["school_code"], []),
        ("login,display_name,role,school_code,email", [], ["email"]),
    ],
)
async def test_wrong_columns_refuse_the_file(
    db: Db, world: World, header: str, missing: list[str], unknown: list[str]
) -> None:
    async with db() as session:
        with pytest.raises(InvalidInput) as caught:
            await user_import.check_import(session, world.admin, f"{header}\na,b,c,d\n".encode())
    assert caught.value.details["reason"] == "wrong_columns"
    assert caught.value.details["missing"] == missing
    assert caught.value.details["unknown"] == unknown


async def test_unreadable_files_are_refused(db: Db, world: World) -> None:
    async with db() as session:
        for data, reason in [
            ("login,display_name,role,school_code\n김,x,student,S1\n".encode("cp949"), "not_utf8"),
            (b"", "empty"),
            (b"login,display_name,role,school_code\n", "no_rows"),
        ]:
            with pytest.raises(InvalidInput) as caught:
                await user_import.check_import(session, world.admin, data)
            assert caught.value.details["reason"] == reason


async def test_school_admin_imports_into_own_school_only(db: Db, world: World) -> None:
    data = (
        "login,display_name,role,school_code\na1,가,student,S2\na2,나,school_admin,S1\n"
    ).encode()
    async with db() as session:
        plan = await user_import.check_import(session, world.school_admin, data)
        assert [(e.line, e.reason) for e in plan.errors] == [
            (2, "other_school"),
            (3, "role_not_allowed"),
        ]
        with pytest.raises(Forbidden):
            await user_import.check_import(session, world.teacher, GOOD.encode())


async def test_login_taken_between_check_and_apply_stores_nothing(db: Db, world: World) -> None:
    async with db() as session:
        plan = await user_import.check_import(session, world.admin, GOOD.encode())
    await user_import.hash_passwords(plan)
    async with db() as session, session.begin():
        await accounts.create_user(
            session,
            login="park.t",
            display_name="x",
            password=PASSWORD,
            role="teacher",
            school_id=world.school.id,
        )
    before = await count_users(db)
    with pytest.raises(Conflict):
        async with db() as session, session.begin():
            await user_import.apply_import(session, world.admin, plan)
    assert await count_users(db) == before


async def test_deactivation_revokes_tokens_keeps_records_and_reactivates(
    db: Db, world: World
) -> None:
    student = world.students[0]
    async with db() as session, session.begin():
        raw, _ = await accounts.issue_token(
            session, await session.get(User, student.id), timedelta(hours=1)
        )
    async with db() as session, session.begin():
        await user_admin.deactivate_user(session, world.school_admin, student.id)
    async with db() as session:
        with pytest.raises(NotAuthenticated):
            await accounts.user_for_token(session, raw)
        with pytest.raises(NotAuthenticated):
            await accounts.authenticate(session, student.login, PASSWORD)
        tokens = await session.scalars(select(AuthToken).where(AuthToken.user_id == student.id))
        assert all(token.revoked_at is not None for token in tokens)
        kept = await session.scalar(select(Enrolment.id).where(Enrolment.user_id == student.id))
        assert kept is not None
    async with db() as session, session.begin():
        with pytest.raises(Forbidden):
            await user_admin.deactivate_user(session, world.other_school_admin, student.id)
        with pytest.raises(Forbidden):
            await user_admin.deactivate_user(session, world.school_admin, world.other_teacher.id)
        with pytest.raises(Conflict):
            await user_admin.deactivate_user(session, world.admin, world.admin.id)
        await user_admin.reactivate_user(session, world.school_admin, student.id)
    async with db() as session:
        await accounts.authenticate(session, student.login, PASSWORD)


async def test_user_list_searches_filters_pages_and_is_scoped(db: Db, world: World) -> None:
    await run_import(db, world.admin, GOOD.encode())
    async with db() as session:
        page = await user_admin.list_users(session, world.school_admin, q="김민", limit=10)
        assert [user.login for user in page.items] == ["kim.minji"]
        page = await user_admin.list_users(session, world.school_admin, role="student", limit=2)
        assert page.total == 5 and len(page.items) == 2
        everyone = await user_admin.list_users(session, world.other_school_admin, limit=100)
        assert {user.school_id for user in everyone.items} == {world.other_school.id}
        with pytest.raises(Forbidden):
            await user_admin.list_users(
                session, world.other_school_admin, school_id=world.school.id
            )
        with pytest.raises(Forbidden):
            await user_admin.list_users(session, world.teacher)
        literal = await user_admin.list_users(session, world.admin, q="%")
        assert literal.total == 0


async def test_the_district_search_reads_the_trigram_indexes(
    db: Db, world: World, engine: AsyncEngine
) -> None:
    """``lower(…) LIKE '%term%'`` over every school: on PostgreSQL the very statements the
    search runs can use the trigram indexes; SQLite has none (and scans one school's people)."""
    trigram = {"ix_user_account_login_trgm", "ix_user_account_display_name_trgm"}
    async with engine.connect() as conn:
        indexes = await conn.run_sync(lambda sync: inspect(sync).get_indexes("user_account"))
    made = {index["name"] for index in indexes} & trigram
    if engine.dialect.name != "postgresql":
        assert made == set()
        return
    assert made == trigram
    ran: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "LIKE" in statement:
            ran.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db() as session:
            page = await user_admin.list_users(session, world.admin, q="Student")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert page.total == len(world.students)
    assert len(ran) == 2  # the count and the page
    async with engine.connect() as conn:
        # A handful of rows: without this the planner rightly reads the table instead.
        await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for statement, parameters in ran:
            plan = await conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            used = "\n".join(row[0] for row in plan)
            assert all(name in used for name in trigram), used
