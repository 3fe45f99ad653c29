"""The file store's start-up sweep: what crashed uploads left is removed once it is an hour old;
an upload still streaming or still committing is never touched."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import User
from lms.models.files import StoredBlob
from lms.services import file_sweep, files
from tests.lms.conftest import World
from tests.lms.test_file_races import RACE_WINDOW, record_as
from tests.sample_files import pdf_bytes

DB = async_sessionmaker[AsyncSession]
TWO_HOURS = 2 * 3600


def age(path: Path, seconds: float) -> Path:
    """Make ``path`` look last written ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def crashed_blob(root: Path, data: bytes, *, seconds_ago: float = TWO_HOURS) -> str:
    """A blob placed by an upload whose row never committed."""
    digest = hashlib.sha256(data).hexdigest()
    path = files.blob_path(root, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    age(path, seconds_ago)
    return digest


def crashed_upload(root: Path, name: str, *, seconds_ago: float = TWO_HOURS) -> Path:
    tmp = root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_bytes(b"%PDF-1.4 half an upload")
    return age(path, seconds_ago)


async def upload(db: DB, root: Path, owner: User, data: bytes) -> files.StoredFile:
    async with db() as s, s.begin():
        return await files.save_upload(
            s, root, owner, files.iter_bytes(data), original_name="a.pdf",
            allowed=files.DOCUMENT_TYPES, max_bytes=1_000_000,
        )  # fmt: skip


async def test_old_leftovers_go_and_everything_else_stays(
    db: DB, world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "files"
    used = await upload(db, root, world.teacher, pdf_bytes(1))
    age(files.blob_path(root, used.sha256), TWO_HOURS)
    orphan = crashed_blob(root, pdf_bytes(2))
    young_orphan = crashed_blob(root, pdf_bytes(3), seconds_ago=600)
    stale = crashed_upload(root, "upload-00000000000000aa")
    fresh = crashed_upload(root, "upload-00000000000000bb", seconds_ago=600)
    stranger = root / "ab" / "cd" / "notes.txt"  # not a blob: never the sweep's to remove
    stranger.parent.mkdir(parents=True)
    stranger.write_text("not a blob")
    age(stranger, TWO_HOURS)

    with caplog.at_level(logging.INFO, logger=file_sweep.__name__):
        report = await file_sweep.sweep(db, root)

    assert report.temporary == [stale.name]
    assert report.orphans == [orphan]
    assert not stale.exists() and fresh.is_file()
    assert not files.blob_path(root, orphan).exists()
    assert files.blob_path(root, young_orphan).is_file()  # may be an upload about to commit
    assert files.file_path(root, used).read_bytes() == pdf_bytes(1)
    assert stranger.is_file()
    logged = caplog.text
    assert stale.name in logged and orphan in logged and young_orphan not in logged
    assert "1 temporary files and 1 unused blobs removed" in logged
    again = await file_sweep.sweep(db, root)
    assert (again.temporary, again.orphans) == ([], [])


async def test_an_empty_or_missing_store_sweeps_nothing(db: DB, tmp_path: Path) -> None:
    report = await file_sweep.sweep(db, tmp_path / "never-used")
    assert (report.temporary, report.orphans) == ([], [])


async def test_an_upload_still_streaming_keeps_its_temporary_file(
    db: DB, world: World, tmp_path: Path
) -> None:
    data = pdf_bytes(2)
    halfway = asyncio.Event()
    go_on = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield data[:100]
        halfway.set()
        await go_on.wait()
        yield data[100:]

    receiving = asyncio.create_task(
        files.receive(tmp_path, slow_body(), allowed=files.DOCUMENT_TYPES, max_bytes=1_000_000)
    )
    await halfway.wait()
    report = await file_sweep.sweep(db, tmp_path)
    go_on.set()
    staged = await receiving
    assert report.temporary == []
    assert staged.path.read_bytes() == data


async def test_an_old_unused_blob_an_upload_is_committing_stays(
    db: DB, world: World, tmp_path: Path
) -> None:
    """A crash left the blob; the same bytes are uploaded again while the node starts."""
    data = pdf_bytes(2)
    digest = crashed_blob(tmp_path, data)
    staged = await files.receive(
        tmp_path, files.iter_bytes(data), allowed=files.DOCUMENT_TYPES, max_bytes=1_000_000
    )
    async with db() as s, s.begin():
        stored = await record_as(s, tmp_path, staged, world.teacher.id, "a.pdf")
        sweeping = asyncio.create_task(file_sweep.sweep(db, tmp_path))
        await asyncio.wait({sweeping}, timeout=RACE_WINDOW)
    report = await sweeping
    assert report.orphans == []
    assert stored.sha256 == digest
    assert files.file_path(tmp_path, stored).read_bytes() == data
    async with db() as s:
        assert await s.scalar(select(StoredBlob.size).where(StoredBlob.sha256 == digest)) == len(
            data
        )
