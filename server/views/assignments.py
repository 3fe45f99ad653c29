"""Assignments REST: teachers set and grade, students submit (``docs/assignments.md``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import transaction
from lms.models import Submission
from lms.services import assignments, files
from server import keys
from server.auth import Identity, require_user
from server.route import ID, Route
from server.schemas import assignments as s
from server.schemas import dump
from server.views.common import json, path_id, read_body, unit_of_work
from server.views.files import FileOut, receive_upload


def rules(body: s.AssignmentSave) -> assignments.AssignmentRules:
    return assignments.AssignmentRules(**body.model_dump())


async def submission_out(db: AsyncSession, submission: Submission | None) -> dict[str, Any] | None:
    if submission is None:
        return None
    handed_in = await assignments.submission_files(db, submission.id)
    return dump(s.SubmissionOut, submission, files=[files.file_dict(f) for f in handed_in])


async def list_assignments(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await assignments.list_assignments(db, identity.user, course_id)
        items = [dump(s.AssignmentOut, assignment) for assignment in found]
    return json({"items": items})


async def create_assignment(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.AssignmentSave)
        created = await assignments.create_assignment(db, identity.user, course_id, rules(body))
        result = dump(s.AssignmentOut, created)
    return json(result, status=201)


async def get_assignment(request: web.Request) -> web.Response:
    assignment_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await assignments.get_assignment(db, identity.user, assignment_id)
        result = dump(s.AssignmentOut, found)
    return json(result)


async def update_assignment(request: web.Request) -> web.Response:
    assignment_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.AssignmentSave)
        updated = await assignments.update_assignment(db, identity.user, assignment_id, rules(body))
        result = dump(s.AssignmentOut, updated)
    return json(result)


async def submit(request: web.Request) -> web.Response:
    assignment_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.SubmissionSave)
        submission, changed = await assignments.submit(
            db,
            identity.user,
            assignment_id,
            text=body.text,
            client_id=body.client_id,
            file_ids=body.file_ids,
        )
        result = await submission_out(db, submission)
    return json(result, status=200 if not changed else 201)


async def upload_file(request: web.Request) -> web.Response:
    """A file to hand in: stored for this assignment's course, named in the next submission."""
    assignment_id = path_id(request)
    settings = request.app[keys.SETTINGS]
    async with transaction(request.app[keys.DB]) as db:
        course_id = await assignments.course_of(db, assignment_id)

    async def check(db: AsyncSession, identity: Identity) -> None:
        await assignments.upload_check(db, identity.user, assignment_id)

    _, stored = await receive_upload(
        request,
        check=check,
        allowed=files.SUBMISSION_TYPES,
        max_bytes=settings.upload_max_bytes,
        course_id=course_id,
        purpose=assignments.SUBMISSION_PURPOSE,
    )
    return json(files.file_dict(stored), status=201)


async def my_submission(request: web.Request) -> web.Response:
    assignment_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await assignments.my_submission(db, identity.user, assignment_id)
        result = {"submission": await submission_out(db, found)}
    return json(result)


async def list_submissions(request: web.Request) -> web.Response:
    assignment_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await assignments.submissions(db, identity.user, assignment_id)
        items = [
            {
                "user_id": student.id,
                "display_name": student.display_name,
                "submission": await submission_out(db, submission),
            }
            for student, submission in found
        ]
    return json({"items": items})


async def grade(request: web.Request) -> web.Response:
    submission_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.GradeSave)
        graded, _ = await assignments.grade(
            db, identity.user, submission_id, points=body.points, feedback=body.feedback
        )
        result = await submission_out(db, graded)
    return json(result)


async def reopen(request: web.Request) -> web.Response:
    submission_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        reopened = await assignments.reopen(db, identity.user, submission_id)
        result = await submission_out(db, reopened)
    return json(result)


T = "assignments"
A = f"/api/assignments/{ID}"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/assignments", list_assignments,
          "A course's assignments (students: those that have opened)", T, s.AssignmentList,
          errors=(403, 404)),
    Route("POST", f"/api/courses/{ID}/assignments", create_assignment,
          "Set an assignment (the course's teachers)", T, s.AssignmentOut, s.AssignmentSave,
          status=201, errors=(403, 404)),
    Route("GET", A, get_assignment, "One assignment", T, s.AssignmentOut, errors=(403, 404)),
    Route("PUT", A, update_assignment, "Change an assignment's settings", T, s.AssignmentOut,
          s.AssignmentSave, errors=(403, 404)),
    Route("PUT", f"{A}/submission", submit,
          "Submit or revise (students; idempotent on client_id; late policy applies)", T,
          s.SubmissionOut, s.SubmissionSave, status=201, errors=(403, 404, 409)),
    Route("POST", f"{A}/files", upload_file,
          "Upload a file to hand in (multipart 'file' or raw body; the course's students)", T,
          FileOut, status=201, errors=(400, 403, 404, 409, 413, 415)),
    Route("GET", f"{A}/submission", my_submission, "The caller's own submission", T,
          s.MySubmission, errors=(403, 404)),
    Route("GET", f"{A}/submissions", list_submissions,
          "Every student with their submission or none (teachers)", T, s.SubmissionList,
          errors=(403, 404)),
    Route("POST", f"/api/submissions/{ID}/grade", grade,
          "Grade with feedback; out of range is refused; a late penalty applies", T,
          s.SubmissionOut, s.GradeSave, errors=(400, 403, 404)),
    Route("POST", f"/api/submissions/{ID}/reopen", reopen,
          "Let the student revise a graded submission", T, s.SubmissionOut, errors=(403, 404)),
)
# fmt: on
