"""The file store: types by content, size limits, content addressing, who may read a file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import StoredFile, User
from lms.services import files
from tests.lms.conftest import World

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n<<>>\nendobj\n" * 5


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PDF_BYTES, files.PDF),
        (PNG_BYTES, files.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", files.JPEG),
        (b"GIF89a\x01\x00", files.GIF),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", files.WEBP),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", files.WAV),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", files.MP4),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", files.M4A),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", files.WEBM),
        (b"ID3\x04\x00\x00", files.MP3),
        (b"\xff\xfb\x90\x64", files.MP3),
        (b"OggS\x00\x02" + b"\x00" * 20 + b"\x01vorbis", files.OGG),
        (b"MZ\x90\x00\x03", files.EXECUTABLE),
        (b"\x7fELF\x02\x01", files.EXECUTABLE),
        (b"hello, world", files.UNKNOWN),
    ],
)
def test_sniff_tells_types_by_their_first_bytes(head: bytes, mime: str) -> None:
    assert files.sniff(head) == mime


def test_clean_name_drops_paths_and_fixes_the_extension() -> None:
    assert files.clean_name("../../etc/passwd.pdf", files.PNG) == "passwd.png"
    assert files.clean_name("C:\\숙제\\광합성 보고서.PDF", files.PDF) == "광합성 보고서.pdf"
    assert files.clean_name("사진.jpeg", files.JPEG) == "사진.jpeg"
    assert files.clean_name("3.1 단원", files.PDF) == "3.1 단원.pdf"
    assert files.clean_name("", files.PDF) == "file.pdf"
    assert files.clean_name("a\x00b\nc.gif", files.GIF) == "abc.gif"


async def save(
    db: async_sessionmaker[AsyncSession],
    root: Path,
    owner: User,
    data: bytes,
    name: str,
    *,
    allowed: frozenset[str] = files.DOCUMENT_TYPES,
    max_bytes: int = 10_000,
    course_id: int | None = None,
    purpose: str = "document",
) -> StoredFile:
    async with db() as s, s.begin():
        return await files.save_upload(
            s,
            root,
            owner,
            files.iter_bytes(data, chunk=64),
            original_name=name,
            allowed=allowed,
            max_bytes=max_bytes,
            course_id=course_id,
            purpose=purpose,
        )


async def test_a_png_named_pdf_is_stored_as_a_png(
    db: async_sessionmaker[AsyncSession], world: World, tmp_path: Path
) -> None:
    stored = await save(db, tmp_path, world.teacher, PNG_BYTES, "worksheet.pdf")
    assert stored.mime == files.PNG
    assert stored.original_name == "worksheet.png"
    assert stored.size == len(PNG_BYTES)
    assert files.file_path(tmp_path, stored).read_bytes() == PNG_BYTES
    assert stored.sha256 in str(files.file_path(tmp_path, stored))
    with pytest.raises(files.UnsupportedType) as refused:
        await save(db, tmp_path, world.teacher, PNG_BYTES, "a.pdf", allowed=frozenset({files.PDF}))
    assert refused.value.details["detected"] == files.PNG


async def test_an_oversized_upload_is_refused_and_leaves_nothing(
    db: async_sessionmaker[AsyncSession], world: World, tmp_path: Path
) -> None:
    with pytest.raises(files.PayloadTooLarge) as refused:
        await save(db, tmp_path, world.teacher, PDF_BYTES * 100, "big.pdf", max_bytes=1000)
    assert refused.value.http_status == 413
    assert list((tmp_path / "tmp").iterdir()) == []
    with pytest.raises(InvalidInput):
        await save(db, tmp_path, world.teacher, b"", "empty.pdf")


async def test_an_executable_renamed_as_a_video_is_refused(
    db: async_sessionmaker[AsyncSession], world: World, tmp_path: Path
) -> None:
    program = b"MZ\x90\x00" + b"\x00" * 500
    with pytest.raises(files.UnsupportedType) as refused:
        await save(db, tmp_path, world.teacher, program, "lesson.mp4", allowed=files.MEDIA_TYPES)
    assert refused.value.details["detected"] == files.EXECUTABLE
    assert refused.value.http_status == 415
    assert list((tmp_path / "tmp").iterdir()) == []


async def test_office_files_are_told_apart_by_what_the_zip_holds(
    db: async_sessionmaker[AsyncSession], world: World, tmp_path: Path
) -> None:
    stored = await save(
        db, tmp_path, world.students[0], docx_bytes(), "보고서.zip",
        allowed=files.SUBMISSION_TYPES, purpose="submission", course_id=world.course.id,
    )  # fmt: skip
    assert stored.mime == files.DOCX
    assert stored.original_name == "보고서.docx"


async def test_same_content_is_stored_once_and_deleted_with_its_last_row(
    db: async_sessionmaker[AsyncSession], world: World, tmp_path: Path
) -> None:
    first = await save(db, tmp_path, world.teacher, PDF_BYTES, "a.pdf", course_id=world.course.id)
    second = await save(db, tmp_path, world.teacher, PDF_BYTES, "b.pdf")
    assert first.id != second.id and first.sha256 == second.sha256
    blob = files.file_path(tmp_path, first)
    async with db() as s, s.begin():
        with pytest.raises(Forbidden):
            await files.delete_file(s, tmp_path, world.students[0], first.id)
    async with db() as s, s.begin():
        await files.delete_file(s, tmp_path, world.teacher, first.id)
    assert blob.is_file()
    async with db() as s, s.begin():
        await files.delete_file(s, tmp_path, world.teacher, second.id)
    assert not blob.exists()


async def test_who_may_read_a_file(
    db: async_sessionmaker[AsyncSession], world: World, tmp_path: Path
) -> None:
    shown = await save(db, tmp_path, world.teacher, PDF_BYTES, "a.pdf", course_id=world.course.id)
    handed_in = await save(
        db, tmp_path, world.students[0], PDF_BYTES, "mine.pdf",
        course_id=world.course.id, purpose="submission",
    )  # fmt: skip
    async with db() as s:
        for reader in (world.teacher, world.students[1], world.school_admin, world.admin):
            assert (await files.require_readable(s, reader, shown.id)).id == shown.id
        for outsider in (world.other_teacher, world.other_school_admin):
            with pytest.raises(NotFound):
                await files.require_readable(s, outsider, shown.id)
        # A student's submission: the student and the course's teachers, not classmates.
        assert await files.may_read(s, world.students[0], handed_in)
        assert await files.may_read(s, world.teacher, handed_in)
        assert not await files.may_read(s, world.students[1], handed_in)
        with pytest.raises(NotFound):
            await files.require_readable(s, world.students[1], 999_999)


async def test_a_read_policy_can_grant_reading_for_its_purpose(
    db: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    peer = await save(
        db, tmp_path, world.students[0], PDF_BYTES, "peer.pdf",
        course_id=world.course.id, purpose="peer_review",
    )  # fmt: skip

    async def reviewers(s: AsyncSession, user: User, stored: StoredFile) -> bool:
        return user.id == world.students[1].id

    monkeypatch.setitem(files.READ_POLICIES, "peer_review", reviewers)
    async with db() as s:
        assert await files.may_read(s, world.students[1], peer)
        assert not await files.may_read(s, world.students[2], peer)
