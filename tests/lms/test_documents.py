"""Rendering document pages: page counts, broken files, bounded pixels whatever a page claims,
the disk cache, and course rules for documents."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Forbidden, InvalidInput, NotFound
from lms.models import DocumentKind
from lms.services import documents, files
from tests.lms.conftest import World
from tests.sample_files import BROKEN_PDF, pdf_bytes, png_bytes

DB = async_sessionmaker[AsyncSession]


def odd_pdf(width_pt: float, height_pt: float) -> bytes:
    """A one-page PDF of any page size (PDF allows up to 14 400 points a side)."""
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(width_pt, height_pt)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_page_counts_and_broken_files(tmp_path: Path) -> None:
    assert documents.count_pages(write(tmp_path, "a", pdf_bytes(3)), files.PDF, 10) == (
        DocumentKind.PDF,
        3,
    )
    assert documents.count_pages(write(tmp_path, "b", png_bytes()), files.PNG, 10) == (
        DocumentKind.IMAGE,
        1,
    )
    with pytest.raises(documents.BrokenDocument):
        documents.count_pages(write(tmp_path, "c", BROKEN_PDF), files.PDF, 10)
    with pytest.raises(documents.BrokenDocument):
        documents.count_pages(write(tmp_path, "d", b"\x89PNG\r\n\x1a\nnope"), files.PNG, 10)
    with pytest.raises(InvalidInput) as too_long:
        documents.count_pages(write(tmp_path, "e", pdf_bytes(3)), files.PDF, 2)
    assert too_long.value.details == {"pages": 3, "max_pages": 2}


def test_a_huge_picture_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    # A PNG header claiming 20 000 x 20 000 pixels (400 megapixels), a few bytes long.
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    with pytest.raises(InvalidInput):
        documents.count_pages(write(tmp_path, "bomb", buffer.getvalue()), files.PNG, 10)


@pytest.mark.parametrize(
    ("width_pt", "height_pt"), [(72, 14_400), (14_400, 72), (14_400, 14_400), (3, 3)]
)
def test_rendered_pages_stay_bounded_whatever_the_page_claims(
    tmp_path: Path, width_pt: float, height_pt: float
) -> None:
    source = write(tmp_path, "odd.pdf", odd_pdf(width_pt, height_pt))
    target = tmp_path / "page.webp"
    documents.render_to_file(source, files.PDF, 1, 1920, target)
    with Image.open(target) as image:
        assert image.width * image.height <= documents.MAX_PAGE_PIXELS * 1.01
        assert image.width <= 1921 and image.height <= documents.MAX_SIDE + 1
    with pytest.raises(NotFound):
        documents.render_to_file(source, files.PDF, 2, 1920, target)


def test_render_widths_are_rounded_to_a_few() -> None:
    assert documents.render_width(None, 1280) == 1280
    assert documents.render_width(100, 1280) == 480
    assert documents.render_width(5000, 1280) == 1920
    assert documents.render_width(1000, 1280) == 960


async def test_documents_belong_to_their_course_and_render_once(
    db: DB, world: World, tmp_path: Path
) -> None:
    root, cache = tmp_path / "files", tmp_path / "cache"
    async with db() as s, s.begin():
        stored = await files.save_upload(
            s, root, world.teacher, files.iter_bytes(pdf_bytes(2)), original_name="자료.pdf",
            allowed=files.DOCUMENT_TYPES, max_bytes=10**6, course_id=world.course.id,
            purpose="document",
        )  # fmt: skip
        with pytest.raises(Forbidden):
            await documents.create_document(
                s, root, world.students[0], world.course.id, stored, title=None, max_pages=10
            )
        document = await documents.create_document(
            s, root, world.teacher, world.course.id, stored, title="  광합성   자료 ", max_pages=10
        )
        assert document.title == "광합성 자료" and document.page_count == 2
    async with db() as s:
        with pytest.raises(NotFound):
            await documents.get_document(s, world.other_teacher, document.id)
        _, found = await documents.get_document(s, world.students[1], document.id)
        listed = await documents.list_documents(s, world.students[1], world.course.id)
        assert [row.id for row, _ in listed] == [document.id]
    first = await documents.page_image(cache, root, found, 2, 480)
    stamp = first.stat().st_mtime_ns
    again = await documents.page_image(cache, root, found, 2, 480)
    assert again == first and again.stat().st_mtime_ns == stamp  # served from the cache
