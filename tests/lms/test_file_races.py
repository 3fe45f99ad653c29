"""Identical uploads racing in the file store: a failed or deleted copy of some content never
takes the blob away from a copy whose row is about to commit, and never leaves a blob behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.db import session_factory
from lms.migrate import upgrade
from lms.models import StoredFile, User
from lms.models.files import StoredBlob
from lms.services import documents, files
from tests.lms.conftest import World
from tests.lms.test_migrations import empty_schema
from tests.sample_files import pdf_bytes

DB = async_sessionmaker[AsyncSession]
# Long enough for an unguarded cleanup to finish; a guarded one waits for the commit instead.
RACE_WINDOW = 1.0


async def stage(root: Path, data: bytes) -> files.StagedFile:
    return await files.receive(
        root, files.iter_bytes(data), allowed=files.DOCUMENT_TYPES, max_bytes=1_000_000
    )


async def fail_to_record(db: DB, root: Path, staged: files.StagedFile) -> None:
    """An upload whose row cannot be written (its owner does not exist) after its blob was."""
    nobody = User(id=999_999)
    with pytest.raises(IntegrityError):
        async with db() as s, s.begin():
            await files.record(s, root, staged, owner=nobody, original_name="a.pdf")
    assert files.blob_path(root, staged.sha256).is_file()


async def record_as(
    s: AsyncSession, root: Path, staged: files.StagedFile, user_id: int, name: str, **where: Any
) -> StoredFile:
    """An upload's second step by a user of the database, in the caller's transaction."""
    owner = await s.get(User, user_id)
    assert owner is not None
    return await files.record(s, root, staged, owner=owner, original_name=name, **where)


async def discard(db: DB, root: Path, sha256: str) -> bool:
    """What an upload route does after its transaction failed: drop the blob if unused."""
    async with db() as s, s.begin():
        return await files.discard_if_unused(s, root, sha256)


async def blob_rows(db: DB, sha256: str) -> int:
    async with db() as s:
        return len(list(await s.scalars(select(StoredBlob).where(StoredBlob.sha256 == sha256))))


async def test_a_failed_upload_leaves_the_blob_of_an_identical_one_committing(
    db: DB, world: World, tmp_path: Path
) -> None:
    data = pdf_bytes(2)
    failing, succeeding = await stage(tmp_path, data), await stage(tmp_path, data)
    await fail_to_record(db, tmp_path, failing)
    async with db() as s, s.begin():
        stored = await record_as(
            s, tmp_path, succeeding, world.teacher.id, "식물.pdf",
            course_id=world.course.id, purpose="document",
        )  # fmt: skip
        # The failed upload cleans up while this one's row is written but not committed.
        cleanup = asyncio.create_task(discard(db, tmp_path, failing.sha256))
        await asyncio.wait({cleanup}, timeout=RACE_WINDOW)
        document = await documents.create_document(
            s, tmp_path, world.teacher, world.course.id, stored, title=None, max_pages=10
        )
    assert await cleanup is False
    assert files.file_path(tmp_path, stored).read_bytes() == data
    assert document.page_count == 2
    page = await documents.page_image(tmp_path / "cache", tmp_path, stored, 1, 480)
    assert page.stat().st_size > 0
    assert await blob_rows(db, stored.sha256) == 1
    assert list((tmp_path / "tmp").iterdir()) == []


async def test_two_failed_identical_uploads_leave_no_blob(
    db: DB, world: World, tmp_path: Path
) -> None:
    data = pdf_bytes(1)
    first, second = await stage(tmp_path, data), await stage(tmp_path, data)
    await fail_to_record(db, tmp_path, first)
    await fail_to_record(db, tmp_path, second)
    removed = await asyncio.gather(
        discard(db, tmp_path, first.sha256), discard(db, tmp_path, second.sha256)
    )
    assert sorted(removed) == [False, True]
    assert not files.blob_path(tmp_path, first.sha256).exists()
    assert await blob_rows(db, first.sha256) == 0
    assert list((tmp_path / "tmp").iterdir()) == []


async def test_deleting_the_last_copy_keeps_the_blob_of_an_identical_upload_committing(
    db: DB, world: World, tmp_path: Path
) -> None:
    data = pdf_bytes(3)
    async with db() as s, s.begin():
        old = await record_as(s, tmp_path, await stage(tmp_path, data), world.teacher.id, "a.pdf")

    async def delete_old() -> None:
        async with db() as s, s.begin():
            await files.delete_file(s, tmp_path, world.teacher, old.id)

    async with db() as s, s.begin():
        new = await record_as(s, tmp_path, await stage(tmp_path, data), world.teacher.id, "b.pdf")
        deleting = asyncio.create_task(delete_old())
        await asyncio.wait({deleting}, timeout=RACE_WINDOW)
    await deleting
    assert files.file_path(tmp_path, new).read_bytes() == data
    assert await blob_rows(db, new.sha256) == 1


async def test_the_migration_gives_every_stored_content_its_blob_row(
    database_url: str, engine: AsyncEngine
) -> None:
    """Revision 0402 fills ``stored_blob`` from the files already stored: one row per content."""
    await empty_schema(engine)
    await asyncio.to_thread(upgrade, database_url, "0401_shared_content")
    async with engine.begin() as conn:  # the user table as it was then, so in plain SQL
        await conn.execute(
            text(
                "INSERT INTO user_account (id, login, display_name, password_hash, role,"
                " is_active, locale, created_at)"
                " VALUES (1, 't', 't', 'x', 'teacher', true, 'ko', '2026-03-02 07:00:00')"
            )
        )
    async with session_factory(engine)() as s, s.begin():
        s.add_all(
            StoredFile(owner_id=1, sha256=digest, size=size, mime=files.PDF,
                       original_name="a.pdf", created_at=datetime(2026, 3, 2, hour, tzinfo=UTC))
            for digest, size, hour in (("a" * 64, 7, 9), ("a" * 64, 7, 8), ("b" * 64, 9, 10))
        )  # fmt: skip
    await asyncio.to_thread(upgrade, database_url, "0402_file_blobs")
    async with session_factory(engine)() as s:
        blobs = list(await s.scalars(select(StoredBlob).order_by(StoredBlob.sha256)))
    assert [(blob.sha256, blob.size, blob.created_at.hour) for blob in blobs] == [
        ("a" * 64, 7, 8),
        ("b" * 64, 9, 10),
    ]
    await asyncio.to_thread(upgrade, database_url)
