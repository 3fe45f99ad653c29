"""Attendance book REST: a course's sessions × students, a student's own row, exports
(``docs/attendance-book.md``). Corrections go through ``POST /api/attendance/{id}/corrections``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from lms.services import attendance_book, book_exports, permissions
from lms.services.attendance_book import AttendanceBook, BookRow
from server.auth import require_user
from server.route import ID, Route
from server.schemas import dump
from server.schemas import gradebook as s
from server.views.common import json, path_id, read_query, unit_of_work
from server.views.gradebook import UID, file_response

T = "attendance"


def _row(row: BookRow) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "display_name": row.display_name,
        "login": row.login,
        "enrolled": row.enrolled,
        "cells": {str(k): v for k, v in row.cells.items()},
        "totals": row.totals,
    }


def book_out(book: AttendanceBook, rows: list[BookRow], can_correct: bool) -> dict[str, Any]:
    return dump(
        s.AttendanceBookOut,
        {
            "course_id": book.course.id,
            "course_title": book.course.title,
            "month": book.month,
            "months": book.months,
            "can_correct": can_correct,
            "sessions": book.sessions,
            "rows": [_row(row) for row in rows],
            "summaries": book.summaries,
        },
    )


async def get_book(request: web.Request) -> web.Response:
    course_id = path_id(request)
    query = read_query(request, s.MonthQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await attendance_book.require_reader(db, identity.user, course_id)
        book = await attendance_book.course_book(db, course_id, month=query.month)
        can_correct = await permissions.may_teach(db, identity.user, course_id)
    return json(book_out(book, book.rows, can_correct))


async def student_book(request: web.Request) -> web.Response:
    course_id = path_id(request)
    user_id = path_id(request, "user_id")
    query = read_query(request, s.MonthQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await attendance_book.require_student_reader(db, identity.user, course_id, user_id)
        book, row = await attendance_book.student_book(db, course_id, user_id, month=query.month)
    return json(book_out(book, [row], False))


async def export_book(request: web.Request) -> web.Response:
    course_id = path_id(request)
    query = read_query(request, s.ExportQuery)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await attendance_book.require_reader(db, identity.user, course_id)
        book = await attendance_book.course_book(db, course_id, month=query.month)
    data, content_type = book_exports.attendance_file(book, query.format)
    suffix = f"-{query.month}" if query.month else ""
    name = f"출석부-{book.course.title}{suffix}.{query.format}"
    return file_response(data, content_type, name, f"attendance-{course_id}{suffix}.{query.format}")


B = f"/api/courses/{ID}/attendance-book"

# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", B, get_book,
          "Sessions × students with statuses, per-student and per-month summaries", T,
          s.AttendanceBookOut, query=s.MonthQuery, errors=(400, 403, 404)),
    Route("GET", f"{B}/export", export_book, "The attendance book as CSV (BOM) or XLSX", T,
          query=s.ExportQuery, errors=(400, 403, 404)),
    Route("GET", f"{B}/students/{UID}", student_book,
          "One student's attendance (the student, or the course's readers)", T,
          s.AttendanceBookOut, query=s.MonthQuery, errors=(400, 403, 404)),
)
# fmt: on
