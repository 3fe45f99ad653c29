"""The file store over HTTP: downloads with the right headers, and the upload reader every
feature's upload route uses (``docs/files.md``).

Uploads bypass the app's 1 MiB JSON body limit: ``receive_upload`` streams the body (a
``multipart/form-data`` part named ``file``, or the raw bytes with the name in ``X-File-Name``)
straight to the store with the route's own limit, and never holds a database connection while
the bytes arrive: permission is checked in one short transaction before, the row written in
another after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from pathlib import Path
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import transaction
from lms.errors import InvalidInput
from lms.models import StoredFile, User
from lms.services import files, permissions
from server import keys
from server.auth import Identity, require_user
from server.route import ID, Route
from server.views.common import json, path_id

# ``await check(db, identity)`` before any byte is read: refuse early, not after 500 MB.
UploadCheck = Callable[[AsyncSession, Identity], Awaitable[None]]


class FileOut(BaseModel):
    id: int
    owner_id: int
    course_id: int | None
    purpose: str
    sha256: str
    size: int
    mime: str
    name: str
    created_at: str
    url: str


def files_root(request: web.Request) -> Path:
    return request.app[keys.SETTINGS].files_dir


async def _upload_stream(request: web.Request) -> tuple[str | None, AsyncIterator[bytes]]:
    """The uploaded file's name and its bytes, from a multipart form or a raw body."""
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                raise InvalidInput("the form has no part named 'file'")
            if isinstance(part, BodyPartReader) and part.name == "file":
                break
            if isinstance(part, BodyPartReader):
                await part.release()
        found = part

        async def part_chunks() -> AsyncIterator[bytes]:
            while chunk := await found.read_chunk(files.CHUNK_BYTES):
                yield chunk

        name = found.filename
        if name and name.isascii() and "%" in name:
            # Percent-encoded by the sender (aiohttp, and browsers for quotes and newlines).
            name = unquote(name)
        return name, part_chunks()

    async def body_chunks() -> AsyncIterator[bytes]:
        async for chunk in request.content.iter_chunked(files.CHUNK_BYTES):
            yield chunk

    name = request.headers.get("X-File-Name")
    return (unquote(name) if name else None), body_chunks()


async def receive_upload(
    request: web.Request,
    *,
    check: UploadCheck,
    allowed: Collection[str],
    max_bytes: int,
    course_id: int | None = None,
    purpose: str = "general",
    after: Callable[[AsyncSession, User, StoredFile], Awaitable[None]] | None = None,
) -> tuple[Identity, StoredFile]:
    """Check, stream, store: the stored row (committed) and who uploaded it.

    ``after`` runs in the transaction that writes the row (add a document row, a submission),
    so the file and what refers to it commit together. A declared ``Content-Length`` over the
    limit is refused before reading.
    """
    if request.content_length is not None and request.content_length > max_bytes + 64 * 1024:
        raise files.PayloadTooLarge(
            f"the file is larger than {max_bytes} bytes", max_bytes=max_bytes
        )
    factory = request.app[keys.DB]
    async with transaction(factory) as db:
        identity = await require_user(request, db)
        await check(db, identity)
    root = files_root(request)
    name, chunks = await _upload_stream(request)
    staged = await files.receive(root, chunks, allowed=allowed, max_bytes=max_bytes)
    try:
        async with transaction(factory) as db:
            user = await db.get(User, identity.user.id)
            assert user is not None
            stored = await files.record(
                db,
                root,
                staged,
                owner=user,
                original_name=name,
                course_id=course_id,
                purpose=purpose,
            )
            if after is not None:
                await after(db, user, stored)
    except BaseException:
        # The row was rolled back (a broken PDF, say): don't keep bytes nobody refers to.
        async with transaction(factory) as db:
            await files.discard_if_unused(db, root, staged.sha256)
        raise
    finally:
        staged.discard()
    return identity, stored


SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


async def download(request: web.Request) -> web.StreamResponse:
    """The file's bytes (ranges supported, for seeking in video) if the caller may read it."""
    file_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        stored = await files.require_readable(db, identity.user, file_id)
    path = files.file_path(files_root(request), stored)
    inline = request.query.get("download") != "1"
    headers = {
        "Content-Type": stored.mime,
        "Content-Disposition": files.content_disposition(stored, inline=None if inline else False),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        "ETag": f'"{stored.sha256}"',
    }
    if stored.mime != files.PDF:
        # Opened on its own in a tab, the file may not run script as this site. (Not for PDFs:
        # the browser's PDF viewer refuses to work in a sandbox, and it runs no page script.)
        headers["Content-Security-Policy"] = SANDBOX
    return web.FileResponse(path, headers=headers)


async def info(request: web.Request) -> web.Response:
    file_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        stored = await files.require_readable(db, identity.user, file_id)
        result = files.file_dict(stored)
    return json(result)


# What a teacher may put in a course for its lessons: documents, office files, media.
COURSE_FILE_TYPES = files.DOCUMENT_TYPES | files.OFFICE_TYPES | files.MEDIA_TYPES


class FileList(BaseModel):
    items: list[FileOut]


async def upload_course_file(request: web.Request) -> web.Response:
    """A file for the course's lessons (purpose ``lesson``), readable by every member."""
    course_id = path_id(request)
    settings = request.app[keys.SETTINGS]

    async def check(db: AsyncSession, identity: Identity) -> None:
        await permissions.require_course_teacher(db, identity.user, course_id)

    _, stored = await receive_upload(
        request,
        check=check,
        allowed=COURSE_FILE_TYPES,
        max_bytes=max(settings.upload_max_bytes, settings.media_max_bytes),
        course_id=course_id,
        purpose="lesson",
    )
    return json(files.file_dict(stored), status=201)


async def list_course_files(request: web.Request) -> web.Response:
    """The course's shared files (lessons, documents, media), newest first."""
    course_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        await permissions.require_course_member(db, identity.user, course_id)
        rows = await db.scalars(
            select(StoredFile)
            .where(
                StoredFile.course_id == course_id,
                StoredFile.purpose.in_(sorted(files.SHARED_PURPOSES)),
            )
            .order_by(StoredFile.id.desc())
            .limit(500)
        )
        items = [files.file_dict(row) for row in rows]
    return json({"items": items})


# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/files/{ID}", download,
          "A stored file's bytes, typed by content (?download=1 for an attachment)", "files",
          errors=(404,)),
    Route("GET", f"/api/files/{ID}/info", info, "A stored file's name, type and size", "files",
          FileOut, errors=(404,)),
    Route("POST", f"/api/courses/{ID}/files", upload_course_file,
          "Upload a lesson file to a course (multipart 'file' or raw body; teachers)", "files",
          FileOut, status=201, errors=(403, 404, 413, 415)),
    Route("GET", f"/api/courses/{ID}/files", list_course_files,
          "The course's shared files (members)", "files", FileList, errors=(403, 404)),
)
# fmt: on
