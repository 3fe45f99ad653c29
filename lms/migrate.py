"""Apply the schema with Alembic, programmatically: no alembic.ini to keep in step."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from lms.db import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    """A config for a URL (env.py opens its own engine) or for a connection already open."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    config.attributes["connection"] = connection
    return config


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database to ``revision``. Synchronous: the CLI calls it before the loop runs.

    Called from a thread that already runs an event loop, the work moves to a helper thread
    (env.py needs a loop of its own); the caller blocks until it is done either way.
    """
    if not _in_running_loop():
        command.upgrade(alembic_config(database_url), revision)
        return
    failure: list[BaseException] = []

    def work() -> None:
        try:
            command.upgrade(alembic_config(database_url), revision)
        except BaseException as error:  # re-raised in the caller's thread
            failure.append(error)

    thread = threading.Thread(target=work, name="newssem-migrate")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def downgrade(database_url: str, revision: str) -> None:
    """Step the schema back (development and tests; production only moves forward)."""
    command.downgrade(alembic_config(database_url), revision)


async def upgrade_async(engine_or_url: AsyncEngine | str, revision: str = "heads") -> None:
    """Upgrade from async code, over the caller's engine, without blocking the event loop."""
    owned = isinstance(engine_or_url, str)
    engine = create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.upgrade(alembic_config(connection=sync), revision)
            )
    finally:
        if owned:
            await engine.dispose()


def revision(database_url: str, message: str) -> None:
    """Write a new revision from the difference between the models and the database."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
