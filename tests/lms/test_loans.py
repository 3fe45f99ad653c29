"""Equipment loans: one open loan per device (also in the database), returns, overdue list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.errors import Conflict, Forbidden, InvalidInput
from lms.models import Device, DeviceCondition, DeviceKind, DeviceStatus, Loan, OwnerKind
from lms.services import loans
from lms.services.owners import Owner
from tests.lms.conftest import World

Factory = async_sessionmaker[AsyncSession]


def today() -> date:
    return loans.seoul_day(datetime.now(UTC))


async def add_device(db: Factory, world: World, tag: str = "CAM-001") -> int:
    async with db() as s, s.begin():
        device = await loans.add_device(
            s,
            world.school_admin,
            owner_kind=OwnerKind.SCHOOL,
            owner_id=world.school.id,
            kind=DeviceKind.CAMERA,
            asset_tag=tag,
            serial="SN-1",
            model="로지텍 C920",
        )
        return device.id


async def lend(db: Factory, world: World, device_id: int, client_id: str, student: int = 0):
    async with db() as s, s.begin():
        row, created = await loans.lend(
            s,
            world.school_admin,
            device_id,
            borrower_id=world.students[student].id,
            due_on=today() + timedelta(days=14),
            client_id=client_id,
        )
        return row.loan.id, created


async def test_a_device_is_lent_once_at_a_time(db: Factory, world: World) -> None:
    device_id = await add_device(db, world)
    loan_id, created = await lend(db, world, device_id, "l-1")
    assert created
    assert await lend(db, world, device_id, "l-1") == (loan_id, False)  # retried: same loan
    with pytest.raises(Conflict):
        await lend(db, world, device_id, "l-2", student=1)
    async with db() as s:
        device = await s.get(Device, device_id)
        assert device is not None and device.status is DeviceStatus.ON_LOAN


async def test_the_database_refuses_a_second_open_loan(db: Factory, world: World) -> None:
    """Even a writer that skips the service cannot open two loans of one device."""
    device_id = await add_device(db, world)
    await lend(db, world, device_id, "l-1")
    with pytest.raises(IntegrityError):
        async with db() as s, s.begin():
            s.add(
                Loan(
                    device_id=device_id,
                    borrower_id=world.students[1].id,
                    lent_by=world.admin.id,
                    due_on=today(),
                    condition_out=DeviceCondition.GOOD,
                    client_id="raw",
                )
            )


async def test_return_is_idempotent_and_keeps_history(db: Factory, world: World) -> None:
    device_id = await add_device(db, world)
    first, _ = await lend(db, world, device_id, "l-1")
    for _ in range(2):
        async with db() as s, s.begin():
            row = await loans.return_loan(
                s, world.school_admin, first, condition=DeviceCondition.FAIR, notes="긁힘"
            )
            assert row.loan.returned_at is not None and row.device.status is DeviceStatus.AVAILABLE
    async with db() as s:
        returned_at = (await s.get(Loan, first)).returned_at  # type: ignore[union-attr]
    second, _ = await lend(db, world, device_id, "l-2", student=1)
    async with db() as s, s.begin():
        row = await loans.return_loan(
            s, world.school_admin, second, condition=DeviceCondition.DAMAGED
        )
        assert row.device.status is DeviceStatus.REPAIR
        history = await loans.list_loans(
            s, world.school_admin, Owner(OwnerKind.SCHOOL, world.school.id), device_id=device_id
        )
    assert [r.loan.id for r in history] == [second, first]
    assert history[1].loan.returned_at == returned_at  # the second return changed nothing
    assert history[1].loan.condition_on_return is DeviceCondition.FAIR
    # In repair: it cannot be lent until it comes back.
    with pytest.raises(Conflict):
        await lend(db, world, device_id, "l-3")
    async with db() as s, s.begin():
        await loans.update_device(s, world.school_admin, device_id, status=DeviceStatus.AVAILABLE)
    await lend(db, world, device_id, "l-3")


async def test_overdue_list(db: Factory, world: World) -> None:
    late_device = await add_device(db, world, "TAB-1")
    ok_device = await add_device(db, world, "TAB-2")
    late, _ = await lend(db, world, late_device, "l-1")
    await lend(db, world, ok_device, "l-2", student=1)
    owner = Owner(OwnerKind.SCHOOL, world.school.id)
    later = datetime.now(UTC) + timedelta(days=15)
    async with db() as s, s.begin():
        loan = await s.get(Loan, late)
        assert loan is not None
        loan.due_on = today() - timedelta(days=1)
    async with db() as s, s.begin():
        overdue = await loans.list_loans(s, world.school_admin, owner, overdue_only=True)
        assert [r.loan.id for r in overdue] == [late]
        assert loans.is_overdue(overdue[0].loan, datetime.now(UTC))
        # Two weeks on, both are overdue; a returned loan never is.
        await loans.return_loan(s, world.school_admin, late, condition=DeviceCondition.GOOD)
        overdue = await loans.list_loans(s, world.school_admin, owner, overdue_only=True, now=later)
        assert [r.device.asset_tag for r in overdue] == ["TAB-2"]


async def test_who_may_lend_and_to_whom(db: Factory, world: World) -> None:
    device_id = await add_device(db, world)
    for outsider in (world.teacher, world.students[0], world.other_school_admin):
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await loans.lend(
                    s,
                    outsider,
                    device_id,
                    borrower_id=world.students[0].id,
                    due_on=today(),
                    client_id="x",
                )
        with pytest.raises(Forbidden):
            async with db() as s, s.begin():
                await loans.list_devices(s, outsider, Owner(OwnerKind.SCHOOL, world.school.id))
    # A teacher is not a borrower; nor is a due date in the past.
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await loans.lend(
                s,
                world.school_admin,
                device_id,
                borrower_id=world.teacher.id,
                due_on=today(),
                client_id="y",
            )
    with pytest.raises(InvalidInput):
        async with db() as s, s.begin():
            await loans.lend(
                s,
                world.school_admin,
                device_id,
                borrower_id=world.students[0].id,
                due_on=today() - timedelta(days=1),
                client_id="z",
            )
    # Asset tags are unique across the inventory.
    with pytest.raises(Conflict):
        await add_device(db, world)
    await lend(db, world, device_id, "ok")
    async with db() as s:
        mine = await loans.my_loans(s, world.students[0])
        assert [r.device.id for r in mine] == [device_id]
        assert await loans.my_loans(s, world.students[1]) == []
        assert (await s.scalar(select(Loan.lent_by))) == world.school_admin.id
