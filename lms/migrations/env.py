"""Alembic environment: runs migrations over the same async engine the platform uses.

Two ways in: ``lms.migrate.upgrade`` passes a URL and this module opens (and disposes of) its
own engine; ``lms.migrate.upgrade_async`` passes a connection it already holds, so a running
event loop can migrate without a second loop.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import lms.models  # noqa: F401  (registers every table)
from lms.db import Base, create_engine

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
given = config.attributes.get("connection")
if given is not None:
    run_on(given)
else:
    asyncio.run(run_online(config.attributes["database_url"]))
