"""The platform's file store: uploads streamed to disk, typed by content, read by permission.

An upload is taken in two steps so that no database connection is held while bytes trickle in:
``receive`` streams the body to a temporary file (hashing it, enforcing the size limit, detecting
the type from its first bytes) and ``record`` writes the ``StoredFile`` row. ``save_upload`` does
both for callers that don't mind. The type comes from the content ("magic bytes"), never from
the client's file name or Content-Type, and each use passes its own allow-list, so a ``.pdf``
that is really a PNG is a PNG, and an executable renamed ``.mp4`` is refused.

Blobs live under ``<data_dir>/files/<aa>/<bb>/<sha256>``: the same content uploaded twice is
stored once. A blob is placed on disk and removed from it only while its ``StoredBlob`` row is
locked (``hold_blob``), and that lock lasts until the transaction ends: a removal counts the rows
using the content only once every upload of it that came first has committed or rolled back, and
an upload that comes after a removal puts its own copy back.

Who may read a row is decided by ``require_readable``: the owner, the course's teachers, and the
course's members for purposes listed in ``SHARED_PURPOSES``; a feature can add its own rule per
purpose in ``READ_POLICIES`` (see ``docs/files.md``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import AsyncIterable, Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from lms.models import User
from lms.models.files import StoredBlob, StoredFile
from lms.services import courseware, permissions

# -- types ----------------------------------------------------------------------------------

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
GIF = "image/gif"
MP4 = "video/mp4"
M4A = "audio/mp4"
WEBM = "video/webm"
MP3 = "audio/mpeg"
OGG = "audio/ogg"
OGV = "video/ogg"
WAV = "audio/wav"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
HWPX = "application/hwp+zip"
EXECUTABLE = "application/x-executable"
UNKNOWN = "application/octet-stream"

# Allow-lists for the common uses; a caller may pass any set of the types above.
IMAGE_TYPES = frozenset({PNG, JPEG, WEBP, GIF})
DOCUMENT_TYPES = frozenset({PDF}) | IMAGE_TYPES
VIDEO_TYPES = frozenset({MP4, WEBM, OGV})
AUDIO_TYPES = frozenset({MP3, OGG, WAV, M4A})
MEDIA_TYPES = VIDEO_TYPES | AUDIO_TYPES
OFFICE_TYPES = frozenset({DOCX, XLSX, PPTX, ODT, ODS, ODP, HWPX})
# What a student may hand in: documents, pictures, office files, recordings, an archive.
SUBMISSION_TYPES = DOCUMENT_TYPES | OFFICE_TYPES | MEDIA_TYPES | {ZIP}

# The usual extension of each type: download names get it, whatever the upload was called.
EXTENSIONS: dict[str, str] = {
    PDF: ".pdf", PNG: ".png", JPEG: ".jpg", WEBP: ".webp", GIF: ".gif", MP4: ".mp4",
    M4A: ".m4a", WEBM: ".webm", MP3: ".mp3", OGG: ".ogg", OGV: ".ogv", WAV: ".wav",
    ZIP: ".zip", DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx", ODT: ".odt", ODS: ".ods",
    ODP: ".odp", HWPX: ".hwpx",
}  # fmt: skip

# Types a browser may show in the page (served ``inline``); everything else is a download.
INLINE_TYPES = IMAGE_TYPES | MEDIA_TYPES | {PDF}

# Purposes whose files every member of the file's course may read (what the class is shown).
SHARED_PURPOSES: set[str] = {"document", "media", "lesson"}

# Enough of the head of a file to tell every type above apart.
SNIFF_BYTES = 64
CHUNK_BYTES = 64 * 1024
MAX_NAME_CHARS = 255

ReadPolicy = Callable[[AsyncSession, User, StoredFile], Awaitable[bool]]
# purpose -> an extra rule that may grant reading (a group's shared files, a grader's access).
READ_POLICIES: dict[str, ReadPolicy] = {}


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413


class UnsupportedType(DomainError):
    code = "unsupported_media_type"
    http_status = 415


def sniff(head: bytes) -> str:
    """The type the first bytes of a file show; ``ZIP`` is refined by ``refine_zip``."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return M4A
        if brand in (b"qt  ",):
            return UNKNOWN  # QuickTime: browsers play it unreliably
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in head else UNKNOWN  # other Matroska files are not for browsers
    if head.startswith(b"OggS"):
        return OGV if b"theora" in head else OGG
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        # An ID3 tag, or an MPEG audio frame sync (11 bits set, layer III).
        return MP3
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")):
        return EXECUTABLE
    return UNKNOWN


# Office files are ZIP archives told apart by what is inside.
_OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_ODF_TYPES = {ODT, ODS, ODP, HWPX}


def refine_zip(path: Path) -> str:
    """A ZIP's real type: an office document by its parts or ``mimetype`` entry, else ZIP."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for part, mime in _OOXML_PARTS.items():
                if part in names:
                    return mime
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in _ODF_TYPES:
                    return declared
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return UNKNOWN
    return ZIP


def clean_name(name: str | None, mime: str) -> str:
    """A display name safe anywhere: no directories or control characters, the type's extension.

    The client's name is a label, never a path; the extension is set from the detected type so
    a downloaded file opens with the right program.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip(" .")
    extension = EXTENSIONS.get(mime, "")
    stem, dot, ext = text.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        if mime == JPEG and ext.lower() == "jpeg":
            extension = ".jpeg"
        text = stem
    text = text[: MAX_NAME_CHARS - len(extension)] or "file"
    return text + extension


# -- receiving --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagedFile:
    """An upload written to a temporary file, checked and hashed, not yet in the database."""

    path: Path
    sha256: str
    size: int
    mime: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _tmp_dir(root: Path) -> Path:
    tmp = root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp


def blob_path(root: Path, sha256: str) -> Path:
    """Where the content with this digest lives (two directory levels keep folders small)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256 digest")
    return root / sha256[:2] / sha256[2:4] / sha256


async def receive(
    root: Path, chunks: AsyncIterable[bytes], *, allowed: Collection[str], max_bytes: int
) -> StagedFile:
    """Stream an upload to a temporary file under ``root``.

    Raises ``PayloadTooLarge`` as soon as the limit is passed (the rest is not read),
    ``InvalidInput`` for an empty upload and ``UnsupportedType`` when the content is not one
    of ``allowed``. The temporary file is removed on any failure.
    """
    tmp = _tmp_dir(root) / f"upload-{secrets.token_hex(8)}"
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        handle = await asyncio.to_thread(open, tmp, "xb")
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"the file is larger than {max_bytes} bytes", max_bytes=max_bytes
                    )
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
        finally:
            await asyncio.to_thread(handle.close)
        if size == 0:
            raise InvalidInput("the file is empty")
        mime = sniff(head)
        if mime == ZIP:
            mime = await asyncio.to_thread(refine_zip, tmp)
        if mime not in allowed:
            raise UnsupportedType(
                "this kind of file is not accepted here",
                detected=mime,
                accepted=sorted(allowed),
            )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StagedFile(path=tmp, sha256=digest.hexdigest(), size=size, mime=mime)


async def hold_blob(db: AsyncSession, sha256: str, size: int) -> None:
    """Queue behind every other writer of this content until the caller's transaction ends.

    An upsert of the blob's row: PostgreSQL locks the row (and waits for another transaction's
    uncommitted insert of it), SQLite takes its write lock. Once it returns, every upload or
    removal of the same content that got here first has committed or rolled back, so counting
    the rows that use the content now is the final word until this transaction ends.
    """
    dialect = db.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(StoredBlob)
    await db.execute(
        insert.values(sha256=sha256, size=size).on_conflict_do_update(
            index_elements=["sha256"], set_={"size": StoredBlob.__table__.c.size}
        )
    )


async def record(
    db: AsyncSession,
    root: Path,
    staged: StagedFile,
    *,
    owner: User,
    original_name: str | None,
    course_id: int | None = None,
    purpose: str = "general",
) -> StoredFile:
    """Move a staged upload into the store and add its row (the caller commits).

    The blob is locked first and stays locked until the caller's transaction ends, so nothing
    removes it between here and the commit. It is moved before the row is written: a failed
    commit leaves an unreferenced blob (``discard_if_unused`` takes it away, or the start-up
    sweep), never a row without bytes.
    """
    target = blob_path(root, staged.sha256)

    def place() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            staged.discard()
        else:
            os.replace(staged.path, target)

    await hold_blob(db, staged.sha256, staged.size)
    await asyncio.to_thread(place)
    stored = StoredFile(
        owner_id=owner.id,
        course_id=course_id,
        purpose=purpose[:32],
        sha256=staged.sha256,
        size=staged.size,
        mime=staged.mime,
        original_name=clean_name(original_name, staged.mime),
    )
    db.add(stored)
    await db.flush()
    return stored


async def save_upload(
    db: AsyncSession,
    root: Path,
    owner: User,
    chunks: AsyncIterable[bytes],
    *,
    original_name: str | None,
    allowed: Collection[str],
    max_bytes: int,
    course_id: int | None = None,
    purpose: str = "general",
) -> StoredFile:
    """``receive`` then ``record`` in one call (holds ``db`` while the upload streams)."""
    staged = await receive(root, chunks, allowed=allowed, max_bytes=max_bytes)
    try:
        return await record(
            db,
            root,
            staged,
            owner=owner,
            original_name=original_name,
            course_id=course_id,
            purpose=purpose,
        )
    finally:
        staged.discard()


async def iter_bytes(data: bytes, chunk: int = CHUNK_BYTES) -> AsyncIterable[bytes]:
    """Bytes already in memory as an upload stream (demo data, tests, generated files)."""
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


# -- reading ----------------------------------------------------------------------------------


async def get_file(db: AsyncSession, file_id: int) -> StoredFile:
    stored = await db.get(StoredFile, file_id)
    if stored is None:
        raise NotFound("no such file", file_id=file_id)
    return stored


async def may_read(db: AsyncSession, user: User, stored: StoredFile) -> bool:
    """Owner; the course's teachers and overseers; members for shared purposes; a policy."""
    if not user.is_active:
        return False
    if stored.owner_id == user.id:
        return True
    if stored.course_id is not None:
        if await permissions.may_teach(db, user, stored.course_id):
            return True
        if stored.purpose in SHARED_PURPOSES and (
            await permissions.course_role(db, stored.course_id, user.id) is not None
        ):
            return True
    policy = READ_POLICIES.get(stored.purpose)
    return policy is not None and await policy(db, user, stored)


async def require_readable(db: AsyncSession, user: User, file_id: int) -> StoredFile:
    """The file, if ``user`` may read it; ``NotFound`` otherwise (no hint that it exists)."""
    stored = await get_file(db, file_id)
    if not await may_read(db, user, stored):
        raise NotFound("no such file", file_id=file_id)
    return stored


def file_path(root: Path, stored: StoredFile) -> Path:
    """The file's bytes on disk; ``NotFound`` if the blob went missing (restored backup…)."""
    path = blob_path(root, stored.sha256)
    if not path.is_file():
        raise NotFound("the file's content is missing", file_id=stored.id)
    return path


def open_file(root: Path, stored: StoredFile) -> BinaryIO:
    """Open the file for reading (binary). Blocking: call it in a thread from async code."""
    return file_path(root, stored).open("rb")


async def read_bytes(root: Path, stored: StoredFile, limit: int | None = None) -> bytes:
    """The whole file (or its first ``limit`` bytes), read off the event loop."""

    def read() -> bytes:
        with open_file(root, stored) as handle:
            return handle.read() if limit is None else handle.read(limit)

    return await asyncio.to_thread(read)


async def delete_file(db: AsyncSession, root: Path, actor: User, file_id: int) -> None:
    """Remove a row (its owner or the course's teachers); the blob goes with its last row.

    A file a lesson shows is refused (409 with the lessons): the lesson's foreign key would
    refuse it too, and a lesson must never point at nothing. The last row's bytes go before the
    caller commits (``discard_if_unused`` holds the blob while they go), so call this last."""
    stored = await get_file(db, file_id)
    allowed = stored.owner_id == actor.id or (
        stored.course_id is not None and await permissions.may_teach(db, actor, stored.course_id)
    )
    if not allowed:
        raise Forbidden("only the file's owner or the course's teachers may delete it")
    lesson_ids = await courseware.lessons_using_file(db, stored.id)
    if lesson_ids:
        raise Conflict(
            "lessons show this file: give them another file or remove them first",
            file_id=file_id,
            lesson_ids=lesson_ids,
        )
    sha = stored.sha256
    await db.delete(stored)
    await db.flush()
    await discard_if_unused(db, root, sha)


async def discard_if_unused(db: AsyncSession, root: Path, sha256: str) -> bool:
    """Remove a blob no row refers to (an upload whose row was rolled back, the last file with
    this content deleted) and its ``StoredBlob`` row; True if bytes were removed.

    Holds the blob first, so an identical upload whose row is written but not yet committed is
    waited for and counted: its bytes stay.
    """
    path = blob_path(root, sha256)

    def size_on_disk() -> int:
        try:
            return path.stat().st_size
        except FileNotFoundError:
            return 0

    def remove() -> bool:
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    await hold_blob(db, sha256, await asyncio.to_thread(size_on_disk))
    users = await db.scalar(select(func.count()).where(StoredFile.sha256 == sha256))
    if users:
        return False
    await db.execute(
        delete(StoredBlob)
        .where(StoredBlob.sha256 == sha256)
        .execution_options(synchronize_session=False)
    )
    return await asyncio.to_thread(remove)


def content_disposition(stored: StoredFile, *, inline: bool | None = None) -> str:
    """``inline`` for what a browser shows safely, ``attachment`` otherwise; RFC 6266 names."""
    from urllib.parse import quote

    show = stored.mime in INLINE_TYPES if inline is None else inline
    kind = "inline" if show else "attachment"
    fallback = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "._- ") else "_"
        for ch in stored.original_name
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(stored.original_name)}"


def file_dict(stored: StoredFile) -> dict[str, object]:
    """The JSON shape of a file (``docs/files.md``)."""
    return {
        "id": stored.id,
        "owner_id": stored.owner_id,
        "course_id": stored.course_id,
        "purpose": stored.purpose,
        "sha256": stored.sha256,
        "size": stored.size,
        "mime": stored.mime,
        "name": stored.original_name,
        "created_at": stored.created_at.isoformat(),
        "url": f"/api/files/{stored.id}",
    }


async def check_course_file(db: AsyncSession, actor: User, course_id: int, file_id: int) -> None:
    """A lesson may point at a file of its own course that the course's members may read."""
    stored = await db.get(StoredFile, file_id)
    if stored is None or not await may_read(db, actor, stored):
        raise InvalidInput("no such file", field="file_id", file_id=file_id)
    if stored.course_id != course_id or stored.purpose not in SHARED_PURPOSES:
        raise InvalidInput(
            "the file must be one of this course's shared files", field="file_id", file_id=file_id
        )


if check_course_file not in courseware.FILE_CHECKS:
    courseware.FILE_CHECKS.append(check_course_file)
