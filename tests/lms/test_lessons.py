"""Sections and lessons: teachers build the course, students see what is visible, video
progress only moves forward and completes at 90 %."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import Lesson, LessonKind, LessonProgress, StoredFile, User
from lms.services import (
    course_quizzes,  # noqa: F401  (registers quiz lessons, as the app does)
    courseware,
    files,
    live_sessions,
)
from lms.services.courseware import LessonContent
from tests.lms.conftest import World
from tests.lms.test_files import PDF_BYTES

Db = async_sessionmaker[AsyncSession]
T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


async def section_with_video(db: Db, world: World, duration: int | None = 600) -> int:
    async with db() as session, session.begin():
        section = await courseware.create_section(
            session, world.teacher, world.course.id, title="1단원"
        )
        lesson, _ = await courseware.create_lesson(
            session,
            world.teacher,
            world.course.id,
            section_id=section.id,
            kind="video",
            title="광합성 영상",
            client_id="v1",
            content=LessonContent(url="https://video.example/a.mp4", duration_seconds=duration),
        )
        return lesson.id


async def test_outline_orders_sections_and_hides_drafts_from_students(db: Db, world: World) -> None:
    async with db() as session, session.begin():
        first = await courseware.create_section(
            session, world.teacher, world.course.id, title="1단원"
        )
        second = await courseware.create_section(
            session, world.teacher, world.course.id, title="2단원"
        )
        link, created = await courseware.create_lesson(
            session,
            world.teacher,
            world.course.id,
            section_id=first.id,
            kind=LessonKind.LINK,
            title="교과서",
            client_id="l1",
            content=LessonContent(url="https://example.org/book"),
        )
        again, created_again = await courseware.create_lesson(
            session,
            world.teacher,
            world.course.id,
            section_id=first.id,
            kind="link",
            title="retry",
            client_id="l1",
            content=LessonContent(url="https://example.org/x"),
        )
        assert created and not created_again and again.id == link.id
        draft, _ = await courseware.create_lesson(
            session,
            world.teacher,
            world.course.id,
            section_id=first.id,
            kind="link",
            title="초안",
            client_id="l2",
            visible=False,
            content=LessonContent(url="https://example.org/draft"),
        )
        await courseware.reorder_sections(
            session, world.teacher, world.course.id, [second.id, first.id]
        )
        await courseware.reorder_lessons(session, world.teacher, first.id, [draft.id, link.id])
    async with db() as session:
        taught = await courseware.outline(session, world.teacher, world.course.id)
        assert [v.section.title for v in taught.sections] == ["2단원", "1단원"]
        assert [lesson.title for lesson in taught.sections[1].lessons] == ["초안", "교과서"]
        seen = await courseware.outline(session, world.students[0], world.course.id)
        assert [lesson.title for lesson in seen.sections[1].lessons] == ["교과서"]
        with pytest.raises(NotFound):
            await courseware.open_lesson(session, world.students[0], draft.id)
        with pytest.raises(Forbidden):
            await courseware.outline(session, world.other_teacher, world.course.id)


async def test_lesson_kinds_need_their_content(db: Db, world: World) -> None:
    async with db() as session, session.begin():
        section = await courseware.create_section(
            session, world.teacher, world.course.id, title="s"
        )

        async def make(kind: str, content: LessonContent, client_id: str) -> None:
            await courseware.create_lesson(
                session,
                world.teacher,
                world.course.id,
                section_id=section.id,
                kind=kind,
                title="t",
                client_id=client_id,
                content=content,
            )

        with pytest.raises(InvalidInput):
            await make("link", LessonContent(url="javascript:alert(1)"), "a")
        with pytest.raises(InvalidInput):
            await make("video", LessonContent(), "b")
        with pytest.raises(InvalidInput):
            await make("quiz", LessonContent(), "c")  # a quiz lesson names its quiz
        with pytest.raises(NotFound):
            await make("quiz", LessonContent(ref_id=999_999), "c2")  # not this course's quiz
        with pytest.raises(InvalidInput):
            await make("podcast", LessonContent(), "d")
        with pytest.raises(InvalidInput):
            await make("live", LessonContent(), "e")
        live = await live_sessions.schedule_session(
            session,
            world.teacher,
            world.course.id,
            title="실시간 수업",
            scheduled_start=T0,
            scheduled_end=T0 + timedelta(minutes=40),
        )
        await make("live", LessonContent(live_session_id=live.id), "f")
        with pytest.raises(Forbidden):
            await courseware.create_lesson(
                session,
                world.students[0],
                world.course.id,
                section_id=section.id,
                kind="link",
                title="t",
                client_id="g",
                content=LessonContent(url="https://example.org"),
            )
        with pytest.raises(Conflict):
            await courseware.delete_section(session, world.teacher, section.id)


async def test_registered_module_kinds_check_their_reference(
    db: Db, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def only_seven(_db: AsyncSession, course_id: int, ref_id: int) -> None:
        if ref_id != 7:
            raise NotFound("no such assignment")

    monkeypatch.setitem(courseware.REFERENCE_CHECKS, LessonKind.ASSIGNMENT, only_seven)
    async with db() as session, session.begin():
        section = await courseware.create_section(
            session, world.teacher, world.course.id, title="s"
        )
        lesson, _ = await courseware.create_lesson(
            session,
            world.teacher,
            world.course.id,
            section_id=section.id,
            kind="assignment",
            title="과제",
            client_id="a",
            content=LessonContent(ref_id=7, url="ignored"),
        )
        assert (lesson.ref_id, lesson.url) == (7, "")
        with pytest.raises(NotFound):
            await courseware.create_lesson(
                session,
                world.teacher,
                world.course.id,
                section_id=section.id,
                kind="assignment",
                title="과제",
                client_id="b",
                content=LessonContent(ref_id=8),
            )


async def test_video_progress_is_monotone_and_completes_at_90_percent(db: Db, world: World) -> None:
    lesson_id = await section_with_video(db, world)
    student = world.students[0]

    async def save(at: int, position: float, watched: float, **kw: object) -> LessonProgress:
        async with db() as session, session.begin():
            return await courseware.save_video_progress(
                session,
                student,
                lesson_id,
                position_seconds=position,
                watched_seconds=watched,
                now=T0 + timedelta(seconds=at),
                **kw,
            )

    row = await save(0, 10, 10)
    assert (row.position_seconds, row.watched_seconds, row.completed_at) == (10, 10, None)
    row = await save(0, 10, 10)  # a retry changes nothing
    assert (row.position_seconds, row.watched_seconds) == (10, 10)
    row = await save(30, 5, 8)  # an older report arriving late cannot move it back
    assert (row.position_seconds, row.watched_seconds) == (10, 10)
    row = await save(40, 600, 600)  # skipping to the end does not count as watching it
    assert row.watched_seconds == 10 + 40 * 2 + 15 and row.completed_at is None
    row = await save(600, 560, 530)
    assert row.completed_at is None
    row = await save(620, 580, 545)
    assert row.watched_seconds == 545 and row.completed_at is not None  # 545 >= 90 % of 600
    done_at = row.completed_at
    row = await save(700, 0, 0, rewatch=True)  # starting over keeps completion
    assert (row.position_seconds, row.completed_at, row.rewatch_count) == (0, done_at, 1)
    row = await save(700, 0, 0, rewatch=True)
    assert row.rewatch_count == 1


async def test_progress_needs_a_student_and_a_duration(db: Db, world: World) -> None:
    lesson_id = await section_with_video(db, world, duration=None)
    async with db() as session, session.begin():
        with pytest.raises(InvalidInput):
            await courseware.save_video_progress(
                session, world.students[0], lesson_id, position_seconds=1, watched_seconds=1
            )
        row = await courseware.save_video_progress(
            session,
            world.students[0],
            lesson_id,
            position_seconds=1,
            watched_seconds=1,
            duration_seconds=120.5,
        )
        assert row.duration_seconds == 120.5
        with pytest.raises(Forbidden):
            await courseware.save_video_progress(
                session,
                world.teacher,
                lesson_id,
                position_seconds=1,
                watched_seconds=1,
                duration_seconds=100,
            )
        with pytest.raises(InvalidInput):
            await courseware.save_video_progress(
                session,
                world.students[1],
                lesson_id,
                position_seconds=-1,
                watched_seconds=1,
                duration_seconds=100,
            )
    async with db() as session:
        _, report = await courseware.lesson_report(session, world.teacher, lesson_id)
        assert [(user.login, row is not None) for user, row in report] == [
            ("student1", True),
            ("student2", False),
            ("student3", False),
        ]
        with pytest.raises(Forbidden):
            await courseware.lesson_report(session, world.students[0], lesson_id)


async def test_opening_a_link_completes_it(db: Db, world: World) -> None:
    async with db() as session, session.begin():
        section = await courseware.create_section(
            session, world.teacher, world.course.id, title="s"
        )
        link, _ = await courseware.create_lesson(
            session,
            world.teacher,
            world.course.id,
            section_id=section.id,
            kind="link",
            title="t",
            client_id="a",
            content=LessonContent(url="https://example.org"),
        )
        first = await courseware.record_view(session, world.students[0], link.id, now=T0)
        again = await courseware.record_view(
            session, world.students[0], link.id, now=T0 + timedelta(hours=1)
        )
        assert first.completed_at == again.completed_at == T0


async def test_moving_and_deleting_lessons(db: Db, world: World) -> None:
    lesson_id = await section_with_video(db, world)
    async with db() as session, session.begin():
        await courseware.save_video_progress(
            session, world.students[0], lesson_id, position_seconds=1, watched_seconds=1
        )
    async with db() as session, session.begin():
        other = await courseware.create_section(session, world.teacher, world.course.id, title="2")
        moved = await courseware.update_lesson(
            session, world.teacher, lesson_id, section_id=other.id, title="새 제목", visible=False
        )
        assert (moved.section_id, moved.title, moved.visible) == (other.id, "새 제목", False)
        await courseware.delete_lesson(session, world.teacher, lesson_id)
        await courseware.delete_section(session, world.teacher, other.id)
    async with db() as session:
        with pytest.raises(NotFound):
            await courseware.open_lesson(session, world.teacher, lesson_id)


async def test_demo_course_gets_a_unit_and_groups_once(db: Db) -> None:
    from lms.services import course_groups, demo

    async with db() as session, session.begin():
        logins = await demo.seed_demo(session)
    async with db() as session, session.begin():
        await demo.seed_demo(session)
    async with db() as session:
        teacher = await session.scalar(select(User).where(User.login == "teacher"))
        found = await courseware.outline(session, teacher, logins.course_id)
        assert [len(view.lessons) for view in found.sections] == [2]
        kinds = [lesson.kind for lesson in found.sections[0].lessons]
        assert kinds == [LessonKind.LINK, LessonKind.LIVE]
        groups = await course_groups.groups_of_course(session, logins.course_id)
        assert [group.group.name for group in groups] == ["1모둠", "2모둠"]


async def test_a_lesson_never_points_at_a_missing_file(
    db: Db, world: World, tmp_path: Path
) -> None:
    async with db() as session, session.begin():
        section = await courseware.create_section(
            session, world.teacher, world.course.id, title="1단원"
        )
        stored = await files.save_upload(
            session, tmp_path, world.teacher, files.iter_bytes(PDF_BYTES),
            original_name="활동지.pdf", allowed=files.DOCUMENT_TYPES, max_bytes=1 << 20,
            course_id=world.course.id, purpose="lesson",
        )  # fmt: skip
        lesson, _ = await courseware.create_lesson(
            session, world.teacher, world.course.id, section_id=section.id, kind="document",
            title="활동지", client_id="d1", content=LessonContent(file_id=stored.id),
        )  # fmt: skip
    # The database refuses a lesson naming a file that does not exist (foreign keys on SQLite too).
    with pytest.raises(IntegrityError):
        async with db() as session, session.begin():
            session.add(
                Lesson(course_id=world.course.id, section_id=section.id,
                       kind=LessonKind.DOCUMENT, title="x", file_id=stored.id + 1000,
                       client_id="d2", created_by=world.teacher.id)
            )  # fmt: skip
    # Deleting the file a lesson shows is refused, naming the lesson; nothing is lost.
    with pytest.raises(Conflict) as refused:
        async with db() as session, session.begin():
            await files.delete_file(session, tmp_path, world.teacher, stored.id)
    assert refused.value.details == {"file_id": stored.id, "lesson_ids": [lesson.id]}
    assert files.file_path(tmp_path, stored).is_file()
    # Past the file store, the key refuses it as well.
    with pytest.raises(IntegrityError):
        async with db() as session, session.begin():
            await session.execute(delete(StoredFile).where(StoredFile.id == stored.id))
    async with db() as session:
        kept = await session.get(Lesson, lesson.id)
        assert kept is not None and kept.file_id == stored.id
        assert await session.get(StoredFile, stored.id) is not None
    # Once no lesson shows it, the file goes.
    async with db() as session, session.begin():
        await courseware.delete_lesson(session, world.teacher, lesson.id)
        await files.delete_file(session, tmp_path, world.teacher, stored.id)
    assert not files.blob_path(tmp_path, stored.sha256).exists()
