"""Lessons: ``lesson.file_id`` becomes a foreign key to the file store (ON DELETE RESTRICT).

A file a lesson shows can no longer be deleted, so a document or video lesson never points at
nothing. Lessons that already point at a deleted file are hidden (a draft the teacher sees) and
their file cleared, so the key can be added; their ids are logged.

SQLite cannot add a key to a table: the table is rebuilt (batch mode). Its rebuild drops the
old table, which the students' progress rows refer to, so those rows and the lessons are set
aside in temporary tables and put back into the rebuilt table, every step keeping every key.

Revision ID: 0502_lesson_file_key
Revises: 0501_courseware
Depends on: 0401_shared_content (the file store's ``stored_file``)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0502_lesson_file_key"
down_revision: str | None = "0501_courseware"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0401_shared_content"

KEY = "fk_lesson_file_id_stored_file"
INDEX = "ix_lesson_file_id"
# The tables whose rows are set aside while ``lesson`` is rebuilt on SQLite, parents first.
SET_ASIDE = ("lesson", "lesson_progress")

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    _clear_missing_files()
    _rebuild_lesson(_add_key)


def downgrade() -> None:
    _rebuild_lesson(_drop_key)


def _add_key(batch_op: BatchOperations) -> None:
    batch_op.create_index(batch_op.f(INDEX), ["file_id"], unique=False)
    batch_op.create_foreign_key(
        batch_op.f(KEY), "stored_file", ["file_id"], ["id"], ondelete="RESTRICT"
    )


def _drop_key(batch_op: BatchOperations) -> None:
    batch_op.drop_constraint(batch_op.f(KEY), type_="foreignkey")
    batch_op.drop_index(batch_op.f(INDEX))


def _clear_missing_files() -> None:
    """Hide the lessons whose file is gone and clear the file, so the key can hold."""
    lesson = sa.table(
        "lesson", sa.column("id"), sa.column("file_id"), sa.column("visible", sa.Boolean)
    )
    stored_file = sa.table("stored_file", sa.column("id"))
    missing = sa.and_(
        lesson.c.file_id.is_not(None),
        ~sa.exists().where(stored_file.c.id == lesson.c.file_id),
    )
    bind = op.get_bind()
    ids = list(bind.execute(sa.select(lesson.c.id).where(missing)).scalars())
    if not ids:
        return
    log.warning("lessons %s pointed at deleted files: hidden, file cleared", ids)
    bind.execute(lesson.update().where(lesson.c.id.in_(ids)).values(file_id=None, visible=False))


def _rebuild_lesson(change: Callable[[BatchOperations], None]) -> None:
    """Apply ``change`` to ``lesson``; on SQLite with its rows and their progress set aside."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("lesson", schema=None) as batch_op:
            change(batch_op)
        return
    columns = {name: _columns(bind, name) for name in SET_ASIDE}
    for name in SET_ASIDE:
        bind.exec_driver_sql(f"CREATE TEMP TABLE _aside_{name} AS SELECT * FROM {name}")
    for name in reversed(SET_ASIDE):  # children first
        bind.exec_driver_sql(f"DELETE FROM {name}")
    with op.batch_alter_table("lesson", schema=None, recreate="always") as batch_op:
        change(batch_op)
    for name in SET_ASIDE:  # parents first
        listed = ", ".join(columns[name])
        bind.exec_driver_sql(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM _aside_{name}")
        bind.exec_driver_sql(f"DROP TABLE _aside_{name}")


def _columns(bind: sa.Connection, table: str) -> list[str]:
    return [f'"{column["name"]}"' for column in sa.inspect(bind).get_columns(table)]
