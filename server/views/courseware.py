"""Course content REST: sections, lessons, video progress (``docs/courseware.md``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from lms.models import CourseSection, Lesson, LessonProgress
from lms.services import courseware
from lms.services.courseware import LessonContent
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, UserOut, dump
from server.schemas import courseware as s
from server.views.common import json, path_id, read_body, unit_of_work


def progress_out(progress: LessonProgress | None) -> dict[str, Any] | None:
    return None if progress is None else dump(s.ProgressOut, progress)


def lesson_out(lesson: Lesson, progress: LessonProgress | None = None) -> dict[str, Any]:
    return dump(s.LessonOut, lesson, progress=progress_out(progress))


def section_out(
    section: CourseSection, lessons: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return dump(s.SectionOut, section, lessons=lessons or [])


def content_of(body: s.LessonContentIn) -> LessonContent:
    return LessonContent(
        url=body.url,
        file_id=body.file_id,
        live_session_id=body.live_session_id,
        ref_id=body.ref_id,
        duration_seconds=body.duration_seconds,
    )


async def get_outline(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await courseware.outline(db, identity.user, course_id)
        sections = [
            section_out(
                view.section,
                [lesson_out(lesson, found.progress.get(lesson.id)) for lesson in view.lessons],
            )
            for view in found.sections
        ]
    return json({"course_id": course_id, "teaching": found.teaching, "sections": sections})


async def create_section(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SectionCreate)
        section = await courseware.create_section(
            db, identity.user, course_id, title=body.title, summary=body.summary
        )
        result = section_out(section)
    return json(result, status=201)


async def update_section(request: web.Request) -> web.Response:
    section_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SectionUpdate)
        section = await courseware.update_section(
            db, identity.user, section_id, title=body.title, summary=body.summary
        )
        result = section_out(section)
    return json(result)


async def delete_section(request: web.Request) -> web.Response:
    section_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await courseware.delete_section(db, identity.user, section_id)
    return json({"ok": True})


async def reorder_sections(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SectionOrder)
        sections = await courseware.reorder_sections(db, identity.user, course_id, body.section_ids)
        items = [section_out(section) for section in sections]
    return json({"items": items})


async def create_lesson(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.LessonCreate)
        lesson, created = await courseware.create_lesson(
            db,
            identity.user,
            course_id,
            section_id=body.section_id,
            kind=body.kind,
            title=body.title,
            client_id=body.client_id,
            description=body.description,
            visible=body.visible,
            content=content_of(body),
        )
        result = lesson_out(lesson)
    return json(result, status=201 if created else 200)


async def get_lesson(request: web.Request) -> web.Response:
    lesson_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        lesson, progress, _ = await courseware.open_lesson(db, identity.user, lesson_id)
        result = lesson_out(lesson, progress)
    return json(result)


async def update_lesson(request: web.Request) -> web.Response:
    lesson_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.LessonUpdate)
        lesson = await courseware.update_lesson(
            db,
            identity.user,
            lesson_id,
            title=body.title,
            description=body.description,
            visible=body.visible,
            section_id=body.section_id,
            content=content_of(body.content) if body.content is not None else None,
        )
        result = lesson_out(lesson)
    return json(result)


async def delete_lesson(request: web.Request) -> web.Response:
    lesson_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await courseware.delete_lesson(db, identity.user, lesson_id)
    return json({"ok": True})


async def reorder_lessons(request: web.Request) -> web.Response:
    section_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.LessonOrder)
        lessons = await courseware.reorder_lessons(db, identity.user, section_id, body.lesson_ids)
        items = [lesson_out(lesson) for lesson in lessons]
    return json({"items": items})


async def save_progress(request: web.Request) -> web.Response:
    lesson_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.VideoProgressIn)
        progress = await courseware.save_video_progress(
            db,
            identity.user,
            lesson_id,
            position_seconds=body.position_seconds,
            watched_seconds=body.watched_seconds,
            duration_seconds=body.duration_seconds,
            rewatch=body.rewatch,
        )
        result = dump(s.ProgressOut, progress)
    return json(result)


async def record_view(request: web.Request) -> web.Response:
    lesson_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        progress = await courseware.record_view(db, identity.user, lesson_id)
        result = dump(s.ProgressOut, progress)
    return json(result)


async def lesson_report(request: web.Request) -> web.Response:
    lesson_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        lesson, rows = await courseware.lesson_report(db, identity.user, lesson_id)
        items = [
            {"user": dump(UserOut, user), "progress": progress_out(progress)}
            for user, progress in rows
        ]
        result = {"lesson": lesson_out(lesson), "items": items}
    return json(result)


T = "courseware"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/outline", get_outline,
          "Sections with their lessons (and the student's own progress)", T, s.OutlineOut,
          errors=(404,)),
    Route("POST", f"/api/courses/{ID}/sections", create_section, "Add a section (teachers)", T,
          s.SectionOut, s.SectionCreate, status=201, errors=(404, 409)),
    Route("PUT", f"/api/courses/{ID}/sections/order", reorder_sections,
          "Reorder the course's sections", T, s.SectionList, s.SectionOrder, errors=(404,)),
    Route("PATCH", f"/api/sections/{ID}", update_section, "Rename or describe a section", T,
          s.SectionOut, s.SectionUpdate, errors=(404,)),
    Route("DELETE", f"/api/sections/{ID}", delete_section, "Delete an empty section", T,
          OkResponse, errors=(404, 409)),
    Route("PUT", f"/api/sections/{ID}/lessons/order", reorder_lessons,
          "Reorder a section's lessons", T, s.LessonList, s.LessonOrder, errors=(404,)),
    Route("POST", f"/api/courses/{ID}/lessons", create_lesson,
          "Add a lesson to a section (idempotent on client_id)", T, s.LessonOut, s.LessonCreate,
          status=201, errors=(404, 409)),
    Route("GET", f"/api/lessons/{ID}", get_lesson, "One lesson, with the student's progress", T,
          s.LessonOut, errors=(404,)),
    Route("PATCH", f"/api/lessons/{ID}", update_lesson,
          "Edit, hide or move a lesson to another section", T, s.LessonOut, s.LessonUpdate,
          errors=(404,)),
    Route("DELETE", f"/api/lessons/{ID}", delete_lesson,
          "Delete a lesson and its progress records", T, OkResponse, errors=(404,)),
    Route("PUT", f"/api/lessons/{ID}/progress", save_progress,
          "A student's video player reports progress (monotone, so retries are safe)", T,
          s.ProgressOut, s.VideoProgressIn, errors=(404,)),
    Route("POST", f"/api/lessons/{ID}/view", record_view,
          "A student opened a link or document (completes it)", T, s.ProgressOut,
          errors=(404,)),
    Route("GET", f"/api/lessons/{ID}/report", lesson_report,
          "Every student's progress on a lesson (teachers)", T, s.LessonReport, errors=(404,)),
)
# fmt: on
