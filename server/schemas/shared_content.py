"""REST shapes of course documents, shared media and whiteboards (``docs/shared-content.md``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.schemas import Query
from server.views.files import FileOut


class UploadQuery(Query):
    """Upload metadata travels in the query string; the body is the file."""

    title: str | None = Field(None, max_length=200)


class PageQuery(Query):
    width: int | None = Field(None, ge=100, le=4096, description="rounded to 480/960/1280/1920")


class DocumentOut(BaseModel):
    id: int
    course_id: int
    title: str
    kind: str
    page_count: int
    file: FileOut
    page_url: str = Field(description="with {page} to fill in (1-based)")
    created_at: str


class DocumentList(BaseModel):
    items: list[DocumentOut]


class MediaList(BaseModel):
    items: list[FileOut]


class BoardQuery(Query):
    board: str = Field("main", min_length=1, max_length=100)


class BoardOut(BaseModel):
    board: str
    strokes: list[dict[str, Any]]
