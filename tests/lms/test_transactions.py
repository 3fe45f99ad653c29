"""A unit of work is atomic on both backends, savepoints included.

On SQLite the driver starts its transaction only at the first INSERT/UPDATE/DELETE; a SAVEPOINT
issued before that would itself be the outermost transaction, and releasing it would commit
everything so far, long before the unit of work ends. ``lms.db`` opens the transaction first.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.db import transaction
from lms.models import School, SchoolKind


async def schools(db: async_sessionmaker[AsyncSession]) -> list[str]:
    async with db() as session:
        return list(await session.scalars(select(School.code).order_by(School.code)))


async def test_a_released_savepoint_is_rolled_back_with_its_unit_of_work(
    db: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(db) as session:
            assert await session.scalar(select(func.count()).select_from(School)) == 0
            async with session.begin_nested():  # the first write of the unit of work
                session.add(School(code="S1", name="세이브초", kind=SchoolKind.ELEMENTARY))
                await session.flush()
            session.add(School(code="S2", name="뒤초", kind=SchoolKind.ELEMENTARY))
            await session.flush()
            raise RuntimeError("the request fails after the savepoint was released")
    assert await schools(db) == [], "nothing of a failed unit of work is stored"


async def test_a_failed_savepoint_keeps_the_rest_of_the_unit_of_work(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(db) as session:
        session.add(School(code="A1", name="가초", kind=SchoolKind.ELEMENTARY))
        await session.flush()
    async with transaction(db) as session:
        try:
            async with session.begin_nested():
                session.add(School(code="A1", name="중복", kind=SchoolKind.ELEMENTARY))
                await session.flush()
        except IntegrityError:
            pass
        session.add(School(code="B1", name="나초", kind=SchoolKind.ELEMENTARY))
        await session.flush()
    assert await schools(db) == ["A1", "B1"]


async def test_concurrent_units_of_work_with_savepoints_all_commit(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """Many writers at once, each reading first and writing in a savepoint, none refused."""

    async def one(index: int) -> None:
        async with transaction(db) as session:
            await session.scalar(select(func.count()).select_from(School))
            async with session.begin_nested():
                session.add(School(code=f"C{index:02d}", name="동시", kind=SchoolKind.MIDDLE))
                await session.flush()
            await asyncio.sleep(0.01)
            session.add(School(code=f"D{index:02d}", name="동시", kind=SchoolKind.MIDDLE))
            await session.flush()

    await asyncio.gather(*(one(index) for index in range(12)))
    assert len(await schools(db)) == 24
