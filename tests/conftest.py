"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL), Redis, settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import lms.models  # noqa: F401  (registers every table on Base.metadata)
from lms.db import Base, create_engine, session_factory
from server.settings import Settings
from tests.services import REDIS_URL, ScratchPostgres, missing_service, redis_reachable


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One scratch PostgreSQL database for the whole run; tables are emptied between tests."""
    scratch = ScratchPostgres()
    try:
        scratch.create()
    except Exception as error:  # any connection failure means the service is missing
        missing_service("PostgreSQL", error)
    try:
        yield scratch.url
    finally:
        scratch.drop()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on both backends the platform supports."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    try:
        yield engine
    finally:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await engine.dispose()


@pytest.fixture
def db(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory; tests open one session per unit of work, as the server does."""
    return session_factory(engine)


@pytest.fixture
async def redis_url() -> str:
    try:
        await redis_reachable(REDIS_URL)
    except Exception as error:
        missing_service("Redis", error)
    return REDIS_URL


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Node settings for a test: its own data dir and database, quick attendance grace."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret",
        ice_address="127.0.0.1",
    )
