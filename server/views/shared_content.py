"""Course documents, shared media and whiteboards over REST (``docs/shared-content.md``).

Uploads go through the file store (``server.views.files.receive_upload``): typed by content,
limited in size while they stream. A document is a PDF or a picture; its pages are rendered on
the server on first request (``lms.services.documents``) and served as WebP, cached.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import transaction
from lms.errors import NotFound
from lms.models import StoredFile, User
from lms.services import (
    documents,
    files,
    live_sessions,
    permissions,
    shared_content,
    whiteboard,
)
from server import keys
from server.auth import Identity, require_user
from server.route import ID, Route
from server.schemas import OkResponse
from server.schemas import shared_content as s
from server.views.common import json, path_id, read_query
from server.views.files import FileOut, receive_upload


async def upload_document(request: web.Request) -> web.Response:
    """A PDF or picture for the course (teachers); a broken PDF is a 400 with a reason."""
    course_id = path_id(request)
    query = read_query(request, s.UploadQuery)
    settings = request.app[keys.SETTINGS]
    created: list[dict[str, object]] = []

    async def check(db: AsyncSession, identity: Identity) -> None:
        await permissions.require_course_teacher(db, identity.user, course_id)

    async def make_document(db: AsyncSession, user: User, stored: StoredFile) -> None:
        document = await documents.create_document(
            db,
            settings.files_dir,
            user,
            course_id,
            stored,
            title=query.title,
            max_pages=settings.document_max_pages,
        )
        created.append(documents.document_dict(document, stored))

    await receive_upload(
        request,
        check=check,
        allowed=files.DOCUMENT_TYPES,
        max_bytes=settings.document_max_bytes,
        course_id=course_id,
        purpose="document",
        after=make_document,
    )
    return json(created[0], status=201)


async def list_documents(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        rows = await documents.list_documents(db, identity.user, course_id)
        items = [documents.document_dict(document, stored) for document, stored in rows]
    return json({"items": items})


async def get_document(request: web.Request) -> web.Response:
    document_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        document, stored = await documents.get_document(db, identity.user, document_id)
        result = documents.document_dict(document, stored)
    return json(result)


async def delete_document(request: web.Request) -> web.Response:
    document_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        await documents.delete_document(
            db, request.app[keys.SETTINGS].files_dir, identity.user, document_id
        )
    return json({"ok": True})


async def page_image(request: web.Request) -> web.StreamResponse:
    """One page as WebP (members of the document's course), rendered once and cached."""
    document_id = path_id(request)
    digits = request.match_info["page"]
    page = int(digits) if len(digits) <= 6 else 0
    query = read_query(request, s.PageQuery)
    settings = request.app[keys.SETTINGS]
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        document, stored = await documents.get_document(db, identity.user, document_id)
    if not 1 <= page <= document.page_count:
        raise NotFound("no such page", page=page, page_count=document.page_count)
    width = documents.render_width(query.width, settings.page_render_width)
    path = await documents.page_image(
        settings.data_dir / "page-cache", settings.files_dir, stored, page, width
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "image/webp",
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def upload_media(request: web.Request) -> web.Response:
    """A video or audio file to play to the class (teachers; MP4, WebM, MP3, OGG, WAV, M4A)."""
    course_id = path_id(request)
    settings = request.app[keys.SETTINGS]

    async def check(db: AsyncSession, identity: Identity) -> None:
        await permissions.require_course_teacher(db, identity.user, course_id)

    _, stored = await receive_upload(
        request,
        check=check,
        allowed=files.MEDIA_TYPES,
        max_bytes=settings.media_max_bytes,
        course_id=course_id,
        purpose="media",
    )
    return json(files.file_dict(stored), status=201)


async def list_media(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        await permissions.require_course_member(db, identity.user, course_id)
        rows = await db.scalars(
            select(StoredFile)
            .where(
                StoredFile.course_id == course_id,
                StoredFile.purpose.in_(sorted(files.SHARED_PURPOSES)),
                StoredFile.mime.in_(sorted(files.MEDIA_TYPES)),
            )
            .order_by(StoredFile.id.desc())
            .limit(500)
        )
        items = [files.file_dict(row) for row in rows]
    return json({"items": items})


async def delete_media(request: web.Request) -> web.Response:
    file_id = path_id(request)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        await shared_content.delete_media(
            db, request.app[keys.SETTINGS].files_dir, identity.user, file_id
        )
    return json({"ok": True})


async def get_board(request: web.Request) -> web.Response:
    """A board of a session as it stands (during or after class): members who may see it."""
    session_id = path_id(request)
    query = read_query(request, s.BoardQuery)
    async with transaction(request.app[keys.DB]) as db:
        identity = await require_user(request, db)
        session = await live_sessions.get_session(db, session_id)
        await permissions.require_course_member(db, identity.user, session.course_id)
        teaching = await permissions.may_teach(db, identity.user, session.course_id)
        if not await whiteboard.may_see(
            db, session_id, query.board, identity.user.id, teaching=teaching
        ):
            raise NotFound("no such board", board=query.board)
        strokes = await whiteboard.strokes(db, session_id, query.board)
    return json({"board": query.board, "strokes": strokes})


PAGE = r"{page:\d+}"

# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("POST", f"/api/courses/{ID}/documents", upload_document,
          "Upload a PDF or picture to show in class (multipart 'file' or raw body; teachers)",
          "documents", s.DocumentOut, query=s.UploadQuery, status=201,
          errors=(400, 403, 404, 413, 415)),
    Route("GET", f"/api/courses/{ID}/documents", list_documents, "The course's documents",
          "documents", s.DocumentList, errors=(403, 404)),
    Route("GET", f"/api/documents/{ID}", get_document, "One document", "documents",
          s.DocumentOut, errors=(404,)),
    Route("DELETE", f"/api/documents/{ID}", delete_document,
          "Delete a document and its file (teachers); a class showing it stops", "documents",
          OkResponse, errors=(403, 404, 409)),
    Route("GET", f"/api/documents/{ID}/pages/{PAGE}", page_image,
          "One page rendered as WebP (members)", "documents", query=s.PageQuery,
          errors=(400, 404)),
    Route("POST", f"/api/courses/{ID}/media", upload_media,
          "Upload a video or audio file to play to the class (teachers)", "documents",
          FileOut, status=201, errors=(403, 404, 413, 415)),
    Route("GET", f"/api/courses/{ID}/media", list_media,
          "The course's video and audio files", "documents", s.MediaList, errors=(403, 404)),
    Route("DELETE", f"/api/media/{ID}", delete_media,
          "Delete a shared video or audio file (teachers)", "documents", OkResponse,
          errors=(403, 404, 409)),
    Route("GET", f"/api/sessions/{ID}/whiteboard", get_board,
          "A whiteboard of a session as it stands", "documents", s.BoardOut, query=s.BoardQuery,
          errors=(400, 404)),
)
# fmt: on
