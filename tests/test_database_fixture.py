"""The test database fixture itself: both backends really answer and start empty."""

from sqlalchemy import func, select

from lms.models import School, SchoolKind


async def test_database_starts_empty_and_stores_rows(db) -> None:
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(School)) == 0
        session.add(School(code="T1", name="테스트초", kind=SchoolKind.ELEMENTARY))
        await session.commit()
    async with db() as session:
        school = await session.scalar(select(School))
        assert school is not None and school.kind is SchoolKind.ELEMENTARY
        assert school.created_at.tzinfo is not None
