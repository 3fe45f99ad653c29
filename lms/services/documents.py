"""Course documents shown in the live class: PDFs and pictures, their pages rendered on the server.

Pages are rendered lazily, on first request, to WebP at one of a few widths, and cached on disk
by the file's content hash (the same PDF in two courses renders once). Rendering runs in a
thread (``asyncio.to_thread``) behind a small semaphore, so the event loop stays free and a class
opening a 300-page PDF at once cannot take every core. A hostile file is bounded: the page count
is checked at upload, each page's pixel size is capped whatever the PDF claims, and Pillow's
decompression-bomb guard refuses pictures past ``MAX_IMAGE_PIXELS``. A file PDFium cannot open
is refused at upload with a clear ``invalid_input``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import CourseDocument, DocumentKind, SharedContentState, StoredFile, User
from lms.services import files, permissions

# Widths a page may be asked for; anything else is rounded to the nearest, so the cache stays
# small and nobody can make the server render a 40 000-pixel page.
RENDER_WIDTHS = (480, 960, 1280, 1920)
# However tall a page claims to be, a rendered page has at most this many pixels.
MAX_PAGE_PIXELS = 12_000_000
# WebP's own limit is 16 383 pixels a side; a long strip of a page stops short of it.
MAX_SIDE = 16_000
# Pictures larger than this are refused (Pillow raises DecompressionBombError past twice it).
MAX_IMAGE_PIXELS = 40_000_000
WEBP_QUALITY = 82
MAX_TITLE_CHARS = 200

# At most this many pages render at once on a node (each holds a full bitmap in memory).
_RENDER_SLOTS = asyncio.Semaphore(2)
_render_locks: dict[str, asyncio.Lock] = {}


class BrokenDocument(InvalidInput):
    """The file is of an accepted type but cannot be opened (damaged, encrypted, truncated)."""


def count_pages(path: Path, mime: str, max_pages: int) -> tuple[DocumentKind, int]:
    """The document's kind and page count, or ``BrokenDocument``. Blocking: call in a thread."""
    if mime == files.PDF:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as error:
            raise BrokenDocument(
                "this PDF cannot be opened (damaged or password-protected)", reason=str(error)
            ) from None
        try:
            pages = len(pdf)
        finally:
            pdf.close()
        if pages < 1:
            raise BrokenDocument("this PDF has no pages")
        if pages > max_pages:
            raise InvalidInput(
                f"this PDF has {pages} pages; at most {max_pages} can be shown",
                pages=pages,
                max_pages=max_pages,
            )
        return DocumentKind.PDF, pages
    try:
        with Image.open(path) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise BrokenDocument("this picture cannot be opened", reason=str(error)) from None
    except Image.DecompressionBombError:
        raise InvalidInput("this picture is too large to show") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise InvalidInput(
            "this picture is too large to show", pixels=width * height, max=MAX_IMAGE_PIXELS
        )
    return DocumentKind.IMAGE, 1


def clean_title(title: str | None, fallback: str) -> str:
    text = " ".join((title or "").split())[:MAX_TITLE_CHARS]
    if not text:
        text = fallback.rsplit(".", 1)[0][:MAX_TITLE_CHARS] or "문서"
    return text


async def create_document(
    db: AsyncSession,
    root: Path,
    actor: User,
    course_id: int,
    stored: StoredFile,
    *,
    title: str | None,
    max_pages: int,
) -> CourseDocument:
    """A stored PDF or picture becomes a course document (teachers; the caller commits)."""
    await permissions.require_course_teacher(db, actor, course_id)
    if stored.course_id != course_id or stored.mime not in files.DOCUMENT_TYPES:
        raise InvalidInput("the file is not a document of this course", file_id=stored.id)
    path = files.file_path(root, stored)
    kind, pages = await asyncio.to_thread(count_pages, path, stored.mime, max_pages)
    document = CourseDocument(
        course_id=course_id,
        file_id=stored.id,
        title=clean_title(title, stored.original_name),
        kind=kind,
        page_count=pages,
        uploaded_by=actor.id,
    )
    db.add(document)
    await db.flush()
    return document


async def list_documents(
    db: AsyncSession, viewer: User, course_id: int
) -> list[tuple[CourseDocument, StoredFile]]:
    """The course's documents, newest first (members)."""
    await permissions.require_course_member(db, viewer, course_id)
    rows = await db.execute(
        select(CourseDocument, StoredFile)
        .join(StoredFile, StoredFile.id == CourseDocument.file_id)
        .where(CourseDocument.course_id == course_id)
        .order_by(CourseDocument.id.desc())
    )
    return [(document, stored) for document, stored in rows.tuples()]


async def get_document(
    db: AsyncSession, viewer: User, document_id: int
) -> tuple[CourseDocument, StoredFile]:
    """One document and its file, if ``viewer`` is a member of its course (else NotFound)."""
    document = await db.get(CourseDocument, document_id)
    if document is None:
        raise NotFound("no such document", document_id=document_id)
    try:
        await permissions.require_course_member(db, viewer, document.course_id)
    except Forbidden:
        raise NotFound("no such document", document_id=document_id) from None
    stored = await db.get(StoredFile, document.file_id)
    assert stored is not None
    return document, stored


async def delete_document(db: AsyncSession, root: Path, actor: User, document_id: int) -> None:
    """Remove a document and its file (the course's teachers); a class showing it stops."""
    document = await db.get(CourseDocument, document_id)
    if document is None:
        raise NotFound("no such document", document_id=document_id)
    await permissions.require_course_teacher(db, actor, document.course_id)
    await db.execute(
        update(SharedContentState)
        .where(SharedContentState.document_id == document.id)
        .values(document_id=None, page=1)
        .execution_options(synchronize_session=False)
    )
    file_id = document.file_id
    await db.delete(document)
    await db.flush()
    await files.delete_file(db, root, actor, file_id)


def render_width(asked: int | None, default: int) -> int:
    """The supported width closest to what was asked for."""
    wanted = asked or default
    return min(RENDER_WIDTHS, key=lambda width: abs(width - wanted))


def _bounded_scale(width_pt: float, height_pt: float, width_px: int) -> float:
    """Scale to ``width_px`` wide, shrunk if the page would exceed ``MAX_PAGE_PIXELS``."""
    width_pt = max(width_pt, 1.0)
    height_pt = max(height_pt, 1.0)
    scale = width_px / width_pt
    pixels = (width_pt * scale) * (height_pt * scale)
    if pixels > MAX_PAGE_PIXELS:
        scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
    longest = max(width_pt, height_pt) * scale
    if longest > MAX_SIDE:
        scale *= MAX_SIDE / longest
    return max(scale, 0.01)


def render_to_file(source: Path, mime: str, page: int, width: int, target: Path) -> None:
    """Render one page (1-based) to WebP at ``target``. Blocking: call in a thread."""
    if mime == files.PDF:
        pdf = pdfium.PdfDocument(str(source))
        try:
            if not 1 <= page <= len(pdf):
                raise NotFound("no such page", page=page)
            pdf_page = pdf[page - 1]
            try:
                width_pt, height_pt = pdf_page.get_size()
                scale = _bounded_scale(width_pt, height_pt, width)
                bitmap = pdf_page.render(scale=scale, may_draw_forms=True)
                image = bitmap.to_pil()
            finally:
                pdf_page.close()
        finally:
            pdf.close()
    else:
        if page != 1:
            raise NotFound("no such page", page=page)
        with Image.open(source) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise InvalidInput("this picture is too large to show")
            image = ImageOps.exif_transpose(opened).convert("RGBA")
        image.thumbnail((width, min(MAX_SIDE, MAX_PAGE_PIXELS // width)))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
    image.save(tmp, "WEBP", quality=WEBP_QUALITY, method=4)
    os.replace(tmp, target)


async def page_image(
    cache_root: Path, files_root: Path, stored: StoredFile, page: int, width: int
) -> Path:
    """The rendered page (a WebP file), rendering it first if it is not cached yet."""
    target = cache_root / stored.sha256[:2] / stored.sha256 / f"{width}-{page}.webp"
    if target.is_file():
        return target
    key = str(target)
    lock = _render_locks.setdefault(key, asyncio.Lock())
    try:
        async with lock:
            if target.is_file():  # rendered while we waited
                return target
            source = files.file_path(files_root, stored)
            target.parent.mkdir(parents=True, exist_ok=True)
            async with _RENDER_SLOTS:
                try:
                    await asyncio.to_thread(
                        render_to_file, source, stored.mime, page, width, target
                    )
                except pdfium.PdfiumError as error:
                    raise BrokenDocument(
                        "this page cannot be rendered", page=page, reason=str(error)
                    ) from None
            return target
    finally:
        if not lock.locked():
            _render_locks.pop(key, None)


def document_dict(document: CourseDocument, stored: StoredFile) -> dict[str, object]:
    """The JSON shape of a document (``docs/shared-content.md``)."""
    return {
        "id": document.id,
        "course_id": document.course_id,
        "title": document.title,
        "kind": document.kind.value,
        "page_count": document.page_count,
        "file": files.file_dict(stored),
        "page_url": f"/api/documents/{document.id}/pages/{{page}}",
        "created_at": document.created_at.isoformat(),
    }
