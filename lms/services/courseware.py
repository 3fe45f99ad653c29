"""Course content: sections in order, lessons in them, and each student's progress.

Teachers (and admins over the course) edit; students read what is visible. A lesson's kind
decides what it needs: a ``link`` a web address, a ``video`` an address or a stored file, a
``document`` a stored file, a ``live`` lesson a live session of the same course. The
``assignment`` and ``quiz`` kinds belong to those modules, which register a check for their
``ref_id`` in ``REFERENCE_CHECKS``; until one is registered the kind is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    CourseRole,
    CourseSection,
    Enrolment,
    Lesson,
    LessonKind,
    LessonProgress,
    LiveSession,
    User,
)
from lms.services import clean_text, courses, moment, parse_enum, permissions

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

MAX_SECTIONS = 100
MAX_LESSONS_PER_SECTION = 200
MAX_VIDEO_SECONDS = 12 * 3600

# ``await check(db, course_id, ref_id)`` raises when ``ref_id`` is not the module's row in the
# course. The assignment and quiz modules add themselves here.
ReferenceCheck = Callable[[AsyncSession, int, int], Awaitable[None]]
REFERENCE_CHECKS: dict[LessonKind, ReferenceCheck] = {}
# ``await check(db, actor, course_id, file_id)`` for lessons backed by the platform's file store.
FileCheck = Callable[[AsyncSession, User, int, int], Awaitable[None]]
FILE_CHECKS: list[FileCheck] = []


@dataclass
class SectionView:
    section: CourseSection
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class Outline:
    """The course page: sections with their lessons, and the viewer's progress by lesson."""

    sections: list[SectionView]
    progress: dict[int, LessonProgress]
    teaching: bool


async def _teacher(db: AsyncSession, actor: User, course_id: int) -> None:
    await courses.get_course(db, course_id)
    await permissions.require_course_teacher(db, actor, course_id)


async def outline(db: AsyncSession, viewer: User, course_id: int) -> Outline:
    """Everything the course page shows, in three queries whatever the course's size."""
    await courses.get_course(db, course_id)
    role = await permissions.require_course_member(db, viewer, course_id)
    teaching = await permissions.may_teach(db, viewer, course_id)
    sections = list(
        await db.scalars(
            select(CourseSection)
            .where(CourseSection.course_id == course_id)
            .order_by(CourseSection.position, CourseSection.id)
        )
    )
    query = select(Lesson).where(Lesson.course_id == course_id)
    if not teaching:
        query = query.where(Lesson.visible.is_(True))
    lessons = list(await db.scalars(query.order_by(Lesson.position, Lesson.id)))
    views = {section.id: SectionView(section) for section in sections}
    for lesson in lessons:
        views[lesson.section_id].lessons.append(lesson)
    progress: dict[int, LessonProgress] = {}
    if role is CourseRole.STUDENT and lessons:
        rows = await db.scalars(
            select(LessonProgress).where(
                LessonProgress.user_id == viewer.id,
                LessonProgress.lesson_id.in_([lesson.id for lesson in lessons]),
            )
        )
        progress = {row.lesson_id: row for row in rows}
    return Outline(list(views.values()), progress, teaching)


# -- sections --------------------------------------------------------------------------------


async def _section(db: AsyncSession, section_id: int) -> CourseSection:
    section = await db.get(CourseSection, section_id)
    if section is None:
        raise NotFound("no such section", section_id=section_id)
    return section


async def create_section(
    db: AsyncSession, actor: User, course_id: int, *, title: str, summary: str = ""
) -> CourseSection:
    """A new section at the end of the course."""
    await _teacher(db, actor, course_id)
    count, last = (
        await db.execute(
            select(func.count(CourseSection.id), func.max(CourseSection.position)).where(
                CourseSection.course_id == course_id
            )
        )
    ).one()
    if count >= MAX_SECTIONS:
        raise Conflict(f"a course has at most {MAX_SECTIONS} sections")
    section = CourseSection(
        course_id=course_id,
        title=clean_text(title, "section title", max_chars=200),
        summary=clean_text(summary, "summary", max_chars=5000, min_chars=0),
        position=(last or 0) + 1,
    )
    db.add(section)
    await db.flush()
    return section


async def update_section(
    db: AsyncSession,
    actor: User,
    section_id: int,
    *,
    title: str | None = None,
    summary: str | None = None,
) -> CourseSection:
    section = await _section(db, section_id)
    await _teacher(db, actor, section.course_id)
    if title is not None:
        section.title = clean_text(title, "section title", max_chars=200)
    if summary is not None:
        section.summary = clean_text(summary, "summary", max_chars=5000, min_chars=0)
    await db.flush()
    return section


async def delete_section(db: AsyncSession, actor: User, section_id: int) -> None:
    """Only an empty section goes: lessons carry students' progress, so they move or go first."""
    section = await _section(db, section_id)
    await _teacher(db, actor, section.course_id)
    if await db.scalar(select(Lesson.id).where(Lesson.section_id == section.id).limit(1)):
        raise Conflict("move or delete this section's lessons first")
    await db.delete(section)
    await db.flush()


async def reorder_sections(
    db: AsyncSession, actor: User, course_id: int, section_ids: Sequence[int]
) -> list[CourseSection]:
    """Put the sections in the given order; the list must name each section exactly once."""
    await _teacher(db, actor, course_id)
    sections = {
        section.id: section
        for section in await db.scalars(
            select(CourseSection).where(CourseSection.course_id == course_id)
        )
    }
    if sorted(section_ids) != sorted(sections):
        raise InvalidInput("name every section of the course exactly once", field="section_ids")
    for position, section_id in enumerate(section_ids, start=1):
        sections[section_id].position = position
    await db.flush()
    return [sections[section_id] for section_id in section_ids]


# -- lessons ---------------------------------------------------------------------------------


def _web_address(url: str) -> str:
    url = clean_text(url, "url", max_chars=2000)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("the address must start with http:// or https://", field="url")
    return url


@dataclass
class LessonContent:
    """What a lesson points at; which fields matter depends on its kind."""

    url: str = ""
    file_id: int | None = None
    live_session_id: int | None = None
    ref_id: int | None = None
    duration_seconds: int | None = None


async def _check_content(
    db: AsyncSession, actor: User, course_id: int, kind: LessonKind, content: LessonContent
) -> LessonContent:
    """The fields the kind needs, checked; fields of other kinds are dropped."""
    if content.duration_seconds is not None and not (
        0 < content.duration_seconds <= MAX_VIDEO_SECONDS
    ):
        raise InvalidInput("duration_seconds is out of range", field="duration_seconds")
    if kind is LessonKind.LINK:
        return LessonContent(url=_web_address(content.url))
    if kind is LessonKind.VIDEO:
        if content.file_id is not None:
            await _check_file(db, actor, course_id, content.file_id)
            return LessonContent(file_id=content.file_id, duration_seconds=content.duration_seconds)
        if not content.url:
            raise InvalidInput("a video lesson needs a video address or file", field="url")
        return LessonContent(
            url=_web_address(content.url), duration_seconds=content.duration_seconds
        )
    if kind is LessonKind.DOCUMENT:
        if content.file_id is None:
            raise InvalidInput("a document lesson needs a file", field="file_id")
        await _check_file(db, actor, course_id, content.file_id)
        return LessonContent(file_id=content.file_id)
    if kind is LessonKind.LIVE:
        if content.live_session_id is None:
            raise InvalidInput("a live lesson needs a live session", field="live_session_id")
        session = await db.get(LiveSession, content.live_session_id)
        if session is None or session.course_id != course_id:
            raise NotFound("no such live session in this course", field="live_session_id")
        return LessonContent(live_session_id=session.id)
    check = REFERENCE_CHECKS.get(kind)
    if check is None:
        raise InvalidInput(f"{kind.value} lessons are not available on this platform", field="kind")
    if content.ref_id is None:
        raise InvalidInput(f"a {kind.value} lesson needs ref_id", field="ref_id")
    await check(db, course_id, content.ref_id)
    return LessonContent(ref_id=content.ref_id)


async def _check_file(db: AsyncSession, actor: User, course_id: int, file_id: int) -> None:
    if not FILE_CHECKS:
        raise InvalidInput("file lessons are not available on this platform", field="file_id")
    for check in FILE_CHECKS:
        await check(db, actor, course_id, file_id)


async def create_lesson(
    db: AsyncSession,
    actor: User,
    course_id: int,
    *,
    section_id: int,
    kind: LessonKind | str,
    title: str,
    client_id: str,
    description: str = "",
    visible: bool = True,
    content: LessonContent | None = None,
) -> tuple[Lesson, bool]:
    """A lesson at the end of its section; a retry with the same ``client_id`` returns it."""
    await _teacher(db, actor, course_id)
    client_id = clean_text(client_id, "client_id", max_chars=64)
    stored = await db.scalar(
        select(Lesson).where(
            Lesson.course_id == course_id,
            Lesson.created_by == actor.id,
            Lesson.client_id == client_id,
        )
    )
    if stored is not None:
        return stored, False
    kind = parse_enum(LessonKind, kind, "kind")
    section = await _section(db, section_id)
    if section.course_id != course_id:
        raise NotFound("no such section in this course", section_id=section_id)
    checked = await _check_content(db, actor, course_id, kind, content or LessonContent())
    count, last = (
        await db.execute(
            select(func.count(Lesson.id), func.max(Lesson.position)).where(
                Lesson.section_id == section.id
            )
        )
    ).one()
    if count >= MAX_LESSONS_PER_SECTION:
        raise Conflict(f"a section holds at most {MAX_LESSONS_PER_SECTION} lessons")
    lesson = Lesson(
        course_id=course_id,
        section_id=section.id,
        kind=kind,
        title=clean_text(title, "lesson title", max_chars=200),
        description=clean_text(description, "description", max_chars=20000, min_chars=0),
        position=(last or 0) + 1,
        visible=visible,
        url=checked.url,
        file_id=checked.file_id,
        live_session_id=checked.live_session_id,
        ref_id=checked.ref_id,
        duration_seconds=checked.duration_seconds,
        client_id=client_id,
        created_by=actor.id,
    )
    db.add(lesson)
    await db.flush()
    return lesson, True


async def _lesson(db: AsyncSession, lesson_id: int) -> Lesson:
    lesson = await db.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound("no such lesson", lesson_id=lesson_id)
    return lesson


async def update_lesson(
    db: AsyncSession,
    actor: User,
    lesson_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    visible: bool | None = None,
    section_id: int | None = None,
    content: LessonContent | None = None,
) -> Lesson:
    """Edit a lesson; a new ``section_id`` moves it to the end of that section. The kind is
    fixed: students' progress belongs to what the lesson was."""
    lesson = await _lesson(db, lesson_id)
    await _teacher(db, actor, lesson.course_id)
    if title is not None:
        lesson.title = clean_text(title, "lesson title", max_chars=200)
    if description is not None:
        lesson.description = clean_text(description, "description", max_chars=20000, min_chars=0)
    if visible is not None:
        lesson.visible = visible
    if content is not None:
        checked = await _check_content(db, actor, lesson.course_id, lesson.kind, content)
        lesson.url = checked.url
        lesson.file_id = checked.file_id
        lesson.live_session_id = checked.live_session_id
        lesson.ref_id = checked.ref_id
        lesson.duration_seconds = checked.duration_seconds
    if section_id is not None and section_id != lesson.section_id:
        section = await _section(db, section_id)
        if section.course_id != lesson.course_id:
            raise NotFound("no such section in this course", section_id=section_id)
        last = await db.scalar(
            select(func.max(Lesson.position)).where(Lesson.section_id == section.id)
        )
        lesson.section_id = section.id
        lesson.position = (last or 0) + 1
    lesson.updated_at = moment(None)
    await db.flush()
    return lesson


async def reorder_lessons(
    db: AsyncSession, actor: User, section_id: int, lesson_ids: Sequence[int]
) -> list[Lesson]:
    """Put a section's lessons in the given order, naming each exactly once."""
    section = await _section(db, section_id)
    await _teacher(db, actor, section.course_id)
    lessons = {
        lesson.id: lesson
        for lesson in await db.scalars(select(Lesson).where(Lesson.section_id == section.id))
    }
    if sorted(lesson_ids) != sorted(lessons):
        raise InvalidInput("name every lesson of the section exactly once", field="lesson_ids")
    for position, lesson_id in enumerate(lesson_ids, start=1):
        lessons[lesson_id].position = position
    await db.flush()
    return [lessons[lesson_id] for lesson_id in lesson_ids]


async def delete_lesson(db: AsyncSession, actor: User, lesson_id: int) -> None:
    """Remove a lesson and its students' progress on it."""
    lesson = await _lesson(db, lesson_id)
    await _teacher(db, actor, lesson.course_id)
    await db.execute(delete(LessonProgress).where(LessonProgress.lesson_id == lesson.id))
    await db.delete(lesson)
    await db.flush()


async def lessons_using_file(db: AsyncSession, file_id: int) -> list[int]:
    """The lessons that show this stored file: while there are any, the file stays."""
    return list(
        await db.scalars(select(Lesson.id).where(Lesson.file_id == file_id).order_by(Lesson.id))
    )


async def open_lesson(
    db: AsyncSession, viewer: User, lesson_id: int
) -> tuple[Lesson, LessonProgress | None, bool]:
    """A lesson for its course's members (hidden ones for teachers only), with the viewer's
    progress and whether they teach the course."""
    lesson = await _lesson(db, lesson_id)
    role = await permissions.require_course_member(db, viewer, lesson.course_id)
    teaching = await permissions.may_teach(db, viewer, lesson.course_id)
    if not lesson.visible and not teaching:
        raise NotFound("no such lesson", lesson_id=lesson_id)
    progress = None
    if role is CourseRole.STUDENT:
        progress = await db.scalar(
            select(LessonProgress).where(
                LessonProgress.lesson_id == lesson.id, LessonProgress.user_id == viewer.id
            )
        )
    return lesson, progress, teaching


# -- progress --------------------------------------------------------------------------------

COMPLETION_SHARE = 0.9
# Watched time may grow at most this much faster than the wall clock between two saves (2x
# playback), plus a little slack for a save that was slow to arrive.
MAX_PLAYBACK_RATE = 2.0
SLACK_SECONDS = 15.0


async def _student_lesson(db: AsyncSession, student: User, lesson_id: int) -> Lesson:
    lesson, _, _ = await open_lesson(db, student, lesson_id)
    if await permissions.course_role(db, lesson.course_id, student.id) is not CourseRole.STUDENT:
        raise Forbidden("progress is kept for the course's students")
    return lesson


async def _progress_row(
    db: AsyncSession, lesson: Lesson, student: User, when: datetime
) -> tuple[LessonProgress, bool]:
    row = await db.scalar(
        select(LessonProgress).where(
            LessonProgress.lesson_id == lesson.id, LessonProgress.user_id == student.id
        )
    )
    if row is not None:
        return row, False
    row = LessonProgress(lesson_id=lesson.id, user_id=student.id, updated_at=when)
    db.add(row)
    return row, True


async def save_video_progress(
    db: AsyncSession,
    student: User,
    lesson_id: int,
    *,
    position_seconds: float,
    watched_seconds: float,
    duration_seconds: float | None = None,
    rewatch: bool = False,
    now: datetime | None = None,
) -> LessonProgress:
    """Merge a player's periodic report into the stored progress.

    Monotone, so a retried or out-of-order report changes nothing: watched time and position
    only grow (position may go back only with ``rewatch``, the student starting over), watched
    time cannot outrun the clock, and completion (90 % watched) is never taken back.
    """
    lesson = await _student_lesson(db, student, lesson_id)
    if lesson.kind is not LessonKind.VIDEO:
        raise InvalidInput("progress is reported for video lessons", field="lesson_id")
    for name, value in (
        ("position_seconds", position_seconds),
        ("watched_seconds", watched_seconds),
    ):
        if not 0 <= value <= MAX_VIDEO_SECONDS:
            raise InvalidInput(f"{name} is out of range", field=name)
    when = moment(now)
    row, created = await _progress_row(db, lesson, student, when)
    duration = lesson.duration_seconds or row.duration_seconds
    if duration is None:
        if duration_seconds is None or not 0 < duration_seconds <= MAX_VIDEO_SECONDS:
            raise InvalidInput(
                "duration_seconds is needed to track this video", field="duration_seconds"
            )
        duration = duration_seconds
    row.duration_seconds = float(duration)
    position = min(position_seconds, duration)
    if rewatch and position < (row.position_seconds or 0.0):
        row.rewatch_count = (row.rewatch_count or 0) + 1
        row.position_seconds = position
    else:
        row.position_seconds = max(row.position_seconds or 0.0, position)
    stored = row.watched_seconds or 0.0
    elapsed = 0.0 if created else max((when - row.updated_at).total_seconds(), 0.0)
    allowance = elapsed * MAX_PLAYBACK_RATE + SLACK_SECONDS
    row.watched_seconds = min(max(stored, min(watched_seconds, stored + allowance)), duration)
    if row.completed_at is None and row.watched_seconds >= COMPLETION_SHARE * duration:
        row.completed_at = when
    if row.watched_seconds != stored or created:
        row.updated_at = when
    await db.flush()
    return row


async def record_view(
    db: AsyncSession, student: User, lesson_id: int, *, now: datetime | None = None
) -> LessonProgress:
    """Opening a link or document completes it (Moodle's "view" completion); idempotent."""
    lesson = await _student_lesson(db, student, lesson_id)
    if lesson.kind not in (LessonKind.LINK, LessonKind.DOCUMENT):
        raise InvalidInput("views are recorded for links and documents", field="lesson_id")
    when = moment(now)
    row, _ = await _progress_row(db, lesson, student, when)
    if row.completed_at is None:
        row.completed_at = when
        row.updated_at = when
    await db.flush()
    return row


async def lesson_report(
    db: AsyncSession, actor: User, lesson_id: int
) -> tuple[Lesson, list[tuple[User, LessonProgress | None]]]:
    """Every student of the course with their progress on the lesson, in one query."""
    lesson = await _lesson(db, lesson_id)
    await _teacher(db, actor, lesson.course_id)
    rows = await db.execute(
        select(User, LessonProgress)
        .join(Enrolment, Enrolment.user_id == User.id)
        .outerjoin(
            LessonProgress,
            (LessonProgress.user_id == User.id) & (LessonProgress.lesson_id == lesson.id),
        )
        .where(Enrolment.course_id == lesson.course_id, Enrolment.role == CourseRole.STUDENT)
        .order_by(User.display_name, User.id)
    )
    return lesson, list(rows.tuples())


async def seed_courseware(db: AsyncSession, logins: DemoLogins) -> None:
    """The demo course's first unit (a link and its live class) and two groups; once only."""
    from lms.services import course_groups  # late: course_groups is not needed otherwise

    course_id = logins.course_id
    if await db.scalar(select(CourseSection.id).where(CourseSection.course_id == course_id)):
        return
    teacher = await db.scalar(select(User).where(User.login == "teacher"))
    if teacher is None:
        return
    section = await create_section(
        db, teacher, course_id, title="1단원 식물의 한살이", summary="씨앗이 싹 트고 자라는 과정"
    )
    await create_lesson(
        db,
        teacher,
        course_id,
        section_id=section.id,
        kind=LessonKind.LINK,
        title="식물의 한살이 읽기 자료",
        client_id="demo-link",
        content=LessonContent(url="https://ko.wikipedia.org/wiki/식물"),
    )
    await create_lesson(
        db,
        teacher,
        course_id,
        section_id=section.id,
        kind=LessonKind.LIVE,
        title="실시간 수업: 식물의 한살이",
        client_id="demo-live",
        content=LessonContent(live_session_id=logins.session_id),
    )
    students = list(
        await db.scalars(
            select(Enrolment.user_id)
            .where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT)
            .order_by(Enrolment.user_id)
        )
    )
    await course_groups.create_group(db, teacher, course_id, name="1모둠", user_ids=students[::2])
    await course_groups.create_group(db, teacher, course_id, name="2모둠", user_ids=students[1::2])
