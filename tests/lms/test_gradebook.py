"""The gradebook: ranges, weights, empty grades, hidden items, overrides, activity sync, history
and the exported files read back cell by cell."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput
from lms.models import (
    Assignment,
    AttemptState,
    CourseQuiz,
    CourseQuizSlot,
    CourseRole,
    Grade,
    GradeHistory,
    GradeSource,
    LiveSession,
    Question,
    QuestionKind,
    QuizAttempt,
    QuizGrade,
    QuizRun,
    QuizRunKind,
    QuizRunStatus,
    Submission,
    SubmissionStatus,
)
from lms.services import book_exports, courses, gradebook
from tests.lms.conftest import World

Db = async_sessionmaker[AsyncSession]


async def manual(s: AsyncSession, world: World, title: str, max_points: float, weight=1.0):
    item, created = await gradebook.add_manual_item(
        s,
        world.teacher,
        world.course.id,
        title=title,
        max_points=max_points,
        weight=weight,
        client_id=f"c-{title}",
    )
    assert created
    return item


async def test_points_must_lie_within_the_maximum(db: Db, world: World) -> None:
    async with db() as s, s.begin():
        item = await manual(s, world, "받아쓰기", 10)
        student = world.students[0]
        for bad in (-0.5, 10.01, float("nan")):
            with pytest.raises(InvalidInput) as error:
                await gradebook.grade_by_teacher(s, world.teacher, item.id, student.id, points=bad)
        assert "grade out of range" in str(error.value) or "number" in str(error.value)
        with pytest.raises(InvalidInput, match="grade out of range"):
            await gradebook.set_grade(
                s, item_id=item.id, user_id=student.id, points=11, graded_by=world.teacher.id
            )
        grade = await gradebook.grade_by_teacher(
            s, world.teacher, item.id, student.id, points=10, feedback="잘했어요"
        )
        assert (grade.points, grade.feedback, grade.overridden) == (10.0, "잘했어요", False)
        # The teacher is not a student of the course: no grade for them.
        with pytest.raises(InvalidInput):
            await gradebook.grade_by_teacher(s, world.teacher, item.id, world.teacher.id, points=1)


async def test_weighted_total_leaves_out_empty_grades(db: Db, world: World) -> None:
    one, two, three = world.students
    async with db() as s, s.begin():
        a = await manual(s, world, "A", 10, weight=1)
        b = await manual(s, world, "B", 20, weight=3)
        zero = await manual(s, world, "참고", 5, weight=0)
        await gradebook.grade_by_teacher(s, world.teacher, a.id, one.id, points=5)
        await gradebook.grade_by_teacher(s, world.teacher, b.id, one.id, points=20)
        await gradebook.grade_by_teacher(s, world.teacher, zero.id, one.id, points=0)
        await gradebook.grade_by_teacher(s, world.teacher, a.id, two.id, points=10)
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
    totals = {row.login: row.total_percent for row in book.students}
    # (1 × 5/10 + 3 × 20/20) / (1 + 3); the weight-0 item counts for nothing.
    assert totals == {"student1": 87.5, "student2": 100.0, "student3": None}
    assert [item.title for item in book.items] == ["A", "B", "참고"]
    assert three.id in {row.user_id for row in book.students}


async def test_hidden_items_are_left_out_of_what_a_student_sees(db: Db, world: World) -> None:
    student = world.students[0]
    async with db() as s, s.begin():
        shown = await manual(s, world, "shown", 10)
        hidden = await manual(s, world, "hidden", 10)
        await gradebook.update_item(s, world.teacher, hidden.id, hidden=True, weight=2)
        await gradebook.grade_by_teacher(s, world.teacher, shown.id, student.id, points=10)
        await gradebook.grade_by_teacher(s, world.teacher, hidden.id, student.id, points=0)
    async with db() as s, s.begin():
        mine = await gradebook.student_grades(s, world.course.id, student.id)
        book = await gradebook.course_gradebook(s, world.course.id)
    assert set(mine.grades) == {shown.id}
    assert mine.total_percent == 100.0
    teacher_row = next(row for row in book.students if row.user_id == student.id)
    assert teacher_row.total_percent == pytest.approx(33.33)


async def test_manual_item_rules(db: Db, world: World) -> None:
    async with db() as s, s.begin():
        item = await manual(s, world, "발표", 10)
        again, created = await gradebook.add_manual_item(
            s, world.teacher, world.course.id, title="발표", max_points=10, client_id="c-발표"
        )
        assert (again.id, created) == (item.id, False)
        await gradebook.grade_by_teacher(s, world.teacher, item.id, world.students[0].id, points=8)
        with pytest.raises(Conflict):
            await gradebook.update_item(s, world.teacher, item.id, max_points=5, rescale=False)
        with pytest.raises(InvalidInput):
            await gradebook.update_item(s, world.teacher, item.id, weight=-1)
        updated = await gradebook.update_item(
            s, world.teacher, item.id, max_points=20, title="말하기", rescale=False
        )
        assert (updated.max_points, updated.title) == (20.0, "말하기")


async def test_only_the_course_teachers_edit(db: Db, world: World) -> None:
    async with db() as s, s.begin():
        item = await manual(s, world, "X", 10)
        student = world.students[0]
        for actor in (world.school_admin, world.admin, student, world.other_teacher):
            with pytest.raises(Forbidden):
                await gradebook.grade_by_teacher(s, actor, item.id, student.id, points=1)
        # A co-teacher edits like the teacher.
        await courses.enrol(
            s, world.teacher, world.course.id, world.school_admin.id, CourseRole.CO_TEACHER
        )
        await gradebook.grade_by_teacher(s, world.school_admin, item.id, student.id, points=1)
        await gradebook.require_reader(s, world.admin, world.course.id)
        for actor in (world.other_school_admin, student):
            with pytest.raises(Forbidden):
                await gradebook.require_reader(s, actor, world.course.id)
        await gradebook.require_student_reader(s, student, world.course.id, student.id)
        with pytest.raises(Forbidden):
            await gradebook.require_student_reader(
                s, student, world.course.id, world.students[1].id
            )


async def test_activities_sync_and_overrides_hold(db: Db, world: World) -> None:
    one, two, _ = world.students
    now = datetime.now(UTC)
    async with db() as s, s.begin():
        assignment = Assignment(
            course_id=world.course.id,
            title="관찰 일지",
            due_at=now,
            max_points=20,
            created_by=world.teacher.id,
        )
        session = LiveSession(
            course_id=world.course.id,
            title="3교시",
            scheduled_start=now,
            scheduled_end=now + timedelta(minutes=40),
        )
        s.add_all([assignment, session])
        await s.flush()
        s.add(
            Submission(
                assignment_id=assignment.id,
                user_id=one.id,
                status=SubmissionStatus.GRADED,
                last_client_id="x",
                submitted_at=now,
                points=15,
                raw_points=15,
                feedback="좋아요",
                graded_by=world.teacher.id,
                graded_at=now,
            )
        )
        run = QuizRun(
            course_id=world.course.id,
            session_id=session.id,
            kind=QuizRunKind.QUIZ,
            title="쪽지 시험",
            graded=True,
            max_points=4,
            status=QuizRunStatus.CLOSED,
            launched_by=world.teacher.id,
            client_id="r1",
            closed_at=now,
        )
        s.add(run)
        await s.flush()
        s.add_all(
            [
                QuizGrade(run_id=run.id, user_id=one.id, points=3, max_points=4, answered=2),
                QuizGrade(run_id=run.id, user_id=two.id, points=0, max_points=4, answered=0),
            ]
        )
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
    kinds = {(item.source_kind, item.title, item.max_points) for item in book.items}
    assert kinds == {
        (GradeSource.ASSIGNMENT, "관찰 일지", 20.0),
        (GradeSource.LIVE_QUIZ, "쪽지 시험", 4.0),
    }
    items = {item.source_kind: item for item in book.items}
    rows = {row.user_id: row for row in book.students}
    assert rows[one.id].grades[items[GradeSource.ASSIGNMENT].id].points == 15
    assert rows[one.id].grades[items[GradeSource.ASSIGNMENT].id].feedback == "좋아요"
    assert rows[one.id].grades[items[GradeSource.LIVE_QUIZ].id].points == 3
    assert rows[two.id].grades[items[GradeSource.LIVE_QUIZ].id].points == 0
    assert rows[one.id].total_percent == 75.0  # (15/20 + 3/4) / 2
    quiz_item = items[GradeSource.LIVE_QUIZ]

    async with db() as s, s.begin():  # a teacher overrides; the activity no longer writes it
        grade = await gradebook.grade_by_teacher(s, world.teacher, quiz_item.id, two.id, points=2)
        assert grade.overridden
        again = await gradebook.set_grade(
            s, item_id=quiz_item.id, user_id=two.id, points=0, graded_by=None
        )
        assert again.points == 2
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
        row = next(r for r in book.students if r.user_id == two.id)
        assert row.grades[quiz_item.id].points == 2
        released = await gradebook.release_override(s, world.teacher, quiz_item.id, two.id)
        assert (released.points, released.overridden) == (0, False)
        history = await gradebook.grade_history(s, world.teacher, released.id)
        assert [(h.old_points, h.new_points, h.overridden) for h in history] == [
            (None, 0, False),
            (0, 2, True),
            (2, 0, False),
        ]
        assert history[1].changed_by == world.teacher.id and history[0].changed_by is None
        # Reading again writes nothing new: sync only writes what changed.
        await gradebook.course_gradebook(s, world.course.id)
        count = len(list(await s.scalars(select(GradeHistory))))
    assert count == 5  # 2 assignment/quiz grades of student1, 3 of student2


async def test_upsert_item_is_idempotent(db: Db, world: World) -> None:
    async with db() as s, s.begin():
        first = await gradebook.upsert_item(
            s,
            course_id=world.course.id,
            source_kind="assignment",
            source_id=7,
            title="과제",
            max_points=10,
            weight=2,
        )
        second = await gradebook.upsert_item(
            s,
            course_id=world.course.id,
            source_kind=GradeSource.ASSIGNMENT,
            source_id=7,
            title="과제 (수정)",
            max_points=12,
        )
        assert first.id == second.id
        assert (second.title, second.max_points, second.weight) == ("과제 (수정)", 12.0, 2.0)
        with pytest.raises(InvalidInput):
            await gradebook.upsert_item(
                s,
                course_id=world.course.id,
                source_kind="manual",
                source_id=1,
                title="x",
                max_points=1,
            )


async def test_exports_read_back_cell_by_cell(db: Db, world: World) -> None:
    one, two, _ = world.students
    async with db() as s, s.begin():
        a = await manual(s, world, "받아쓰기", 10, weight=1)
        b = await manual(s, world, "실험 보고서", 20, weight=3)
        await gradebook.grade_by_teacher(s, world.teacher, a.id, one.id, points=5)
        await gradebook.grade_by_teacher(s, world.teacher, b.id, one.id, points=20)
        await gradebook.grade_by_teacher(s, world.teacher, a.id, two.id, points=7.5)
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
    expected = [
        ["이름", "아이디", "받아쓰기 (10점)", "실험 보고서 (20점)", "과정 합계(%)"],
        ["student1", "student1", 5, 20, 87.5],
        ["student2", "student2", 7.5, None, 75],
        ["student3", "student3", None, None, None],
        ["가중치", "", 1, 3, None],
    ]
    data, content_type = book_exports.gradebook_file(book, "csv")
    assert content_type == "text/csv" and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["" if c is None else str(c) for c in row] for row in expected]
    data, content_type = book_exports.gradebook_file(book, "xlsx")
    assert content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        [("" if c == "" else c) if c != "" else None for c in row] for row in expected
    ]
    assert sheet.freeze_panes == "C2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= 10


async def quiz_of_2_and_3_points(
    s: AsyncSession, world: World
) -> tuple[CourseQuiz, list[CourseQuizSlot]]:
    """A course quiz of two questions, worth 2 and 3 points."""
    quiz = CourseQuiz(course_id=world.course.id, title="단원 퀴즈", created_by=world.teacher.id)
    questions = [
        Question(course_id=world.course.id, kind=QuestionKind.TRUE_FALSE, prompt=f"Q{i}",
                 points=points, created_by=world.teacher.id)
        for i, points in enumerate((2, 3))
    ]  # fmt: skip
    s.add_all([quiz, *questions])
    await s.flush()
    slots = [
        CourseQuizSlot(quiz_id=quiz.id, position=i, question_id=q.id)
        for i, q in enumerate(questions)
    ]
    s.add_all(slots)
    await s.flush()
    return quiz, slots


async def test_a_quiz_counts_each_students_best_finished_attempt(db: Db, world: World) -> None:
    one, two, three = world.students
    async with db() as s, s.begin():
        quiz, _ = await quiz_of_2_and_3_points(s, world)
        for user, number, points, state in (
            (one, 1, 2.0, AttemptState.FINISHED),
            (one, 2, 4.0, AttemptState.FINISHED),
            (two, 1, 5.0, AttemptState.IN_PROGRESS),  # not finished: no grade yet
        ):
            s.add(QuizAttempt(quiz_id=quiz.id, user_id=user.id, number=number, state=state,
                              points=points, max_points=5))  # fmt: skip
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
    [item] = book.items
    assert (item.source_kind, item.source_id, item.max_points) == (GradeSource.QUIZ, quiz.id, 5)
    rows = {row.user_id: row for row in book.students}
    assert rows[one.id].grades[item.id].points == 4
    assert item.id not in rows[two.id].grades and item.id not in rows[three.id].grades
    assert rows[one.id].total_percent == 80.0


async def grades_of(db: Db, item_id: int) -> dict[int, float | None]:
    async with db() as s:
        return {
            g.user_id: g.points
            for g in await s.scalars(select(Grade).where(Grade.item_id == item_id))
        }


async def history_count(db: Db) -> int:
    async with db() as s:
        return len(list(await s.scalars(select(GradeHistory))))


async def change_max(db: Db, world: World, item_id: int, max_points: float, **rescale: bool):
    async with db() as s, s.begin():
        return await gradebook.update_item(
            s, world.teacher, item_id, max_points=max_points, **rescale
        )


async def test_a_new_maximum_rescales_or_keeps_the_grades_given(db: Db, world: World) -> None:
    one, two, three = world.students
    async with db() as s, s.begin():
        item = await manual(s, world, "받아쓰기", 10)
        for student, points in ((one, 8), (two, 4), (three, 2.5)):
            await gradebook.grade_by_teacher(s, world.teacher, item.id, student.id, points=points)
    given = {one.id: 8, two.id: 4, three.id: 2.5}
    history = await history_count(db)

    # An item with grades: the teacher must say what becomes of them.
    with pytest.raises(InvalidInput) as error:
        await change_max(db, world, item.id, 5)
    assert error.value.details["field"] == "rescale" and error.value.details["graded"] == 3
    # Keeping the points is refused while a grade would be above the new maximum.
    with pytest.raises(Conflict) as error:
        await change_max(db, world, item.id, 5, rescale=False)
    assert error.value.details == {
        "field": "max_points", "exceeding": 1, "max_points": 5.0, "highest": 8.0,
    }  # fmt: skip
    # Refused in the same unit of work too: the item is as it was, nothing stored is lost.
    async with db() as s, s.begin():
        with pytest.raises(Conflict):
            await gradebook.update_item(s, world.teacher, item.id, max_points=5, rescale=False)
        assert (await gradebook.get_item(s, item.id)).max_points == 10
    assert await grades_of(db, item.id) == given
    assert await history_count(db) == history

    # Rescaling keeps each grade's percentage; each change is in the history.
    assert (await change_max(db, world, item.id, 5, rescale=True)).max_points == 5
    assert await grades_of(db, item.id) == {one.id: 4, two.id: 2, three.id: 1.25}
    async with db() as s:
        rows = list(await s.scalars(select(GradeHistory).order_by(GradeHistory.id)))[history:]
    assert [(r.old_points, r.new_points, r.changed_by) for r in rows] == [
        (8, 4, world.teacher.id), (4, 2, world.teacher.id), (2.5, 1.25, world.teacher.id),
    ]  # fmt: skip
    # The ordinary raise: the points are kept (each grade is now worth less), or rescaled.
    await change_max(db, world, item.id, 20, rescale=False)
    assert await grades_of(db, item.id) == {one.id: 4, two.id: 2, three.id: 1.25}
    await change_max(db, world, item.id, 40, rescale=True)
    assert await grades_of(db, item.id) == {one.id: 8, two.id: 4, three.id: 2.5}
    # Lowering while every grade still fits: the points are kept.
    await change_max(db, world, item.id, 10, rescale=False)
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
    assert {row.user_id: row.total_percent for row in book.students} == {
        one.id: 80.0, two.id: 40.0, three.id: 25.0,
    }  # fmt: skip
    # An item without grades needs no choice.
    async with db() as s, s.begin():
        empty = await manual(s, world, "발표", 10)
    assert (await change_max(db, world, empty.id, 3)).max_points == 3


async def test_an_override_keeps_its_percentage_when_the_quiz_maximum_falls(
    db: Db, world: World
) -> None:
    one = world.students[0]
    async with db() as s, s.begin():
        quiz, slots = await quiz_of_2_and_3_points(s, world)
        s.add(QuizAttempt(quiz_id=quiz.id, user_id=one.id, number=1, state=AttemptState.FINISHED,
                          points=4, max_points=5))  # fmt: skip
    async with db() as s, s.begin():
        [item] = (await gradebook.course_gradebook(s, world.course.id)).items
        await gradebook.grade_by_teacher(s, world.teacher, item.id, one.id, points=5)
    # The teacher takes the 3-point question out: the quiz is now out of 2.
    async with db() as s, s.begin():
        await s.delete(await s.get(CourseQuizSlot, slots[1].id))
    async with db() as s, s.begin():
        book = await gradebook.course_gradebook(s, world.course.id)
    [item] = book.items
    [row] = [row for row in book.students if row.user_id == one.id]
    assert item.max_points == 2
    assert (row.grades[item.id].points, row.grades[item.id].overridden) == (2, True)
    assert row.total_percent == 100.0


async def test_a_grade_and_a_new_maximum_at_the_same_moment(db: Db, world: World) -> None:
    """Whichever commits first, no grade ends up above the item's maximum."""
    one, two = world.students[:2]
    async with db() as s, s.begin():
        item = await manual(s, world, "쪽지 시험", 10)

    async def grade(student_id: int, points: float) -> None:
        async with db() as s, s.begin():
            await gradebook.grade_by_teacher(s, world.teacher, item.id, student_id, points=points)

    # A grade being given: the new maximum waits for it, then counts it.
    async with db() as s, s.begin():
        await gradebook.grade_by_teacher(s, world.teacher, item.id, one.id, points=9)
        lowering = asyncio.create_task(change_max(db, world, item.id, 5, rescale=False))
        await asyncio.sleep(0.5)
        assert not lowering.done()
    with pytest.raises(Conflict):
        await lowering
    # A new maximum being saved: the grade waits for it, then is out of range.
    async with db() as s, s.begin():
        await gradebook.update_item(s, world.teacher, item.id, max_points=9.5, rescale=False)
        grading = asyncio.create_task(grade(two.id, 9.7))
        await asyncio.sleep(0.5)
        assert not grading.done()
    with pytest.raises(InvalidInput):
        await grading
    assert await grades_of(db, item.id) == {one.id: 9}
