"""A hospital programme with every role an education plan cares about, written directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    Admission,
    Course,
    CourseRole,
    Enrolment,
    HospitalClass,
    HospitalProgramme,
    ProgrammeRole,
    ProgrammeStaff,
    Role,
    User,
)
from lms.services import accounts
from tests.lms.conftest import PASSWORD, World


@dataclass
class HospitalWorld:
    programme: HospitalProgramme
    class_a: HospitalClass
    class_b: HospitalClass
    padmin: User
    instructor: User  # teaches class A
    other_instructor: User  # teaches class B only
    home_teacher: User  # of the first school
    other_home_teacher: User  # of the other school
    student: User  # class A, home school: the first school
    other_student: User  # class A, home school: the other school
    admission: Admission
    other_admission: Admission


async def build(db: async_sessionmaker[AsyncSession], world: World) -> HospitalWorld:
    async with db() as s, s.begin():

        async def user(login: str, role: Role, school_id: int | None) -> User:
            return await accounts.create_user(
                s,
                login=login,
                display_name=login,
                password=PASSWORD,
                role=role,
                school_id=school_id,
            )

        programme = HospitalProgramme(
            school_id=world.school.id,
            school_year=2026,
            title="새싹 병원학교",
            starts_on=date(2026, 3, 2),
            ends_on=date(2027, 2, 28),
        )
        s.add(programme)
        await s.flush()
        classes = []
        for name in ("초등 3학년", "중등 1학년"):
            course = Course(school_id=world.school.id, title=name, subject="병원학교")
            s.add(course)
            await s.flush()
            klass = HospitalClass(
                programme_id=programme.id, course_id=course.id, name=name, grade=3
            )
            s.add(klass)
            classes.append(klass)
        await s.flush()
        padmin = await user("padmin", Role.TEACHER, world.school.id)
        instructor = await user("inst1", Role.TEACHER, world.school.id)
        other_instructor = await user("inst2", Role.TEACHER, world.school.id)
        home = await user("home1", Role.TEACHER, world.school.id)
        other_home = await user("home2", Role.TEACHER, world.other_school.id)
        other_student = await user("pupil2", Role.STUDENT, world.other_school.id)
        s.add_all(
            [
                ProgrammeStaff(
                    programme_id=programme.id, user_id=padmin.id, role=ProgrammeRole.ADMIN
                ),
                ProgrammeStaff(
                    programme_id=programme.id, user_id=instructor.id, role=ProgrammeRole.INSTRUCTOR
                ),
                ProgrammeStaff(
                    programme_id=programme.id,
                    user_id=other_instructor.id,
                    role=ProgrammeRole.INSTRUCTOR,
                ),
                ProgrammeStaff(
                    programme_id=programme.id,
                    user_id=home.id,
                    role=ProgrammeRole.HOME_TEACHER,
                    home_school_id=world.school.id,
                ),
                ProgrammeStaff(
                    programme_id=programme.id,
                    user_id=other_home.id,
                    role=ProgrammeRole.HOME_TEACHER,
                    home_school_id=world.other_school.id,
                ),
                Enrolment(
                    course_id=classes[0].course_id, user_id=instructor.id, role=CourseRole.TEACHER
                ),
                Enrolment(
                    course_id=classes[1].course_id,
                    user_id=other_instructor.id,
                    role=CourseRole.TEACHER,
                ),
            ]
        )
        admissions = []
        for n, (student, school) in enumerate(
            [(world.students[0], world.school.id), (other_student, world.other_school.id)]
        ):
            admission = Admission(
                programme_id=programme.id,
                student_id=student.id,
                class_id=classes[0].id,
                home_school_id=school,
                grade=3,
                admitted_on=date(2026, 3, 2),
                client_id=f"adm-{n}",
                created_by=padmin.id,
                guardian_name="보호자",
            )
            s.add(admission)
            admissions.append(admission)
        await s.flush()
        return HospitalWorld(
            programme,
            classes[0],
            classes[1],
            padmin,
            instructor,
            other_instructor,
            home,
            other_home,
            world.students[0],
            other_student,
            admissions[0],
            admissions[1],
        )
