"""The gradebook of a course (Moodle's core_grades, in its default settings).

- **Grade items** are the columns. A *manual* item is added by a teacher; the others mirror an
  activity that grades: an assignment, a quiz, a graded live-class quiz run. Activities call
  ``upsert_item`` and ``set_grade``; the activities that exist are also synced on read
  (``sync_activities``), so a grade given anywhere shows in the gradebook at once.
- **Course total**: Moodle's "weighted mean of grades" with "exclude empty grades" on: each
  graded item counts ``weight × points / max_points``; an item a student has no grade in is left
  out of *that student's* total (it neither counts as zero nor as full marks). Hidden items are
  left out of the total a student sees ("show totals excluding hidden items").
- **Overrides**: a teacher may change a grade an activity gave; the grade is then *overridden*
  and the activity never replaces it again until the override is released.
- **Grade history**: every change (by a teacher or an activity) keeps the old and new points.
- **Changing the maximum** of an item that has grades (Moodle's "rescale existing grades"): the
  teacher says whether the grades keep their percentage (rescaled) or their points (kept); keeping
  them is refused while any would be above the new maximum. When an activity's maximum changes,
  its own grades follow the activity and overridden grades are rescaled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    Assignment,
    AttemptState,
    Course,
    CourseQuiz,
    CourseQuizSlot,
    CourseRole,
    Enrolment,
    Grade,
    GradeHistory,
    GradeItem,
    GradeSource,
    Question,
    QuizAttempt,
    Submission,
    User,
)
from lms.services import clean_text, moment, parse_enum, permissions
from lms.services import quizzes as live_quizzes

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

MAX_POINTS_LIMIT = 10_000.0
MAX_WEIGHT = 100.0
MAX_FEEDBACK_CHARS = 10_000


# --- reading rights -------------------------------------------------------------------------


async def may_edit(db: AsyncSession, user: User, course_id: int) -> bool:
    """Only those who teach the course (teacher, co-teacher) change grades; admins only read."""
    if not user.is_active:
        return False
    return await permissions.course_role(db, course_id, user.id) in permissions.TEACHING_ROLES


async def require_editor(db: AsyncSession, user: User, course_id: int) -> None:
    if not await may_edit(db, user, course_id):
        await _course(db, course_id)  # a missing course is 404
        raise Forbidden("only the course's teachers change grades", course_id=course_id)


async def require_reader(db: AsyncSession, user: User, course_id: int) -> None:
    """The whole gradebook: the course's teachers, school admins of its school, admins."""
    role = await permissions.require_course_member(db, user, course_id)
    if role is CourseRole.STUDENT:
        raise Forbidden("a student sees only their own grades", course_id=course_id)


async def require_student_reader(
    db: AsyncSession, user: User, course_id: int, student_id: int
) -> None:
    """One student's grades: the student themself, or anyone who reads the whole gradebook."""
    role = await permissions.require_course_member(db, user, course_id)
    if role is CourseRole.STUDENT and user.id != student_id:
        raise Forbidden("a student sees only their own grades", course_id=course_id)


async def _course(db: AsyncSession, course_id: int) -> Course:
    course = await db.get(Course, course_id)
    if course is None:
        raise NotFound("no such course", course_id=course_id)
    return course


# --- the API activities call ----------------------------------------------------------------


def _check_max(max_points: float) -> float:
    if not isinstance(max_points, int | float) or not math.isfinite(max_points):
        raise InvalidInput("max_points must be a number", field="max_points")
    if not 0 < max_points <= MAX_POINTS_LIMIT:
        raise InvalidInput(
            f"max_points must be above 0 and at most {MAX_POINTS_LIMIT:g}", field="max_points"
        )
    return float(max_points)


def _check_weight(weight: float) -> float:
    if not isinstance(weight, int | float) or not math.isfinite(weight):
        raise InvalidInput("weight must be a number", field="weight")
    if not 0 <= weight <= MAX_WEIGHT:
        raise InvalidInput(f"weight must be 0 to {MAX_WEIGHT:g}", field="weight")
    return float(weight)


async def upsert_item(
    db: AsyncSession,
    *,
    course_id: int,
    source_kind: GradeSource | str,
    source_id: int,
    title: str,
    max_points: float,
    weight: float = 1.0,
) -> GradeItem:
    """The grade item of an activity, created on first call and kept in step afterwards.

    Title and maximum follow the activity; ``weight`` is used when the item is created only,
    since teachers set weights in the gradebook. No permission check: the activity's own
    service has decided who may do this.
    """
    kind = parse_enum(GradeSource, source_kind, "source_kind")
    if kind is GradeSource.MANUAL:
        raise InvalidInput("manual items are added with add_manual_item", field="source_kind")
    title = clean_text(title, "title", max_chars=200)
    max_points = _check_max(max_points)
    item = await db.scalar(
        select(GradeItem).where(
            GradeItem.course_id == course_id,
            GradeItem.source_kind == kind,
            GradeItem.source_id == source_id,
        )
    )
    if item is None:
        await _course(db, course_id)
        item = GradeItem(
            course_id=course_id,
            source_kind=kind,
            source_id=source_id,
            title=title,
            max_points=max_points,
            weight=_check_weight(weight),
        )
        db.add(item)
    else:
        item.title = title
        # The activity rescales its own grades; the teachers' overrides keep their percentage.
        await _change_max(db, item, max_points, rescale=True, changed_by=None, overrides_only=True)
    await db.flush()
    return item


async def _change_max(
    db: AsyncSession,
    item: GradeItem,
    max_points: float,
    *,
    rescale: bool | None,
    changed_by: int | None,
    overrides_only: bool = False,
) -> None:
    """Give ``item`` a new maximum and say what becomes of the grades already given.

    ``rescale`` true keeps each grade's percentage (every change goes to the history); false
    keeps the points, refused while any would be above the new maximum; ``None`` is refused when
    the item has grades, since the teacher must choose. The item row is written before the grades
    are read: that write waits for a grade being given at the same moment (``grade_by_teacher``
    holds the item under a share lock), so a grade committed meanwhile is counted too.
    """
    old_max = item.max_points
    if max_points == old_max:
        return
    item.max_points = max_points
    await db.flush()
    query = select(Grade).where(Grade.item_id == item.id, Grade.points.is_not(None))
    if overrides_only:
        query = query.where(Grade.overridden.is_(True))
    graded = list(await db.scalars(query.order_by(Grade.id)))
    if not graded:
        return
    above = [g.points for g in graded if g.points is not None and g.points > max_points]
    if rescale is None or (not rescale and above):
        item.max_points = old_max  # refused: nothing changes, and the caller may go on
        await db.flush()
        if rescale is None:
            raise InvalidInput(
                "this item has grades: say whether to rescale them (rescale: true) "
                "or keep their points (rescale: false)",
                field="rescale",
                graded=len(graded),
            )
        raise Conflict(
            f"{len(above)} grade(s) would be above the new maximum of {max_points:g}; "
            f"rescale them, or keep the maximum at {max(above):g} or more",
            field="max_points",
            exceeding=len(above),
            max_points=max_points,
            highest=max(above),
        )
    if rescale:
        _rescale(db, graded, old_max, max_points, changed_by, moment(None))
        await db.flush()


def _rescale(
    db: AsyncSession,
    grades: list[Grade],
    old_max: float,
    new_max: float,
    changed_by: int | None,
    at: datetime,
) -> None:
    """Each grade keeps its percentage under the new maximum (Moodle's
    ``rescale_grades_keep_percentage``); each change is a history row."""
    for grade in grades:
        assert grade.points is not None
        points = min(round(grade.points * new_max / old_max, 4), new_max)
        if points == grade.points:
            continue
        db.add(
            GradeHistory(
                grade_id=grade.id,
                old_points=grade.points,
                new_points=points,
                feedback=grade.feedback,
                overridden=grade.overridden,
                changed_by=changed_by,
                changed_at=at,
            )
        )
        grade.points = points


async def set_grade(
    db: AsyncSession,
    *,
    item_id: int,
    user_id: int,
    points: float | None,
    feedback: str | None = None,
    graded_by: int | None,
    override: bool = False,
    now: datetime | None = None,
) -> Grade:
    """Store a student's points (``None`` clears the grade); every change goes to the history.

    Points must lie in ``0..max_points`` ("grade out of range"). An activity (``override``
    false) never replaces a grade a teacher has overridden: the stored grade is returned as is.
    ``feedback=None`` keeps the feedback already there. No permission check here.
    """
    item = await db.get(GradeItem, item_id)
    if item is None:
        raise NotFound("no such grade item", item_id=item_id)
    if points is not None:
        if not isinstance(points, int | float) or not math.isfinite(points):
            raise InvalidInput("points must be a number", field="points")
        if not 0 <= points <= item.max_points:
            raise InvalidInput(
                f"grade out of range: 0 to {item.max_points:g}",
                field="points",
                max_points=item.max_points,
            )
        points = float(points)
    if feedback is not None:
        feedback = clean_text(feedback, "feedback", max_chars=MAX_FEEDBACK_CHARS, min_chars=0)
    role = await permissions.course_role(db, item.course_id, user_id)
    if role is not CourseRole.STUDENT:
        raise InvalidInput("grades are given to the course's students", user_id=user_id)
    grade = await db.scalar(select(Grade).where(Grade.item_id == item_id, Grade.user_id == user_id))
    if grade is None:
        grade = Grade(item_id=item_id, user_id=user_id, points=None, feedback="")
        db.add(grade)
        await db.flush()
    elif grade.overridden and not override:
        return grade
    overridden = override and item.source_kind is not GradeSource.MANUAL
    new_feedback = grade.feedback if feedback is None else feedback
    if (grade.points, grade.feedback, grade.overridden) == (points, new_feedback, overridden):
        return grade  # nothing changed: no history row, no new "graded at"
    db.add(
        GradeHistory(
            grade_id=grade.id,
            old_points=grade.points,
            new_points=points,
            feedback=new_feedback,
            overridden=overridden,
            changed_by=graded_by,
            changed_at=moment(now),
        )
    )
    grade.points = points
    grade.feedback = new_feedback
    grade.overridden = overridden
    grade.graded_by = graded_by
    grade.graded_at = moment(now) if points is not None else None
    await db.flush()
    return grade


# --- what teachers do in the gradebook ------------------------------------------------------


async def add_manual_item(
    db: AsyncSession,
    actor: User,
    course_id: int,
    *,
    title: str,
    max_points: float,
    weight: float = 1.0,
    category: str = "",
    hidden: bool = False,
    client_id: str,
) -> tuple[GradeItem, bool]:
    """A column a teacher grades by hand; ``True`` when created, ``False`` for a retry."""
    await require_editor(db, actor, course_id)
    client_id = clean_text(client_id, "client_id", max_chars=64)
    existing = await db.scalar(
        select(GradeItem).where(GradeItem.course_id == course_id, GradeItem.client_id == client_id)
    )
    if existing is not None:
        return existing, False
    item = GradeItem(
        course_id=course_id,
        source_kind=GradeSource.MANUAL,
        source_id=None,
        title=clean_text(title, "title", max_chars=200),
        max_points=_check_max(max_points),
        weight=_check_weight(weight),
        category=clean_text(category, "category", max_chars=100, min_chars=0),
        hidden=bool(hidden),
        client_id=client_id,
        created_by=actor.id,
    )
    db.add(item)
    await db.flush()
    return item, True


async def get_item(db: AsyncSession, item_id: int) -> GradeItem:
    item = await db.get(GradeItem, item_id)
    if item is None:
        raise NotFound("no such grade item", item_id=item_id)
    return item


async def update_item(
    db: AsyncSession,
    actor: User,
    item_id: int,
    *,
    title: str | None = None,
    max_points: float | None = None,
    weight: float | None = None,
    category: str | None = None,
    hidden: bool | None = None,
    rescale: bool | None = None,
) -> GradeItem:
    """Weights, categories and visibility of any item; title and maximum of manual items only
    (an activity's come from the activity). A new maximum on an item with grades needs
    ``rescale``: true keeps each grade's percentage, false keeps the points (refused while any
    grade would be above the new maximum)."""
    item = await get_item(db, item_id)
    await require_editor(db, actor, item.course_id)
    manual = item.source_kind is GradeSource.MANUAL
    if (title is not None or max_points is not None) and not manual:
        raise InvalidInput(
            "an activity's title and maximum are changed in the activity", field="title"
        )
    if title is not None:
        item.title = clean_text(title, "title", max_chars=200)
    if max_points is not None:
        await _change_max(db, item, _check_max(max_points), rescale=rescale, changed_by=actor.id)
    if weight is not None:
        item.weight = _check_weight(weight)
    if category is not None:
        item.category = clean_text(category, "category", max_chars=100, min_chars=0)
    if hidden is not None:
        item.hidden = bool(hidden)
    await db.flush()
    return item


async def grade_by_teacher(
    db: AsyncSession,
    actor: User,
    item_id: int,
    user_id: int,
    *,
    points: float | None,
    feedback: str | None = None,
) -> Grade:
    """A teacher's grade: in a manual item a plain grade, in an activity's item an override.

    The item's maximum is read under a share lock (on SQLite, inside the write lock the savepoint
    takes), so a maximum being changed at the same moment is either waited for or waits.
    """
    item = await get_item(db, item_id)
    await require_editor(db, actor, item.course_id)
    async with db.begin_nested():
        await db.get(GradeItem, item_id, with_for_update={"read": True}, populate_existing=True)
        return await set_grade(
            db,
            item_id=item_id,
            user_id=user_id,
            points=points,
            feedback=feedback,
            graded_by=actor.id,
            override=item.source_kind is not GradeSource.MANUAL,
        )


async def release_override(db: AsyncSession, actor: User, item_id: int, user_id: int) -> Grade:
    """Hand the grade back to its activity, which writes its own value again at once."""
    item = await get_item(db, item_id)
    await require_editor(db, actor, item.course_id)
    grade = await db.scalar(select(Grade).where(Grade.item_id == item_id, Grade.user_id == user_id))
    if grade is None or not grade.overridden:
        raise Conflict("this grade is not overridden", item_id=item_id, user_id=user_id)
    grade.overridden = False
    await db.flush()
    await sync_activities(db, item.course_id)
    await db.refresh(grade)
    return grade


async def grade_history(db: AsyncSession, actor: User, grade_id: int) -> list[GradeHistory]:
    """The audit trail of one grade, oldest first (those who read the whole gradebook)."""
    grade = await db.get(Grade, grade_id)
    if grade is None:
        raise NotFound("no such grade", grade_id=grade_id)
    item = await get_item(db, grade.item_id)
    await require_reader(db, actor, item.course_id)
    return list(
        await db.scalars(
            select(GradeHistory)
            .where(GradeHistory.grade_id == grade_id)
            .order_by(GradeHistory.changed_at, GradeHistory.id)
        )
    )


# --- activities -> gradebook ----------------------------------------------------------------


@dataclass
class ActivityGrades:
    """An activity as the gradebook sees it: its item and each student's points."""

    kind: GradeSource
    source_id: int
    title: str
    max_points: float
    points: dict[int, tuple[float, str, int | None]] = field(default_factory=dict)
    # user_id -> (points, feedback, graded_by)


async def _assignments(db: AsyncSession, course_id: int) -> list[ActivityGrades]:
    found = {
        a.id: ActivityGrades(GradeSource.ASSIGNMENT, a.id, a.title, a.max_points)
        for a in await db.scalars(select(Assignment).where(Assignment.course_id == course_id))
    }
    if found:
        rows = await db.execute(
            select(
                Submission.assignment_id,
                Submission.user_id,
                Submission.points,
                Submission.feedback,
                Submission.graded_by,
            ).where(Submission.assignment_id.in_(found), Submission.points.is_not(None))
        )
        for assignment_id, user_id, points, feedback, graded_by in rows.tuples():
            found[assignment_id].points[user_id] = (points, feedback or "", graded_by)
    return list(found.values())


async def _course_quizzes(db: AsyncSession, course_id: int) -> list[ActivityGrades]:
    """Each quiz out of its questions' points; a student's best finished attempt counts."""
    maxima = await db.execute(
        select(CourseQuiz.id, CourseQuiz.title, func.coalesce(func.sum(Question.points), 0))
        .outerjoin(CourseQuizSlot, CourseQuizSlot.quiz_id == CourseQuiz.id)
        .outerjoin(Question, Question.id == CourseQuizSlot.question_id)
        .where(CourseQuiz.course_id == course_id)
        .group_by(CourseQuiz.id, CourseQuiz.title)
    )
    found: dict[int, ActivityGrades] = {}
    for quiz_id, title, total in maxima.tuples():
        found[quiz_id] = ActivityGrades(GradeSource.QUIZ, quiz_id, title, float(total))
    if not found:
        return []
    best = await db.execute(
        select(
            QuizAttempt.quiz_id,
            QuizAttempt.user_id,
            func.max(QuizAttempt.points),
            func.max(QuizAttempt.max_points),
        )
        .where(QuizAttempt.quiz_id.in_(found), QuizAttempt.state == AttemptState.FINISHED)
        .group_by(QuizAttempt.quiz_id, QuizAttempt.user_id)
    )
    for quiz_id, user_id, points, attempt_max in best.tuples():
        activity = found[quiz_id]
        if activity.max_points <= 0:
            activity.max_points = float(attempt_max or 0)
        scale = activity.max_points / attempt_max if attempt_max else 1.0
        value = min(float(points or 0) * scale, activity.max_points)
        activity.points[user_id] = (round(value, 4), "", None)
    # A quiz with no questions and no attempts has no maximum yet: no column for it.
    return [activity for activity in found.values() if activity.max_points > 0]


async def _live_quiz_runs(db: AsyncSession, course_id: int) -> list[ActivityGrades]:
    out = []
    for run in await live_quizzes.graded_runs(db, course_id):
        if run.max_points <= 0:
            continue
        activity = ActivityGrades(GradeSource.LIVE_QUIZ, run.run_id, run.title, run.max_points)
        activity.points = {uid: (float(p), "", None) for uid, p in run.points.items()}
        out.append(activity)
    return out


async def _apply(db: AsyncSession, course_id: int, activities: Sequence[ActivityGrades]) -> None:
    if not activities:
        return
    students = set(
        await db.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT
            )
        )
    )
    items = {
        (item.source_kind, item.source_id): item
        for item in await db.scalars(
            select(GradeItem).where(
                GradeItem.course_id == course_id, GradeItem.source_kind != GradeSource.MANUAL
            )
        )
    }
    grades = {
        (g.item_id, g.user_id): g
        for g in await db.scalars(
            select(Grade)
            .join(GradeItem, GradeItem.id == Grade.item_id)
            .where(GradeItem.course_id == course_id, GradeItem.source_kind != GradeSource.MANUAL)
        )
    }
    for activity in activities:
        item = items.get((activity.kind, activity.source_id))
        title = activity.title.strip()[:200] or activity.kind.value
        max_points = min(activity.max_points, MAX_POINTS_LIMIT)
        if item is None or item.title != title or item.max_points != max_points:
            item = await upsert_item(
                db,
                course_id=course_id,
                source_kind=activity.kind,
                source_id=activity.source_id,
                title=title,
                max_points=max_points,
            )
        for user_id, (points, feedback, graded_by) in activity.points.items():
            if user_id not in students:
                continue  # left the course since: Moodle shows enrolled students only
            grade = grades.get((item.id, user_id))
            points = min(max(points, 0.0), item.max_points)
            if grade is not None and (
                grade.overridden or (grade.points, grade.feedback) == (points, feedback)
            ):
                continue
            await set_grade(
                db,
                item_id=item.id,
                user_id=user_id,
                points=points,
                feedback=feedback,
                graded_by=graded_by,
            )


async def sync_activities(db: AsyncSession, course_id: int) -> None:
    """Bring the course's activity items and grades in step with the activities (sync on read).

    Writes only what changed. Two readers syncing at once may race to create the same row; the
    unique constraints refuse the second, whose savepoint is rolled back: the first one's rows
    are the same values.
    """
    activities = [
        *await _assignments(db, course_id),
        *await _course_quizzes(db, course_id),
        *await _live_quiz_runs(db, course_id),
    ]
    try:
        async with db.begin_nested():
            await _apply(db, course_id, activities)
    except IntegrityError:
        pass


# --- reading the gradebook ------------------------------------------------------------------


@dataclass
class StudentRow:
    user_id: int
    display_name: str
    login: str
    grades: dict[int, Grade]  # item_id -> grade (absent: not graded)
    total_percent: float | None


@dataclass
class Gradebook:
    course: Course
    items: list[GradeItem]
    students: list[StudentRow]


def course_total(items: Iterable[GradeItem], grades: Mapping[int, Grade]) -> float | None:
    """Weighted mean of the graded items in percent; ``None`` when nothing counts yet.

    Empty grades are excluded (Moodle's default), as are items of weight 0.
    """
    weighted = 0.0
    weights = 0.0
    for item in items:
        grade = grades.get(item.id)
        if grade is None or grade.points is None or item.weight <= 0 or item.max_points <= 0:
            continue
        weighted += item.weight * grade.points / item.max_points
        weights += item.weight
    if weights == 0:
        return None
    return round(100.0 * weighted / weights, 2)


async def _items(db: AsyncSession, course_id: int, *, visible_only: bool) -> list[GradeItem]:
    query = select(GradeItem).where(GradeItem.course_id == course_id)
    if visible_only:
        query = query.where(GradeItem.hidden.is_(False))
    return list(await db.scalars(query.order_by(GradeItem.created_at, GradeItem.id)))


async def course_gradebook(db: AsyncSession, course_id: int) -> Gradebook:
    """Students × items with each student's course total (no permission check: callers do)."""
    course = await _course(db, course_id)
    await sync_activities(db, course_id)
    items = await _items(db, course_id, visible_only=False)
    students = (
        await db.execute(
            select(User.id, User.display_name, User.login)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT)
            .order_by(User.display_name, User.id)
        )
    ).tuples()
    by_user: dict[int, dict[int, Grade]] = {}
    if items:
        for grade in await db.scalars(
            select(Grade)
            .join(GradeItem, GradeItem.id == Grade.item_id)
            .where(GradeItem.course_id == course_id)
        ):
            by_user.setdefault(grade.user_id, {})[grade.item_id] = grade
    rows = []
    for user_id, name, login in students:
        own = by_user.get(user_id, {})
        rows.append(StudentRow(user_id, name, login, own, course_total(items, own)))
    return Gradebook(course, items, rows)


async def student_grades(db: AsyncSession, course_id: int, user_id: int) -> StudentRow:
    """One student's visible items and total, as the student sees them (no permission check)."""
    await _course(db, course_id)
    user = await db.get(User, user_id)
    role = await permissions.course_role(db, course_id, user_id)
    if user is None or role is not CourseRole.STUDENT:
        raise NotFound("no such student in this course", user_id=user_id)
    await sync_activities(db, course_id)
    items = await _items(db, course_id, visible_only=True)
    grades = {
        g.item_id: g
        for g in await db.scalars(
            select(Grade).where(Grade.user_id == user_id, Grade.item_id.in_([i.id for i in items]))
        )
    }
    return StudentRow(user.id, user.display_name, user.login, grades, course_total(items, grades))


async def visible_items(db: AsyncSession, course_id: int) -> list[GradeItem]:
    return await _items(db, course_id, visible_only=True)


async def seed_gradebook(db: AsyncSession, logins: DemoLogins) -> None:
    """Two manual items in the demo course, graded for its students (one left ungraded)."""
    teacher = await permissions.first_teacher(db, logins.course_id)
    if teacher is None:
        return
    students = list(
        await db.scalars(
            select(Enrolment.user_id)
            .where(Enrolment.course_id == logins.course_id, Enrolment.role == CourseRole.STUDENT)
            .order_by(Enrolment.user_id)
        )
    )
    talk, _ = await add_manual_item(
        db, teacher, logins.course_id, title="수행평가: 관찰 발표", max_points=10,
        category="수행평가", client_id="demo-talk",
    )  # fmt: skip
    unit, _ = await add_manual_item(
        db, teacher, logins.course_id, title="단원 평가 1", max_points=100, weight=2,
        category="지필평가", client_id="demo-unit",
    )  # fmt: skip
    for index, user_id in enumerate(students):
        await grade_by_teacher(db, teacher, talk.id, user_id, points=float(10 - index % 4))
        if index % 3 != 2:  # an empty grade: left out of that student's total
            await grade_by_teacher(db, teacher, unit.id, user_id, points=float(95 - 7 * index))
