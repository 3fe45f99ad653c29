"""Seeding the demo course's class document: once only, and never a failed start without a font."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.hospital_rules import NoticeSettings
from lms.models import CourseDocument, Lesson, LessonKind, StoredFile
from lms.models.files import StoredBlob
from lms.services import demo, demo_document

DB = async_sessionmaker[AsyncSession]


async def seed(db: DB, root: Path, font: NoticeSettings | None = None) -> demo.DemoLogins:
    async with db() as s, s.begin():
        return await demo.seed_demo(s, files_root=root, font=font)


def files_on_disk(root: Path) -> list[str]:
    return sorted(path.name for path in root.rglob("*") if path.is_file())


async def what_is_stored(db: DB, root: Path) -> tuple[object, ...]:
    async with db() as s:
        counts = [
            await s.scalar(select(func.count()).select_from(model))
            for model in (StoredFile, StoredBlob, CourseDocument, Lesson)
        ]
        documents = await s.scalar(select(func.count()).where(Lesson.kind == LessonKind.DOCUMENT))
    return (*counts, documents, files_on_disk(root))


async def test_seeding_twice_adds_nothing(db: DB, tmp_path: Path) -> None:
    root = tmp_path / "files"
    await seed(db, root)
    first = await what_is_stored(db, root)
    stored_files, blob_rows, documents, _lessons, document_lessons, blobs = first
    assert (stored_files, blob_rows, documents, document_lessons, len(blobs)) == (1, 1, 1, 1, 1)
    await seed(db, root)
    assert await what_is_stored(db, root) == first


async def test_without_its_font_the_demo_starts_without_the_document(
    db: DB, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = NoticeSettings(font_path=tmp_path / "no-such-font.ttc")
    with caplog.at_level(logging.WARNING, logger=demo_document.__name__):
        logins = await seed(db, tmp_path / "files", missing)
    assert "no-such-font.ttc" in caplog.text and "fonts-noto-cjk" in caplog.text
    async with db() as s:
        assert await s.scalar(select(func.count()).select_from(CourseDocument)) == 0
    await seed(db, tmp_path / "files")  # the font installed: the next seed adds it
    async with db() as s:
        titles = list(await s.scalars(select(CourseDocument.title)))
        assert titles == [demo_document.DEMO_DOCUMENT_TITLE]
        assert logins.course_id == await s.scalar(select(CourseDocument.course_id))
