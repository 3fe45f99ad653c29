"""Where the real PostgreSQL and Redis for tests live, and the rule for when they are missing.

Outside CI a missing service skips the tests that need it; in CI (``CI=true``) it fails them,
so a green CI always means the tests really talked to both servers.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

POSTGRES_URL = os.environ.get(
    "NEWSSEM_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("NEWSSEM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_service(what: str, error: BaseException) -> None:
    """Skip locally, fail in CI."""
    message = f"{what} is not reachable: {error!r}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _create_database(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class ScratchPostgres:
    """A throwaway database on the test server, so parallel runs never see each other's rows."""

    def __init__(self, server_url: str = POSTGRES_URL) -> None:
        self.server_url = server_url
        self.name = f"newssem_t_{uuid.uuid4().hex[:12]}"
        base, _, _ = server_url.rpartition("/")
        self.url = f"{base}/{self.name}"

    def create(self) -> None:
        asyncio.run(_create_database(self.server_url, self.name))

    def drop(self) -> None:
        asyncio.run(_drop_database(self.server_url, self.name))


async def redis_reachable(url: str = REDIS_URL) -> None:
    import redis.asyncio as redis

    client = redis.from_url(url, socket_connect_timeout=3)
    try:
        await client.ping()
    finally:
        await client.aclose()
