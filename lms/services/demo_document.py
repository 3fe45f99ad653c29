"""The demo course's class document: a short slide deck a teacher can present in the live class.

Made at seed time with fpdf2, in the CJK face the platform's other PDFs use (the hospital
notice's ``font_path``/``font_index``: Noto Sans CJK KR in Debian's fonts-noto-cjk), embedded as
a subset so the Korean renders on any reader and on the server's page renderer. It goes into the
demo course's file store as an uploaded PDF would, becomes a course document (what the live
class presents) and a document lesson in the course's first unit. Once only: a course that has
a document of this title is left as it is.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.hospital_rules import NoticeSettings
from lms.models import CourseDocument, CourseSection, LessonKind, User
from lms.services import courseware, documents, files

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

log = logging.getLogger(__name__)

DEMO_DOCUMENT_TITLE = "식물의 한살이 (수업 자료)"
DEMO_DOCUMENT_FILE = "식물의 한살이.pdf"
DEMO_LESSON_CLIENT_ID = "demo-document"
# (heading, lines) per slide; the drawing on each slide is chosen by its position.
SLIDES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("식물의 한살이", ("5학년 과학 · 1단원", "씨앗에서 다시 씨앗까지")),
    ("씨앗이 싹 트려면", ("물: 씨앗이 물을 흡수해 부풀어요", "알맞은 온도: 너무 춥지 않게",
                          "공기: 씨앗도 숨을 쉬어요")),
    ("잎과 줄기가 자라요", ("떡잎이 나온 뒤 본잎이 나요", "줄기가 굵어지고 길어져요",
                            "햇빛을 받아 양분을 만들어요")),
    ("꽃이 피고 열매를 맺어요", ("꽃가루받이가 일어나요", "열매 속에 씨앗이 생겨요",
                                 "씨앗이 퍼져 한살이가 다시 시작돼요")),
)  # fmt: skip
# 16:9 slides, in millimetres.
WIDTH, HEIGHT = 254.0, 142.9
GREEN = (46, 139, 87)
BROWN = (139, 94, 60)
INK = (33, 37, 41)
FONT = "NotoCJK"


def _draw(pdf: FPDF, slide: int) -> None:
    """A simple picture on the slide's right half: a seed, a sprout, a plant, a flower."""
    x, ground = 190.0, 118.0
    pdf.set_fill_color(*BROWN)
    pdf.rect(150, ground, 90, 4, style="F")
    if slide == 1:
        pdf.ellipse(x - 12, ground - 16, 24, 14, style="F")
        return
    pdf.set_draw_color(*GREEN)
    pdf.set_fill_color(*GREEN)
    pdf.set_line_width(2.0)
    top = ground - (25 if slide == 2 else 70)
    pdf.line(x, ground, x, top)
    pdf.ellipse(x - 22, top + 4, 20, 9, style="F")
    pdf.ellipse(x + 2, top + 4, 20, 9, style="F")
    if slide >= 3:
        pdf.ellipse(x - 26, top + 30, 24, 10, style="F")
        pdf.ellipse(x + 2, top + 22, 24, 10, style="F")
    if slide == 4:
        pdf.set_fill_color(233, 90, 120)
        for dx, dy in ((-7, -4), (7, -4), (-5, -13), (5, -13)):
            pdf.circle(x + dx, top + dy, 5, style="F")
        pdf.set_fill_color(250, 200, 60)
        pdf.circle(x, top - 6, 3.5, style="F")


def build_pdf(font: NoticeSettings) -> bytes:
    """The slide deck as PDF bytes. Blocking (reads and subsets the font): call in a thread."""
    pdf = FPDF(orientation="L", unit="mm", format=(HEIGHT, WIDTH))
    pdf.set_auto_page_break(auto=False)
    pdf.add_font(FONT, fname=str(font.font_path), collection_font_number=font.font_index)
    pdf.set_title(SLIDES[0][0])
    pdf.set_creator("newSSEM")
    pdf.set_creation_date(datetime(2026, 3, 2, tzinfo=UTC))
    for number, (heading, lines) in enumerate(SLIDES, start=1):
        pdf.add_page()
        pdf.set_fill_color(*GREEN)
        pdf.rect(0, 0, WIDTH, 8, style="F")
        pdf.set_text_color(*INK)
        if number == 1:
            pdf.set_font(FONT, size=40)
            pdf.text(18, 60, heading)
            pdf.set_font(FONT, size=20)
            for index, line in enumerate(lines):
                pdf.text(20, 82 + index * 14, line)
        else:
            pdf.set_font(FONT, size=28)
            pdf.text(18, 34, heading)
            pdf.set_font(FONT, size=17)
            for index, line in enumerate(lines):
                pdf.text(22, 58 + index * 16, f"• {line}")
        pdf.set_font(FONT, size=10)
        pdf.text(WIDTH - 24, HEIGHT - 6, f"{number} / {len(SLIDES)}")
        _draw(pdf, number)
    return bytes(pdf.output())


async def seed_document(
    db: AsyncSession, logins: DemoLogins, root: Path, font: NoticeSettings
) -> CourseDocument | None:
    """The demo course's document and its lesson, once; None if there was nothing to add.

    Without the CJK font the deck cannot be drawn: the demo goes without it, with a warning
    naming the setting, rather than failing to start.
    """
    course_id = logins.course_id
    if await db.scalar(
        select(CourseDocument.id).where(
            CourseDocument.course_id == course_id, CourseDocument.title == DEMO_DOCUMENT_TITLE
        )
    ):
        return None
    teacher = await db.scalar(select(User).where(User.login == "teacher"))
    if teacher is None:
        return None
    if not font.font_path.is_file():
        log.warning(
            "demo school: no class document, the font %s is missing "
            "(install fonts-noto-cjk or set NEWSSEM_HOSPITAL_NOTICE_FONT_PATH)",
            font.font_path,
        )
        return None
    data = await asyncio.to_thread(build_pdf, font)
    stored = await files.save_upload(
        db, root, teacher, files.iter_bytes(data), original_name=DEMO_DOCUMENT_FILE,
        allowed={files.PDF}, max_bytes=len(data), course_id=course_id, purpose="document",
    )  # fmt: skip
    document = await documents.create_document(
        db, root, teacher, course_id, stored, title=DEMO_DOCUMENT_TITLE, max_pages=len(SLIDES)
    )
    section_id = await db.scalar(
        select(CourseSection.id)
        .where(CourseSection.course_id == course_id)
        .order_by(CourseSection.position, CourseSection.id)
        .limit(1)
    )
    if section_id is not None:
        await courseware.create_lesson(
            db, teacher, course_id, section_id=section_id, kind=LessonKind.DOCUMENT,
            title=DEMO_DOCUMENT_TITLE, client_id=DEMO_LESSON_CLIENT_ID,
            content=courseware.LessonContent(file_id=stored.id),
        )  # fmt: skip
    return document
