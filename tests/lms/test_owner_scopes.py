"""Surveys and loans owned by a hospital programme: its admins manage them (a platform admin
without a programme role does not), admitted students and its instructors answer, a
discharged student no longer belongs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Forbidden, InvalidInput
from lms.models import Admission, DeviceKind, OwnerKind, SurveyAudience, SurveyQuestionKind
from lms.services import loans, owners, surveys
from lms.services.owners import Membership, Owner
from lms.services.surveys import QuestionSpec
from tests.lms.conftest import World
from tests.lms.iep_world import HospitalWorld, build

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def hw(db: Factory, world: World) -> HospitalWorld:
    return await build(db, world)


async def test_programme_owners_people(db: Factory, world: World, hw: HospitalWorld) -> None:
    owner = Owner(OwnerKind.PROGRAMME, hw.programme.id)
    async with db() as s:
        assert await owners.manages(s, hw.padmin, owner)
        for outsider in (world.admin, world.school_admin, hw.instructor, hw.home_teacher):
            assert not await owners.manages(s, outsider, owner)
        students = await owners.members(s, owner, Membership.STUDENT)
        assert {u.id for u in students} == {hw.student.id, hw.other_student.id}
        instructors = await owners.members(s, owner, Membership.INSTRUCTOR)
        assert {u.id for u in instructors} == {hw.instructor.id, hw.other_instructor.id}
        assert owner in await owners.managed_owners(s, hw.padmin)
        assert owner not in await owners.managed_owners(s, world.admin)
        assert (owner, Membership.STUDENT) in await owners.memberships(s, hw.other_student)
    # Discharged yesterday: no longer one of the programme's students.
    async with db() as s, s.begin():
        admission = await s.get(Admission, hw.other_admission.id)
        assert admission is not None
        admission.discharged_on = datetime.now(UTC).date() - timedelta(days=2)
    async with db() as s:
        students = await owners.members(s, owner, Membership.STUDENT)
        assert {u.id for u in students} == {hw.student.id}
        # Still a student of their own school, no longer of the programme.
        assert [o for o, _ in await owners.memberships(s, hw.other_student)] == [
            Owner(OwnerKind.SCHOOL, world.other_school.id)
        ]


async def test_a_programme_survey(db: Factory, world: World, hw: HospitalWorld) -> None:
    async def create(actor):  # type: ignore[no-untyped-def]
        async with db() as s, s.begin():
            survey = await surveys.create_survey(
                s,
                actor,
                owner_kind=OwnerKind.PROGRAMME,
                owner_id=hw.programme.id,
                title="병원학교 만족도",
                semester="2026-2",
                audiences=[SurveyAudience.STUDENTS, SurveyAudience.INSTRUCTORS],
                questions=[QuestionSpec(SurveyQuestionKind.TEXT, "좋았던 점")],
            )
            await surveys.open_survey(s, actor, survey.id)
            return survey.id

    with pytest.raises(Forbidden):
        await create(world.admin)  # no role in the programme
    survey_id = await create(hw.padmin)
    async with db() as s:
        question = (await surveys.questions_of(s, survey_id))[0].id
    for person, client_id in ((hw.student, "s"), (hw.instructor, "i")):
        async with db() as s, s.begin():
            assert await surveys.submit(
                s, person, survey_id, {question: "재미있었어요"}, client_id=client_id
            )
    # The home-school teacher is not an audience; a student of the school who was never
    # admitted neither.
    for outsider in (hw.home_teacher, world.students[1]):
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await surveys.submit(s, outsider, survey_id, {question: "x"}, client_id="o")
    async with db() as s, s.begin():
        result = await surveys.results(s, hw.padmin, survey_id)
        assert result.participation[SurveyAudience.STUDENTS] == (1, 2)
        assert result.participation[SurveyAudience.INSTRUCTORS] == (1, 2)


async def test_guardian_links_for_the_programmes_students(db: Factory, hw: HospitalWorld) -> None:
    """One link per admitted student's guardian, named from the admission; pressing it again
    makes none twice."""
    async with db() as s, s.begin():
        survey = await surveys.create_survey(
            s,
            hw.padmin,
            owner_kind=OwnerKind.PROGRAMME,
            owner_id=hw.programme.id,
            title="보호자 만족도",
            semester="2026-2",
            audiences=[SurveyAudience.GUARDIANS],
            questions=[QuestionSpec(SurveyQuestionKind.TEXT, "의견")],
        )
        await surveys.open_survey(s, hw.padmin, survey.id)
        made = await surveys.create_links(s, hw.padmin, survey.id, for_students=True)
        assert sorted(link.label for link, _ in made) == sorted(
            [
                f"보호자 ({hw.student.display_name} 보호자)",
                f"보호자 ({hw.other_student.display_name} 보호자)",
            ]
        )
        assert await surveys.create_links(s, hw.padmin, survey.id, for_students=True) == []
        with pytest.raises(InvalidInput):
            await surveys.create_links(s, hw.padmin, survey.id, ["x"], for_students=True)


async def test_programme_equipment_goes_to_admitted_students(
    db: Factory, world: World, hw: HospitalWorld
) -> None:
    async with db() as s, s.begin():
        device = await loans.add_device(
            s,
            hw.padmin,
            owner_kind=OwnerKind.PROGRAMME,
            owner_id=hw.programme.id,
            kind=DeviceKind.TABLET,
            asset_tag="HOS-T-1",
        )
    with pytest.raises(InvalidInput):  # a student of the host school, never admitted
        async with db() as s, s.begin():
            await loans.lend(
                s,
                hw.padmin,
                device.id,
                borrower_id=world.students[1].id,
                due_on=date.today() + timedelta(days=7),
                client_id="a",
            )
    with pytest.raises(Forbidden):
        async with db() as s, s.begin():
            await loans.lend(
                s,
                world.admin,
                device.id,
                borrower_id=hw.other_student.id,
                due_on=date.today() + timedelta(days=7),
                client_id="b",
            )
    async with db() as s, s.begin():
        row, _ = await loans.lend(
            s,
            hw.padmin,
            device.id,
            borrower_id=hw.other_student.id,
            due_on=date.today() + timedelta(days=7),
            client_id="c",
        )
        assert row.borrower.id == hw.other_student.id
