"""Individual education plans: each role's reads and writes, health notes hidden from those who
should not see them, every read and every refused attempt logged, and no home-school teacher
seeing another school."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import AccommodationKind, PlanAccess, PlanAccessAction, PlanAccessOutcome, User
from lms.services import education_plans as plans
from lms.services.education_plans import Accommodation, Goal
from tests.lms.conftest import World
from tests.lms.iep_world import HospitalWorld, build

Factory = async_sessionmaker[AsyncSession]
HEALTH = "항암 치료 주간: 오전에 피로가 심함, 발열 시 즉시 보건실 연락"


@pytest.fixture
async def hw(db: Factory, world: World) -> HospitalWorld:
    return await build(db, world)


async def make_plan(db: Factory, hw: HospitalWorld, admission=None, author=None) -> int:
    admission = admission or hw.admission
    async with db() as s, s.begin():
        plan, created = await plans.create_plan(
            s,
            author or hw.padmin,
            hw.programme.id,
            admission_id=admission.id,
            semester="2026-2",
            goals=[Goal("수학", "두 자리 곱셈을 스스로 푼다", "주 1회 형성평가")],
            accommodations=[
                Accommodation(AccommodationKind.SHORTER_SESSIONS, "20분 수업 후 휴식"),
                Accommodation(AccommodationKind.CAMERA_OFF_ALLOWED),
            ],
            instructor_notes="그림 자료를 좋아함",
            client_id=f"p-{admission.id}-{(author or hw.padmin).id}",
        )
        assert created
        await plans.add_health_note(s, hw.padmin, plan.id, HEALTH)
        return plan.id


async def read(db: Factory, user: User, plan_id: int) -> plans.PlanView:
    async with db() as s, s.begin():
        return await plans.read_plan(s, user, plan_id)


async def log_of(
    db: Factory, plan_id: int, outcome: PlanAccessOutcome = PlanAccessOutcome.ALLOWED
) -> list[tuple[int, PlanAccessAction]]:
    async with db() as s:
        rows = await s.scalars(
            select(PlanAccess)
            .where(PlanAccess.plan_id == plan_id, PlanAccess.outcome == outcome)
            .order_by(PlanAccess.id)
        )
        return [(row.user_id, row.action) for row in rows]


async def refusals_of(db: Factory, plan_id: int) -> list[tuple[int, PlanAccessAction, str]]:
    async with db() as s:
        rows = await s.scalars(
            select(PlanAccess)
            .where(PlanAccess.plan_id == plan_id, PlanAccess.outcome == PlanAccessOutcome.REFUSED)
            .order_by(PlanAccess.id)
        )
        return [(row.user_id, row.action, row.detail) for row in rows]


async def test_who_reads_what(db: Factory, world: World, hw: HospitalWorld) -> None:
    plan_id = await make_plan(db, hw)
    # Programme admin and the student's instructor: plan and health notes.
    for reader in (hw.padmin, hw.instructor):
        view = await read(db, reader, plan_id)
        assert view.plan.goals[0]["area"] == "수학"
        assert [n.body for n in view.health_notes or []] == [HEALTH]
    # The home-school teacher of the student's school: the plan without health notes.
    view = await read(db, hw.home_teacher, plan_id)
    assert view.plan.instructor_notes == "그림 자료를 좋아함"
    assert view.health_notes is None and view.rights.write is False
    assert view.grants is None  # only admins see who was granted
    # Everyone else: not found, whatever their platform role.
    for outsider in (
        hw.other_home_teacher,  # a home-school teacher of another school
        hw.other_instructor,  # an instructor of another class
        world.admin,  # a platform admin without a programme role
        world.school_admin,
        hw.student,  # the student
    ):
        with pytest.raises(NotFound):
            await read(db, outsider, plan_id)


async def test_a_home_teacher_never_sees_another_schools_students(
    db: Factory, hw: HospitalWorld
) -> None:
    mine = await make_plan(db, hw)
    theirs = await make_plan(db, hw, admission=hw.other_admission)
    async with db() as s:
        listed = await plans.list_plans(s, hw.home_teacher, hw.programme.id)
        assert [c.plan.id for c, _ in listed] == [mine]
        listed = await plans.list_plans(s, hw.other_home_teacher, hw.programme.id)
        assert [c.plan.id for c, _ in listed] == [theirs]
        assert len(await plans.list_plans(s, hw.padmin, hw.programme.id)) == 2
        assert await plans.list_plans(s, hw.other_instructor, hw.programme.id) == []
    with pytest.raises(NotFound):
        await read(db, hw.home_teacher, theirs)
    with pytest.raises(NotFound):
        async with db() as s, s.begin():
            await plans.export_plan(s, hw.home_teacher, theirs)


async def test_who_writes(db: Factory, world: World, hw: HospitalWorld) -> None:
    # The student's instructor writes a plan; the home-school teacher and others do not.
    plan_id = await make_plan(db, hw, author=hw.instructor)
    with pytest.raises(Forbidden):  # reads their school's student's plans, never writes
        await make_plan(db, hw, admission=hw.other_admission, author=hw.other_home_teacher)
    with pytest.raises(NotFound):  # another school's student does not exist for them
        await make_plan(db, hw, admission=hw.other_admission, author=hw.home_teacher)
    with pytest.raises(NotFound):
        await make_plan(db, hw, author=hw.other_instructor)
    with pytest.raises(Forbidden):
        await make_plan(db, hw, author=world.admin)
    async with db() as s, s.begin():
        updated = await plans.update_plan(
            s, hw.instructor, plan_id, version=1, instructor_notes="받아쓰기 연습 중"
        )
        assert updated.version == 2
    # A writer holding the old version is told to reload, not silently overwritten.
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await plans.update_plan(s, hw.padmin, plan_id, version=1, instructor_notes="x")
    for reader_only in (hw.home_teacher,):
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await plans.update_plan(s, reader_only, plan_id, version=2, instructor_notes="x")
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await plans.add_health_note(s, reader_only, plan_id, "x")
    with pytest.raises(NotFound):
        async with db() as s, s.begin():
            await plans.update_plan(s, hw.other_instructor, plan_id, version=2, goals=[])
    # One plan per stay and semester.
    with pytest.raises(Conflict):
        async with db() as s, s.begin():
            await plans.create_plan(
                s,
                hw.padmin,
                hw.programme.id,
                admission_id=hw.admission.id,
                semester="2026-2",
                goals=[],
                accommodations=[],
                client_id="dup",
            )
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await plans.update_plan(
                s,
                hw.padmin,
                plan_id,
                version=2,
                accommodations=[Accommodation(AccommodationKind.REST_BREAKS)] * 2,
            )


async def test_every_read_is_logged_and_the_admin_reads_the_log(
    db: Factory, world: World, hw: HospitalWorld
) -> None:
    plan_id = await make_plan(db, hw)
    before = await log_of(db, plan_id)
    assert before == [
        (hw.padmin.id, PlanAccessAction.CREATE),
        (hw.padmin.id, PlanAccessAction.ADD_HEALTH_NOTE),
    ]
    await read(db, hw.instructor, plan_id)
    await read(db, hw.home_teacher, plan_id)
    async with db() as s, s.begin():
        await plans.export_plan(s, hw.home_teacher, plan_id)
    after = (await log_of(db, plan_id))[len(before) :]
    assert after == [
        (hw.instructor.id, PlanAccessAction.READ_PLAN),
        (hw.instructor.id, PlanAccessAction.READ_HEALTH_NOTES),
        (hw.home_teacher.id, PlanAccessAction.READ_PLAN),  # no health notes: none logged
        (hw.home_teacher.id, PlanAccessAction.EXPORT),
    ]
    # A refused read is not counted as a read: it is logged as refused.
    with pytest.raises(NotFound):
        await read(db, hw.other_home_teacher, plan_id)
    assert len(await log_of(db, plan_id)) == len(before) + 4
    assert await refusals_of(db, plan_id) == [
        (hw.other_home_teacher.id, PlanAccessAction.READ_PLAN, "not_found")
    ]
    async with db() as s:
        page = await plans.access_log(s, hw.padmin, hw.programme.id, plan_id=plan_id)
        assert page.total == 7
        refused, export = page.items[0][0], page.items[1][0]
        assert (refused.action, refused.outcome) == (
            PlanAccessAction.READ_PLAN,
            PlanAccessOutcome.REFUSED,
        )
        assert page.items[0][1].id == hw.other_home_teacher.id
        assert (export.action, export.outcome) == (
            PlanAccessAction.EXPORT,
            PlanAccessOutcome.ALLOWED,
        )
        assert export.detail == "plan_only"  # what the export held
        assert page.items[1][1].id == hw.home_teacher.id and page.items[1][2].id == hw.student.id
        for not_admin in (hw.instructor, hw.home_teacher, world.admin):
            with pytest.raises(Forbidden):
                await plans.access_log(s, not_admin, hw.programme.id)


async def test_health_notes_granted_to_a_home_teacher_and_exports_follow(
    db: Factory, hw: HospitalWorld
) -> None:
    plan_id = await make_plan(db, hw)
    async with db() as s, s.begin():
        _, data = await plans.export_plan(s, hw.home_teacher, plan_id)
    cells = [
        c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row
    ]
    assert "두 자리 곱셈을 스스로 푼다" in cells and HEALTH not in cells
    # Only an admin grants, and only to a home-school teacher of the student's school.
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await plans.grant_health_notes(s, hw.instructor, plan_id, hw.home_teacher.id)
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await plans.grant_health_notes(s, hw.padmin, plan_id, hw.other_home_teacher.id)
    async with db() as s, s.begin():
        await plans.grant_health_notes(s, hw.padmin, plan_id, hw.home_teacher.id)
    view = await read(db, hw.home_teacher, plan_id)
    assert [n.body for n in view.health_notes or []] == [HEALTH]
    async with db() as s, s.begin():
        _, data = await plans.export_plan(s, hw.home_teacher, plan_id)
    cells = [
        c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row
    ]
    assert HEALTH in cells
    async with db() as s, s.begin():
        await plans.revoke_health_notes(s, hw.padmin, plan_id, hw.home_teacher.id)
    assert (await read(db, hw.home_teacher, plan_id)).health_notes is None
    # A retracted note leaves the plan (kept in the database for the record).
    view = await read(db, hw.padmin, plan_id)
    note_id = (view.health_notes or [])[0].id
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await plans.retract_health_note(s, hw.instructor, plan_id, note_id)
    async with db() as s, s.begin():
        await plans.retract_health_note(s, hw.padmin, plan_id, note_id)
    assert (await read(db, hw.instructor, plan_id)).health_notes == []


async def test_refused_attempts_are_logged_though_the_request_rolls_back(
    db: Factory, world: World, hw: HospitalWorld
) -> None:
    plan_id = await make_plan(db, hw)
    note_id = (await read(db, hw.padmin, plan_id)).health_notes[0].id  # type: ignore[index]
    allowed_before = await log_of(db, plan_id)

    async def refused(call, error: type[Exception] = NotFound) -> None:
        """One request: its transaction rolls back with the refusal."""
        with pytest.raises(error):
            async with db() as s, s.begin():
                await call(s)

    # Outsiders: a home-school teacher of another school, a platform admin without a role.
    await refused(lambda s: plans.read_plan(s, hw.other_home_teacher, plan_id))
    await refused(lambda s: plans.export_plan(s, hw.other_home_teacher, plan_id))
    await refused(lambda s: plans.read_plan(s, world.admin, plan_id))
    # The student's home-school teacher reads the plan, but nothing more.
    await refused(
        lambda s: plans.retract_health_note(s, hw.home_teacher, plan_id, note_id)
    )  # may not even see the notes
    await refused(lambda s: plans.add_health_note(s, hw.home_teacher, plan_id, "x"), Forbidden)
    await refused(
        lambda s: plans.update_plan(s, hw.home_teacher, plan_id, version=1, goals=[]), Forbidden
    )
    await refused(
        lambda s: plans.grant_health_notes(s, hw.home_teacher, plan_id, hw.home_teacher.id),
        Forbidden,
    )
    # A plan that does not exist has nothing to log against.
    await refused(lambda s: plans.read_plan(s, hw.other_home_teacher, plan_id + 1000))

    assert await refusals_of(db, plan_id) == [
        (hw.other_home_teacher.id, PlanAccessAction.READ_PLAN, "not_found"),
        (hw.other_home_teacher.id, PlanAccessAction.EXPORT, "not_found"),
        (world.admin.id, PlanAccessAction.READ_PLAN, "not_found"),
        (hw.home_teacher.id, PlanAccessAction.RETRACT_HEALTH_NOTE, "not_found"),
        (hw.home_teacher.id, PlanAccessAction.ADD_HEALTH_NOTE, "forbidden"),
        (hw.home_teacher.id, PlanAccessAction.UPDATE, "forbidden"),
        (hw.home_teacher.id, PlanAccessAction.GRANT_HEALTH_NOTES, "forbidden"),
    ]
    # Nothing the refused requests did is kept, and allowed reads log as before.
    assert await log_of(db, plan_id) == allowed_before
    view = await read(db, hw.padmin, plan_id)
    assert view.plan.version == 1 and len(view.health_notes or []) == 1
    assert (await log_of(db, plan_id))[len(allowed_before) :] == [
        (hw.padmin.id, PlanAccessAction.READ_PLAN),
        (hw.padmin.id, PlanAccessAction.READ_HEALTH_NOTES),
    ]
    # The programme admin's log shows each refusal as refused, with who and which student.
    async with db() as s:
        page = await plans.access_log(s, hw.padmin, hw.programme.id, plan_id=plan_id)
    refusals = [(e, who, student) for e, who, student in page.items if e.outcome == "refused"]
    assert len(refusals) == 7
    assert {who.id for _, who, _ in refusals} == {
        hw.other_home_teacher.id,
        world.admin.id,
        hw.home_teacher.id,
    }
    assert {student.id for _, _, student in refusals} == {hw.student.id}
