"""Alembic owns the schema: a fresh database upgraded to head matches the models exactly."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import lms.models  # noqa: F401
from lms.db import Base, create_engine
from lms.migrate import upgrade


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


async def test_upgrade_to_head_matches_models(database_url: str, engine) -> None:
    # The ``engine`` fixture created the tables from the models; start from an empty schema.
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
    await asyncio.to_thread(upgrade, database_url)
    assert await schema_differences(database_url) == []
    await asyncio.to_thread(upgrade, database_url)  # a second upgrade is a no-op
