"""Documents, shared media and boards over REST: typed by content, limited, per-role access."""

from __future__ import annotations

import io

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import SharedContentState
from server.settings import Settings
from tests.api.conftest import LoginAs, World
from tests.sample_files import BROKEN_PDF, EXE_BYTES, MP4_BYTES, pdf_bytes, png_bytes


def form(data: bytes, name: str, content_type: str = "application/pdf") -> FormData:
    body = FormData()
    body.add_field("file", data, filename=name, content_type=content_type)
    return body


async def upload(
    client: TestClient, headers: dict[str, str], course: int, data: bytes, name: str, **query: str
) -> tuple[int, dict]:
    response = await client.post(
        f"/api/courses/{course}/documents", data=form(data, name), headers=headers, params=query
    )
    return response.status, await response.json()


async def test_teacher_uploads_a_pdf_and_members_see_its_pages(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    content = pdf_bytes(2)
    status, document = await upload(
        app_client, teacher, world.course, content, "광합성.pdf", title="광합성 자료"
    )
    assert status == 201, document
    assert document["page_count"] == 2 and document["kind"] == "pdf"
    assert document["title"] == "광합성 자료"
    assert document["file"]["mime"] == "application/pdf"

    student = await login_as("student1")
    listed = await app_client.get(f"/api/courses/{world.course}/documents", headers=student)
    assert [item["id"] for item in (await listed.json())["items"]] == [document["id"]]

    page = await app_client.get(
        f"/api/documents/{document['id']}/pages/2", headers=student, params={"width": "500"}
    )
    assert page.status == 200
    assert page.headers["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(await page.read()))
    assert image.format == "WEBP" and abs(image.width - 480) <= 1  # a supported width
    assert image.height > image.width  # A4 portrait
    again = await app_client.get(f"/api/documents/{document['id']}/pages/2", headers=student)
    assert again.status == 200  # from the cache now (the default width)
    missing = await app_client.get(f"/api/documents/{document['id']}/pages/3", headers=student)
    assert missing.status == 404

    raw = await app_client.get(document["file"]["url"], headers=student)
    assert raw.status == 200
    assert raw.headers["Content-Type"] == "application/pdf"
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''%EA%B4%91%ED%95%A9%EC%84%B1.pdf" in raw.headers["Content-Disposition"]
    assert await raw.read() == content


async def test_a_picture_is_a_one_page_document_and_its_name_follows_its_content(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    status, document = await upload(app_client, teacher, world.course, png_bytes(), "사진.pdf")
    assert status == 201, document
    assert document["kind"] == "image" and document["page_count"] == 1
    assert document["file"]["mime"] == "image/png"
    assert document["file"]["name"] == "사진.png"
    page = await app_client.get(f"/api/documents/{document['id']}/pages/1", headers=teacher)
    assert page.status == 200
    assert Image.open(io.BytesIO(await page.read())).size == (64, 48)  # never enlarged


async def test_wrong_types_broken_pdfs_and_oversized_files_are_4xx_json(
    app_client: TestClient, world: World, login_as: LoginAs, settings: Settings
) -> None:
    teacher = await login_as("teacher")
    status, body = await upload(app_client, teacher, world.course, EXE_BYTES, "worksheet.pdf")
    assert status == 415
    assert body["error"]["code"] == "unsupported_media_type"
    assert body["error"]["details"]["detected"] == "application/x-executable"

    status, body = await upload(app_client, teacher, world.course, BROKEN_PDF, "broken.pdf")
    assert status == 400
    assert body["error"]["code"] == "invalid_input"
    assert "cannot be opened" in body["error"]["message"]

    settings.document_max_bytes = 50_000
    status, body = await upload(app_client, teacher, world.course, b"%PDF-" * 20_000, "big.pdf")
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"

    settings.document_max_pages = 2
    status, body = await upload(app_client, teacher, world.course, pdf_bytes(3), "long.pdf")
    assert status == 400 and body["error"]["details"]["pages"] == 3

    empty = await app_client.post(
        f"/api/courses/{world.course}/documents", data=b"", headers=teacher
    )
    assert empty.status == 400
    listed = await app_client.get(f"/api/courses/{world.course}/documents", headers=teacher)
    assert (await listed.json())["items"] == []  # nothing half-stored
    assert list((settings.files_dir / "tmp").iterdir()) == []
    # The broken PDF's bytes went with its rolled-back row.
    assert [path for path in settings.files_dir.rglob("*") if path.is_file()] == []


async def test_a_raw_body_upload_with_the_name_in_a_header(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    response = await app_client.post(
        f"/api/courses/{world.course}/documents",
        data=pdf_bytes(1),
        headers={**teacher, "X-File-Name": "%EC%9E%90%EB%A3%8C.pdf", "Content-Type": "text/plain"},
    )
    assert response.status == 201
    document = await response.json()
    assert document["file"]["name"] == "자료.pdf" and document["title"] == "자료"


@pytest.mark.parametrize("login", ["student1", "teacher2", "teacher_b", "sa_b"])
async def test_only_the_course_teachers_upload(
    app_client: TestClient, world: World, login_as: LoginAs, login: str
) -> None:
    headers = await login_as(login)
    status, body = await upload(app_client, headers, world.course, pdf_bytes(1), "a.pdf")
    assert status == 403, body
    media = await app_client.post(
        f"/api/courses/{world.course}/media", data=form(MP4_BYTES, "a.mp4"), headers=headers
    )
    assert media.status == 403


@pytest.mark.parametrize("login", ["teacher2", "teacher_b", "sa_b"])
async def test_outsiders_cannot_read_documents_pages_or_files(
    app_client: TestClient, world: World, login_as: LoginAs, login: str
) -> None:
    _, document = await upload(
        app_client, await login_as("teacher"), world.course, pdf_bytes(1), "a.pdf"
    )
    headers = await login_as(login)
    listed = await app_client.get(f"/api/courses/{world.course}/documents", headers=headers)
    assert listed.status == 403
    for path in (
        f"/api/documents/{document['id']}",
        f"/api/documents/{document['id']}/pages/1",
        document["file"]["url"],
    ):
        response = await app_client.get(path, headers=headers)
        assert response.status == 404, path
        assert (await response.json())["error"]["code"] == "not_found"


async def test_school_admin_of_the_school_reads_documents(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    _, document = await upload(
        app_client, await login_as("teacher"), world.course, pdf_bytes(1), "a.pdf"
    )
    response = await app_client.get(
        f"/api/documents/{document['id']}", headers=await login_as("sa_a")
    )
    assert response.status == 200


async def test_media_upload_is_typed_by_content_and_served_with_ranges(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    refused = await app_client.post(
        f"/api/courses/{world.course}/media", data=form(EXE_BYTES, "lesson.mp4"), headers=teacher
    )
    assert refused.status == 415
    response = await app_client.post(
        f"/api/courses/{world.course}/media", data=form(MP4_BYTES, "실험.mov"), headers=teacher
    )
    assert response.status == 201
    video = await response.json()
    assert video["mime"] == "video/mp4" and video["name"] == "실험.mp4"

    student = await login_as("student1")
    listed = await app_client.get(f"/api/courses/{world.course}/media", headers=student)
    assert [item["id"] for item in (await listed.json())["items"]] == [video["id"]]
    part = await app_client.get(video["url"], headers={**student, "Range": "bytes=4-11"})
    assert part.status == 206
    assert await part.read() == b"ftypisom"
    assert part.headers["Content-Disposition"].startswith("inline")
    assert part.headers["Content-Security-Policy"].startswith("sandbox")
    saved = await app_client.get(video["url"], headers=student, params={"download": "1"})
    assert saved.headers["Content-Disposition"].startswith("attachment;")


async def test_the_class_board_over_rest(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    student = await login_as("student1")
    response = await app_client.get(f"/api/sessions/{world.session}/whiteboard", headers=student)
    assert response.status == 200
    assert await response.json() == {"board": "main", "strokes": []}
    bad = await app_client.get(
        f"/api/sessions/{world.session}/whiteboard", headers=student, params={"board": "x;y"}
    )
    assert bad.status == 400
    group = await app_client.get(
        f"/api/sessions/{world.session}/whiteboard", headers=student, params={"board": "group:1"}
    )
    assert group.status == 404  # not in that group
    outsider = await app_client.get(
        f"/api/sessions/{world.session}/whiteboard", headers=await login_as("teacher_b")
    )
    assert outsider.status == 403


async def test_teachers_delete_documents_and_media_and_a_class_showing_them_stops(
    app_client: TestClient,
    world: World,
    login_as: LoginAs,
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    teacher = await login_as("teacher")
    _, document = await upload(app_client, teacher, world.course, pdf_bytes(1), "a.pdf")
    response = await app_client.post(
        f"/api/courses/{world.course}/media", data=form(MP4_BYTES, "v.mp4"), headers=teacher
    )
    video = await response.json()
    async with db() as s, s.begin():
        s.add(
            SharedContentState(
                session_id=world.session, document_id=document["id"], page=1,
                media_file_id=video["id"], media_playing=True,
            )
        )  # fmt: skip

    student = await login_as("student1")
    for path in (f"/api/documents/{document['id']}", f"/api/media/{video['id']}"):
        refused = await app_client.delete(path, headers=student)
        assert refused.status == 403, path
        done = await app_client.delete(path, headers=teacher)
        assert done.status == 200 and await done.json() == {"ok": True}
        gone = await app_client.delete(path, headers=teacher)
        assert gone.status == 404
    async with db() as s:
        state = await s.get(SharedContentState, world.session)
        assert state is not None
        assert state.document_id is None and state.media_file_id is None
        assert not state.media_playing
    assert [path for path in settings.files_dir.rglob("*") if path.is_file()] == []


async def test_a_document_a_lesson_shows_is_not_deleted(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    _, document = await upload(app_client, teacher, world.course, pdf_bytes(1), "활동지.pdf")
    response = await app_client.post(
        f"/api/courses/{world.course}/sections", json={"title": "1단원"}, headers=teacher
    )
    section = await response.json()
    response = await app_client.post(
        f"/api/courses/{world.course}/lessons",
        json={"section_id": section["id"], "kind": "document", "title": "활동지",
              "file_id": document["file"]["id"], "client_id": "d1"},
        headers=teacher,
    )  # fmt: skip
    assert response.status == 201, await response.text()
    lesson = await response.json()
    refused = await app_client.delete(f"/api/documents/{document['id']}", headers=teacher)
    assert refused.status == 409
    error = (await refused.json())["error"]
    assert error["code"] == "conflict" and error["details"]["lesson_ids"] == [lesson["id"]]
    shown = await app_client.get(f"/api/documents/{document['id']}", headers=teacher)
    assert shown.status == 200
    raw = await app_client.get(document["file"]["url"], headers=teacher)
    assert raw.status == 200
    assert (await app_client.delete(f"/api/lessons/{lesson['id']}", headers=teacher)).status == 200
    done = await app_client.delete(f"/api/documents/{document['id']}", headers=teacher)
    assert done.status == 200
