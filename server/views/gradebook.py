"""Gradebook REST: the matrix, manual items, grades and overrides, history, exports
(``docs/gradebook.md``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from lms.models import Grade, GradeItem
from lms.services import book_exports, gradebook
from server.auth import require_user
from server.route import ID, Route
from server.schemas import dump
from server.schemas import gradebook as s
from server.views.common import json, path_id, read_body, read_query, unit_of_work

T = "gradebook"
UID = r"{user_id:\d+}"


def file_response(data: bytes, content_type: str, name: str, ascii_name: str) -> web.Response:
    """A download; ``filename*`` (RFC 5987) carries the Korean name, ``filename`` a plain one."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return web.Response(
        body=data,
        content_type=content_type,
        charset="utf-8" if content_type == book_exports.CSV_TYPE else None,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def _grade(grade: Grade | None) -> dict[str, Any] | None:
    return None if grade is None else dump(s.GradeOut, grade)


def _percent(item: GradeItem, grade: Grade | None) -> float | None:
    if grade is None or grade.points is None:
        return None
    return round(100.0 * grade.points / item.max_points, 2)


async def get_gradebook(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await gradebook.require_reader(db, identity.user, course_id)
        book = await gradebook.course_gradebook(db, course_id)
        can_edit = await gradebook.may_edit(db, identity.user, course_id)
        body = dump(
            s.GradebookOut,
            {
                "course_id": book.course.id,
                "course_title": book.course.title,
                "can_edit": can_edit,
                "items": book.items,
                "students": [
                    {
                        "user_id": row.user_id,
                        "display_name": row.display_name,
                        "login": row.login,
                        "grades": {str(k): v for k, v in row.grades.items()},
                        "total_percent": row.total_percent,
                    }
                    for row in book.students
                ],
            },
        )
    return json(body)


async def export_gradebook(request: web.Request) -> web.Response:
    course_id = path_id(request)
    query = read_query(request, s.ExportQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await gradebook.require_reader(db, identity.user, course_id)
        book = await gradebook.course_gradebook(db, course_id)
    data, content_type = book_exports.gradebook_file(book, query.format)
    name = f"성적부-{book.course.title}.{query.format}"
    return file_response(data, content_type, name, f"gradebook-{course_id}.{query.format}")


async def student_grades(request: web.Request) -> web.Response:
    course_id = path_id(request)
    user_id = path_id(request, "user_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await gradebook.require_student_reader(db, identity.user, course_id, user_id)
        row = await gradebook.student_grades(db, course_id, user_id)
        course = await gradebook._course(db, course_id)
        items = await gradebook.visible_items(db, course_id)
        body = dump(
            s.StudentGradesOut,
            {
                "course_id": course.id,
                "course_title": course.title,
                "user_id": row.user_id,
                "display_name": row.display_name,
                "lines": [
                    {
                        "item": item,
                        "grade": row.grades.get(item.id),
                        "percent": _percent(item, row.grades.get(item.id)),
                    }
                    for item in items
                ],
                "total_percent": row.total_percent,
            },
        )
    return json(body)


async def add_item(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await gradebook.require_editor(db, identity.user, course_id)
        body = await read_body(request, s.GradeItemCreate)
        item, created = await gradebook.add_manual_item(
            db, identity.user, course_id, **body.model_dump()
        )
        out = dump(s.GradeItemOut, item)
    return json(out, status=201 if created else 200)


async def update_item(request: web.Request) -> web.Response:
    item_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        item = await gradebook.get_item(db, item_id)
        await gradebook.require_editor(db, identity.user, item.course_id)
        body = await read_body(request, s.GradeItemUpdate)
        item = await gradebook.update_item(
            db, identity.user, item_id, **body.model_dump(exclude_unset=True)
        )
        out = dump(s.GradeItemOut, item)
    return json(out)


async def save_grade(request: web.Request) -> web.Response:
    item_id = path_id(request)
    user_id = path_id(request, "user_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        item = await gradebook.get_item(db, item_id)
        await gradebook.require_editor(db, identity.user, item.course_id)
        body = await read_body(request, s.GradeSave)
        grade = await gradebook.grade_by_teacher(
            db, identity.user, item_id, user_id, points=body.points, feedback=body.feedback
        )
        out = dump(s.GradeOut, grade)
    return json(out)


async def release_override(request: web.Request) -> web.Response:
    item_id = path_id(request)
    user_id = path_id(request, "user_id")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        grade = await gradebook.release_override(db, identity.user, item_id, user_id)
        out = dump(s.GradeOut, grade)
    return json(out)


async def history(request: web.Request) -> web.Response:
    grade_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await gradebook.grade_history(db, identity.user, grade_id)
        items = [dump(s.GradeHistoryOut, entry) for entry in found]
    return json({"items": items})


GI = f"/api/grade-items/{ID}"

# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/gradebook", get_gradebook,
          "Students × grade items with course totals (teachers, school admins)", T,
          s.GradebookOut, errors=(403, 404)),
    Route("GET", f"/api/courses/{ID}/gradebook/export", export_gradebook,
          "The gradebook as CSV (UTF-8 with BOM) or XLSX", T, query=s.ExportQuery,
          errors=(400, 403, 404)),
    Route("GET", f"/api/courses/{ID}/grades/{UID}", student_grades,
          "One student's visible grades and total (the student, or the course's readers)", T,
          s.StudentGradesOut, errors=(403, 404)),
    Route("POST", f"/api/courses/{ID}/grade-items", add_item,
          "Add a manual grade item (teachers; idempotent on client_id)", T, s.GradeItemOut,
          s.GradeItemCreate, status=201, errors=(400, 403, 404)),
    Route("PATCH", GI, update_item, "Weight, category, visibility; title and maximum of a "
          "manual item", T, s.GradeItemOut, s.GradeItemUpdate, errors=(400, 403, 404, 409)),
    Route("PUT", f"{GI}/grades/{UID}", save_grade,
          "Grade a student (an activity's item: an override); out of range is refused", T,
          s.GradeOut, s.GradeSave, errors=(400, 403, 404)),
    Route("DELETE", f"{GI}/grades/{UID}/override", release_override,
          "Hand an overridden grade back to its activity", T, s.GradeOut,
          errors=(403, 404, 409)),
    Route("GET", f"/api/grades/{ID}/history", history, "Every change to one grade", T,
          s.GradeHistoryList, errors=(403, 404)),
)
# fmt: on
