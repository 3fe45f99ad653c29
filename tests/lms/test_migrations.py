"""Alembic owns the schema: a fresh database upgraded to head matches the models exactly."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

import lms.models  # noqa: F401
from lms.db import Base, create_engine
from lms.migrate import alembic_config, downgrade, upgrade, upgrade_async


async def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()


def all_revisions() -> set[str]:
    """Every revision of the tree: each feature's migrations may form a branch of their own."""
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def applied(current_heads: tuple[str, ...]) -> set[str]:
    """The revisions a database at ``current_heads`` has applied (heads and their ancestors,
    including those a revision ``depends_on``)."""
    if not current_heads:
        return set()
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.iterate_revisions(current_heads, "base")}


async def revision_and_tables(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: (
                applied(MigrationContext.configure(sync).get_current_heads()),
                set(inspect(sync).get_table_names()) - {"alembic_version"},
            )
        )


async def empty_schema(engine: AsyncEngine) -> None:
    """The ``engine`` fixture created the tables from the models; start from nothing.

    The PostgreSQL database is shared by the run, so an earlier test's version row goes too.
    """
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


async def test_upgrade_to_head_matches_models(database_url: str, engine: AsyncEngine) -> None:
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url)
    assert await schema_differences(database_url) == []
    await asyncio.to_thread(upgrade, database_url)  # a second upgrade is a no-op
    assert await revision_and_tables(engine) == (all_revisions(), set(Base.metadata.tables))


async def test_upgrade_from_async_code(database_url: str, engine: AsyncEngine) -> None:
    await empty_schema(engine)
    await upgrade_async(engine)
    assert await schema_differences(database_url) == []
    await upgrade_async(database_url)  # by URL too, and again a no-op
    upgrade(database_url)  # the sync entry point also works while a loop is running
    assert await revision_and_tables(engine) == (all_revisions(), set(Base.metadata.tables))


async def test_downgrade_to_base_and_back(database_url: str, engine: AsyncEngine) -> None:
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(downgrade, database_url, "base")
    assert await revision_and_tables(engine) == (set(), set())
    await asyncio.to_thread(upgrade, database_url)
    assert await schema_differences(database_url) == []


async def test_room_event_kinds_are_open_after_upgrade(
    database_url: str, engine: AsyncEngine
) -> None:
    """Migration 0002 drops the kind CHECK: a tool's new kind needs no migration of its own."""
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url)
    async with engine.connect() as conn:
        checks = await conn.run_sync(
            lambda sync: inspect(sync).get_check_constraints("room_event")
        )
        school_checks = await conn.run_sync(
            lambda sync: inspect(sync).get_check_constraints("school")
        )
    assert not [check for check in checks if "hand_raised" in check["sqltext"]]
    assert [check for check in school_checks if "elementary" in check["sqltext"]]
