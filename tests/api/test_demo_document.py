"""The demo course comes with a class document: the server renders its pages for the class."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from aiohttp.test_utils import TestClient
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.services import demo, demo_document
from server.settings import Settings


async def login(client: TestClient, name: str) -> dict[str, str]:
    response = await client.post(
        "/api/auth/login", json={"login": name, "password": demo.DEMO_PASSWORD}
    )
    assert response.status == 200, await response.text()
    client.session.cookie_jar.clear()
    return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def test_the_demo_course_has_a_document_the_class_can_be_shown(
    db: async_sessionmaker[AsyncSession], settings: Settings, app_client: TestClient
) -> None:
    async with db() as s, s.begin():
        logins = await demo.seed_demo(
            s, files_root=settings.files_dir, font=settings.hospital_notice
        )
    teacher = await login(app_client, "teacher")
    listed = await app_client.get(f"/api/courses/{logins.course_id}/documents", headers=teacher)
    assert listed.status == 200
    [document] = (await listed.json())["items"]
    assert document["title"] == demo_document.DEMO_DOCUMENT_TITLE
    assert (document["kind"], document["page_count"]) == ("pdf", len(demo_document.SLIDES))

    student = await login(app_client, "student1")
    for page in range(1, document["page_count"] + 1):
        url = document["page_url"].replace("{page}", str(page))
        response = await app_client.get(url, headers=student)
        assert response.status == 200 and response.content_type == "image/webp"
        image = Image.open(io.BytesIO(await response.read())).convert("L")
        assert image.width == settings.page_render_width
        low, high = image.getextrema()
        assert high - low > 100  # drawn, not a blank page
    past = document["page_url"].replace("{page}", str(document["page_count"] + 1))
    assert (await app_client.get(past, headers=student)).status == 404

    # The Korean is real text in an embedded font, not boxes: PDFium reads it back.
    raw = await app_client.get(document["file"]["url"], headers=student)
    pdf = pdfium.PdfDocument(await raw.read())
    try:
        heading, lines = demo_document.SLIDES[1]
        text = pdf[1].get_textpage().get_text_range()
        assert heading in text and lines[0] in text
    finally:
        pdf.close()

    outline = await app_client.get(f"/api/courses/{logins.course_id}/outline", headers=student)
    lessons = [
        lesson for section in (await outline.json())["sections"] for lesson in section["lessons"]
    ]
    shown = [lesson for lesson in lessons if lesson["kind"] == "document"]
    assert [(lesson["title"], lesson["file_id"]) for lesson in shown] == [
        (demo_document.DEMO_DOCUMENT_TITLE, document["file"]["id"])
    ]
