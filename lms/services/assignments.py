"""Assignments: set by a course's teachers, submitted by its students, graded with feedback.

Rules a teacher relies on:
- a student submits once per assignment and may revise it until it is graded; each save
  carries the client's id, so a retried save is recognised instead of counted again;
- after the due date the late policy decides: refused, accepted as late, or accepted with a
  penalty per started day late; nothing is accepted after the cut-off date;
- the grade is given out of ``max_points`` (anything else is "grade out of range"); a late
  penalty is applied to it and both the raw and the final points are kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    Assignment,
    CourseRole,
    Enrolment,
    LatePolicy,
    LessonKind,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    User,
)
from lms.models.files import StoredFile
from lms.services import aware, clean_text, courseware, moment, permissions

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

MAX_POINTS_LIMIT = 1000.0
TEXT_MAX = 50_000
MAX_FILES = 10
# Files handed in are stored with this purpose: readable by their author and the course's
# teachers, never by classmates (``lms.services.files.require_readable``).
SUBMISSION_PURPOSE = "submission"


@dataclass(frozen=True, slots=True)
class AssignmentRules:
    """What a teacher sets; validated together because the dates depend on each other."""

    title: str
    due_at: datetime
    instructions: str = ""
    opens_at: datetime | None = None
    cutoff_at: datetime | None = None
    late_policy: LatePolicy = LatePolicy.ACCEPT
    late_penalty_percent: int = 0
    accepts_text: bool = True
    accepts_files: bool = False
    max_points: float = 100.0


def _checked(rules: AssignmentRules) -> AssignmentRules:
    due = aware(rules.due_at, "due_at")
    if rules.opens_at is not None and aware(rules.opens_at, "opens_at") >= due:
        raise InvalidInput("the assignment must open before it is due", field="opens_at")
    if rules.cutoff_at is not None and aware(rules.cutoff_at, "cutoff_at") < due:
        raise InvalidInput("the cut-off cannot be before the due date", field="cutoff_at")
    if not (rules.accepts_text or rules.accepts_files):
        raise InvalidInput("accept text, files or both", field="accepts_text")
    if not 0 <= rules.late_penalty_percent <= 100:
        raise InvalidInput(
            "the late penalty is 0 to 100 percent a day", field="late_penalty_percent"
        )
    if rules.late_policy is LatePolicy.PENALTY and rules.late_penalty_percent == 0:
        raise InvalidInput("a penalty policy needs a penalty", field="late_penalty_percent")
    if not 0 < rules.max_points <= MAX_POINTS_LIMIT:
        raise InvalidInput(f"max_points must be above 0 and at most {MAX_POINTS_LIMIT:g}")
    return AssignmentRules(
        title=clean_text(rules.title, "title", max_chars=200),
        instructions=clean_text(rules.instructions, "instructions", max_chars=20_000, min_chars=0),
        due_at=due,
        opens_at=rules.opens_at,
        cutoff_at=rules.cutoff_at,
        late_policy=rules.late_policy,
        late_penalty_percent=rules.late_penalty_percent,
        accepts_text=rules.accepts_text,
        accepts_files=rules.accepts_files,
        max_points=float(rules.max_points),
    )


async def create_assignment(
    db: AsyncSession, teacher: User, course_id: int, rules: AssignmentRules
) -> Assignment:
    await permissions.require_course_teacher(db, teacher, course_id)
    checked = _checked(rules)
    assignment = Assignment(
        course_id=course_id,
        created_by=teacher.id,
        **{field: getattr(checked, field) for field in AssignmentRules.__dataclass_fields__},
    )
    db.add(assignment)
    await db.flush()
    return assignment


async def get_assignment(db: AsyncSession, viewer: User, assignment_id: int) -> Assignment:
    """The assignment, for members of its course; students only once it has opened."""
    assignment = await db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("no such assignment", assignment_id=assignment_id)
    role = await permissions.require_course_member(db, viewer, assignment.course_id)
    if role is CourseRole.STUDENT and not is_open(assignment, moment(None)):
        raise NotFound("no such assignment", assignment_id=assignment_id)
    return assignment


def is_open(assignment: Assignment, now: datetime) -> bool:
    return assignment.opens_at is None or assignment.opens_at <= now


async def update_assignment(
    db: AsyncSession, teacher: User, assignment_id: int, rules: AssignmentRules
) -> Assignment:
    """Replace the settings. Grades already given keep the penalty they were given with."""
    assignment = await db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("no such assignment", assignment_id=assignment_id)
    await permissions.require_course_teacher(db, teacher, assignment.course_id)
    checked = _checked(rules)
    for field in AssignmentRules.__dataclass_fields__:
        setattr(assignment, field, getattr(checked, field))
    await db.flush()
    return assignment


async def list_assignments(
    db: AsyncSession, viewer: User, course_id: int, *, now: datetime | None = None
) -> list[Assignment]:
    """By due date; students see the ones that have opened."""
    role = await permissions.require_course_member(db, viewer, course_id)
    query = select(Assignment).where(Assignment.course_id == course_id)
    rows = list(await db.scalars(query.order_by(Assignment.due_at, Assignment.id)))
    if role is CourseRole.STUDENT:
        at = moment(now)
        rows = [assignment for assignment in rows if is_open(assignment, at)]
    return rows


def late_days(assignment: Assignment, at: datetime) -> int:
    """Started days after the due date (one minute late is one day late, as on paper)."""
    if at <= assignment.due_at:
        return 0
    return math.ceil((at - assignment.due_at) / timedelta(days=1))


def check_deadline(assignment: Assignment, at: datetime) -> int:
    """The days late this submission is, or why it is refused."""
    if not is_open(assignment, at):
        raise Conflict("this assignment has not opened yet", assignment_id=assignment.id)
    if assignment.cutoff_at is not None and at > assignment.cutoff_at:
        raise Conflict("the cut-off date has passed", assignment_id=assignment.id)
    days = late_days(assignment, at)
    if days and assignment.late_policy is LatePolicy.REFUSE:
        raise Conflict(
            "the due date has passed and late submissions are not accepted",
            assignment_id=assignment.id,
        )
    return days


async def submit(
    db: AsyncSession,
    student: User,
    assignment_id: int,
    *,
    text: str,
    client_id: str,
    file_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> tuple[Submission, bool]:
    """Save the student's submission (new or revised); ``(submission, changed)``.

    ``file_ids`` are the student's own uploads for this assignment (``upload_check``); each
    revision replaces the previous revision's files.
    """
    client_id = clean_text(client_id, "client_id", max_chars=64)
    assignment = await require_submitter(db, student, assignment_id)
    existing = await db.scalar(
        select(Submission)
        .where(Submission.assignment_id == assignment.id, Submission.user_id == student.id)
        .with_for_update()
    )
    if existing is not None and existing.last_client_id == client_id:
        return existing, False
    if existing is not None and existing.status is SubmissionStatus.GRADED:
        raise Conflict("this submission is graded; ask your teacher to reopen it")
    text = clean_text(text, "text", max_chars=TEXT_MAX, min_chars=0)
    if text and not assignment.accepts_text:
        raise InvalidInput("this assignment takes files, not text", field="text")
    handed_in = await _own_uploads(db, student, assignment, file_ids)
    if not text and not handed_in:
        raise InvalidInput("the submission is empty", field="text")
    at = moment(now)
    days = check_deadline(assignment, at)
    if existing is None:
        existing = Submission(assignment_id=assignment.id, user_id=student.id, revision=0, text="")
        db.add(existing)
    existing.text = text
    existing.revision += 1
    existing.last_client_id = client_id
    existing.submitted_at = at
    existing.late_days = days
    await db.flush()
    await _replace_files(db, existing, handed_in)
    return existing, True


async def course_of(db: AsyncSession, assignment_id: int) -> int:
    course_id = await db.scalar(select(Assignment.course_id).where(Assignment.id == assignment_id))
    if course_id is None:
        raise NotFound("no such assignment", assignment_id=assignment_id)
    return course_id


async def require_submitter(db: AsyncSession, student: User, assignment_id: int) -> Assignment:
    """The assignment, if ``student`` is one of its course's students (else Forbidden)."""
    assignment = await db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("no such assignment", assignment_id=assignment_id)
    role = await permissions.course_role(db, assignment.course_id, student.id)
    if role is not CourseRole.STUDENT or not student.is_active:
        raise Forbidden("only the course's students submit", assignment_id=assignment_id)
    return assignment


async def upload_check(
    db: AsyncSession, student: User, assignment_id: int, *, now: datetime | None = None
) -> Assignment:
    """Before a file is streamed in: this student may hand in files here, now."""
    assignment = await require_submitter(db, student, assignment_id)
    if not assignment.accepts_files:
        raise InvalidInput("this assignment takes text, not files", field="file")
    check_deadline(assignment, moment(now))
    return assignment


async def _own_uploads(
    db: AsyncSession, student: User, assignment: Assignment, file_ids: Sequence[int]
) -> list[StoredFile]:
    if not file_ids:
        return []
    if not assignment.accepts_files:
        raise InvalidInput("this assignment takes text, not files", field="file_ids")
    if len(file_ids) > MAX_FILES or len(set(file_ids)) != len(file_ids):
        raise InvalidInput(f"hand in 1 to {MAX_FILES} different files", field="file_ids")
    found = {
        stored.id: stored
        for stored in await db.scalars(select(StoredFile).where(StoredFile.id.in_(file_ids)))
    }
    for file_id in file_ids:
        stored = found.get(file_id)
        if (
            stored is None
            or stored.owner_id != student.id
            or stored.purpose != SUBMISSION_PURPOSE
            or stored.course_id != assignment.course_id
        ):
            raise InvalidInput(
                "a file is not one of your uploads for this course",
                field="file_ids",
                file_id=file_id,
            )
    return [found[file_id] for file_id in file_ids]


async def _replace_files(db: AsyncSession, submission: Submission, files: list[StoredFile]) -> None:
    await db.execute(delete(SubmissionFile).where(SubmissionFile.submission_id == submission.id))
    for position, stored in enumerate(files):
        db.add(SubmissionFile(submission_id=submission.id, file_id=stored.id, position=position))
    await db.flush()


async def submission_files(db: AsyncSession, submission_id: int) -> list[StoredFile]:
    """The files of a submission, in the order they were handed in."""
    rows = await db.scalars(
        select(StoredFile)
        .join(SubmissionFile, SubmissionFile.file_id == StoredFile.id)
        .where(SubmissionFile.submission_id == submission_id)
        .order_by(SubmissionFile.position)
    )
    return list(rows)


def penalised(assignment: Assignment, raw_points: float, days_late: int) -> float:
    if assignment.late_policy is not LatePolicy.PENALTY or days_late == 0:
        return raw_points
    factor = max(0.0, 1 - assignment.late_penalty_percent * days_late / 100)
    return round(raw_points * factor, 2)


async def grade(
    db: AsyncSession,
    teacher: User,
    submission_id: int,
    *,
    points: float,
    feedback: str = "",
    now: datetime | None = None,
) -> tuple[Submission, Assignment]:
    """Grade (or re-grade) a submission out of the assignment's ``max_points``."""
    submission = await db.get(Submission, submission_id)
    if submission is None:
        raise NotFound("no such submission", submission_id=submission_id)
    assignment = await db.get(Assignment, submission.assignment_id)
    assert assignment is not None
    await permissions.require_course_teacher(db, teacher, assignment.course_id)
    if not (isinstance(points, int | float) and 0 <= points <= assignment.max_points):
        raise InvalidInput(f"grade out of range: 0 to {assignment.max_points:g}", field="points")
    submission.raw_points = float(points)
    submission.points = penalised(assignment, float(points), submission.late_days)
    submission.feedback = clean_text(feedback, "feedback", max_chars=10_000, min_chars=0)
    submission.status = SubmissionStatus.GRADED
    submission.graded_by = teacher.id
    submission.graded_at = moment(now)
    await db.flush()
    return submission, assignment


async def reopen(db: AsyncSession, teacher: User, submission_id: int) -> Submission:
    """Let the student revise a graded submission; the grade stays until it is graded again."""
    submission = await db.get(Submission, submission_id)
    if submission is None:
        raise NotFound("no such submission", submission_id=submission_id)
    assignment = await db.get(Assignment, submission.assignment_id)
    assert assignment is not None
    await permissions.require_course_teacher(db, teacher, assignment.course_id)
    submission.status = SubmissionStatus.SUBMITTED
    await db.flush()
    return submission


async def submissions(
    db: AsyncSession, teacher: User, assignment_id: int
) -> list[tuple[User, Submission | None]]:
    """Every student of the course with their submission, or ``None``: who has not handed in."""
    assignment = await db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("no such assignment", assignment_id=assignment_id)
    await permissions.require_course_teacher(db, teacher, assignment.course_id)
    rows = await db.execute(
        select(User, Submission)
        .join(Enrolment, Enrolment.user_id == User.id)
        .outerjoin(
            Submission,
            (Submission.user_id == User.id) & (Submission.assignment_id == assignment.id),
        )
        .where(Enrolment.course_id == assignment.course_id, Enrolment.role == CourseRole.STUDENT)
        .order_by(User.display_name, User.id)
    )
    return list(rows.tuples())


async def my_submission(db: AsyncSession, student: User, assignment_id: int) -> Submission | None:
    await get_assignment(db, student, assignment_id)
    return await db.scalar(
        select(Submission).where(
            Submission.assignment_id == assignment_id, Submission.user_id == student.id
        )
    )


async def seed_assignments(db: AsyncSession, logins: DemoLogins) -> None:
    """One open assignment in the demo course, so a newcomer can hand something in."""
    course_id = logins.course_id
    if await db.scalar(select(Assignment.id).where(Assignment.course_id == course_id).limit(1)):
        return
    teacher = await permissions.first_teacher(db, course_id)
    if teacher is None:
        return
    await create_assignment(
        db,
        teacher,
        course_id,
        AssignmentRules(
            title="강낭콩 관찰 일지",
            instructions="강낭콩이 자라는 모습을 일주일 동안 관찰하고 날마다 적어 내세요.",
            due_at=moment(None) + timedelta(days=7),
            late_policy=LatePolicy.PENALTY,
            late_penalty_percent=10,
            max_points=20,
        ),
    )


async def check_lesson_reference(db: AsyncSession, course_id: int, assignment_id: int) -> None:
    """An assignment lesson must point at an assignment of its own course."""
    found = await db.scalar(
        select(Assignment.id).where(
            Assignment.id == assignment_id, Assignment.course_id == course_id
        )
    )
    if found is None:
        raise NotFound("no such assignment in this course", field="ref_id")


courseware.REFERENCE_CHECKS[LessonKind.ASSIGNMENT] = check_lesson_reference
