"""Equipment loans: an owner's inventory, lending to its students, returns, the overdue list.

The owner's managers (``lms.services.owners``: admins, school admins, programme admins) keep
the inventory and lend; a student sees their own loans. A device is lent to one borrower at a
time: the service checks, and the partial unique index on open loans makes a concurrent second
lend fail in the database too. Lending is idempotent on the lender's ``client_id``; returning a
returned loan returns it unchanged. Due dates and "overdue" are Seoul calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.models import (
    Device,
    DeviceCondition,
    DeviceKind,
    DeviceStatus,
    HospitalProgramme,
    Loan,
    OwnerKind,
    ProgrammeRole,
    ProgrammeStaff,
    User,
)
from lms.services import clean_text, moment, owners
from lms.services.owners import Membership, Owner

if TYPE_CHECKING:
    from lms.services.demo import DemoLogins

# Korea keeps no daylight saving time: a fixed +09:00 offset is exact.
SEOUL = timezone(timedelta(hours=9), "KST")
NOTES_MAX = 2000
MAX_LOAN_DAYS = 366


@dataclass(frozen=True, slots=True)
class LoanRow:
    loan: Loan
    device: Device
    borrower: User


def seoul_day(at: datetime) -> date:
    return at.astimezone(SEOUL).date()


def _device_owner(device: Device) -> Owner:
    return Owner(device.owner_kind, device.owner_id)


async def _managed_device(db: AsyncSession, actor: User, device_id: int) -> Device:
    device = await db.get(Device, device_id)
    if device is None:
        raise NotFound("no such device", device_id=device_id)
    if not await owners.manages(db, actor, _device_owner(device)):
        raise Forbidden("only the equipment's managers may do this", device_id=device_id)
    return device


async def add_device(
    db: AsyncSession,
    actor: User,
    *,
    owner_kind: OwnerKind,
    owner_id: int,
    kind: DeviceKind,
    asset_tag: str,
    serial: str = "",
    model: str = "",
    condition: DeviceCondition = DeviceCondition.GOOD,
    notes: str = "",
    now: datetime | None = None,
) -> Device:
    await owners.require_manager(db, actor, Owner(owner_kind, owner_id))
    if condition is DeviceCondition.LOST:
        raise InvalidInput("a new device cannot be lost", field="condition")
    tag = clean_text(asset_tag, "asset_tag", max_chars=64)
    if await db.scalar(select(Device.id).where(Device.asset_tag == tag)) is not None:
        raise Conflict("this asset tag is already in the inventory", asset_tag=tag)
    at = moment(now)
    device = Device(
        owner_kind=owner_kind,
        owner_id=owner_id,
        kind=kind,
        asset_tag=tag,
        serial=clean_text(serial, "serial", max_chars=100, min_chars=0),
        model=clean_text(model, "model", max_chars=200, min_chars=0),
        condition=condition,
        status=DeviceStatus.REPAIR
        if condition is DeviceCondition.DAMAGED
        else DeviceStatus.AVAILABLE,
        notes=clean_text(notes, "notes", max_chars=NOTES_MAX, min_chars=0),
        created_at=at,
        updated_at=at,
    )
    db.add(device)
    try:
        await db.flush()
    except IntegrityError:  # two managers registering the same tag at once
        raise Conflict("this asset tag is already in the inventory", asset_tag=tag) from None
    return device


async def update_device(
    db: AsyncSession,
    actor: User,
    device_id: int,
    *,
    status: DeviceStatus | None = None,
    condition: DeviceCondition | None = None,
    serial: str | None = None,
    model: str | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> Device:
    """Send to repair, retire, bring back; ``on_loan`` follows lending and returning only."""
    device = await _managed_device(db, actor, device_id)
    if status is not None and status is not device.status:
        if status is DeviceStatus.ON_LOAN or device.status is DeviceStatus.ON_LOAN:
            raise Conflict("lend or take back the device to change whether it is on loan")
        device.status = status
    if condition is not None:
        device.condition = condition
    if serial is not None:
        device.serial = clean_text(serial, "serial", max_chars=100, min_chars=0)
    if model is not None:
        device.model = clean_text(model, "model", max_chars=200, min_chars=0)
    if notes is not None:
        device.notes = clean_text(notes, "notes", max_chars=NOTES_MAX, min_chars=0)
    device.updated_at = moment(now)
    await db.flush()
    return device


async def list_devices(
    db: AsyncSession,
    actor: User,
    owner: Owner,
    *,
    status: DeviceStatus | None = None,
    kind: DeviceKind | None = None,
) -> list[tuple[Device, LoanRow | None]]:
    """The inventory, each device with its open loan (if lent)."""
    await owners.require_manager(db, actor, owner)
    query = select(Device).where(Device.owner_kind == owner.kind, Device.owner_id == owner.id)
    if status is not None:
        query = query.where(Device.status == status)
    if kind is not None:
        query = query.where(Device.kind == kind)
    devices = list(await db.scalars(query.order_by(Device.kind, Device.asset_tag)))
    open_loans = await _rows(
        db,
        select(Loan).where(Loan.device_id.in_([d.id for d in devices]), Loan.returned_at.is_(None)),
    )
    by_device = {row.device.id: row for row in open_loans}
    return [(device, by_device.get(device.id)) for device in devices]


async def _rows(db: AsyncSession, query: Select[tuple[Loan]]) -> list[LoanRow]:
    loans = list(await db.scalars(query))
    if not loans:
        return []
    devices = {
        d.id: d
        for d in await db.scalars(select(Device).where(Device.id.in_({x.device_id for x in loans})))
    }
    users = {
        u.id: u
        for u in await db.scalars(select(User).where(User.id.in_({x.borrower_id for x in loans})))
    }
    return [LoanRow(loan, devices[loan.device_id], users[loan.borrower_id]) for loan in loans]


async def lend(
    db: AsyncSession,
    actor: User,
    device_id: int,
    *,
    borrower_id: int,
    due_on: date,
    client_id: str,
    notes: str = "",
    now: datetime | None = None,
) -> tuple[LoanRow, bool]:
    """Lend a device to one of the owner's students; a retried ``client_id`` returns the loan."""
    client_id = clean_text(client_id, "client_id", max_chars=64)
    existing = await db.scalar(
        select(Loan).where(Loan.lent_by == actor.id, Loan.client_id == client_id)
    )
    if existing is not None:
        return (await _rows(db, select(Loan).where(Loan.id == existing.id)))[0], False
    device = await _managed_device(db, actor, device_id)
    at = moment(now)
    if due_on < seoul_day(at):
        raise InvalidInput("the due date has already passed", field="due_on")
    if (due_on - seoul_day(at)).days > MAX_LOAN_DAYS:
        raise InvalidInput(f"a loan lasts at most {MAX_LOAN_DAYS} days", field="due_on")
    if device.status is DeviceStatus.ON_LOAN:
        raise Conflict("this device is already on loan", device_id=device.id)
    if device.status is not DeviceStatus.AVAILABLE:
        raise Conflict(f"this device is {device.status.value}", device_id=device.id)
    borrower = await db.get(User, borrower_id)
    students = await owners.members(db, _device_owner(device), Membership.STUDENT)
    if borrower is None or borrower.id not in {s.id for s in students}:
        raise InvalidInput("the borrower must be one of this owner's students", field="borrower_id")
    loan = Loan(
        device_id=device.id,
        borrower_id=borrower.id,
        lent_by=actor.id,
        lent_at=at,
        due_on=due_on,
        condition_out=device.condition,
        notes=clean_text(notes, "notes", max_chars=NOTES_MAX, min_chars=0),
        client_id=client_id,
    )
    db.add(loan)
    try:
        await db.flush()
    except IntegrityError:
        # Another manager lent it in the same moment: the open-loan index refused this one.
        raise Conflict("this device is already on loan", device_id=device.id) from None
    device.status = DeviceStatus.ON_LOAN
    device.updated_at = at
    await db.flush()
    return LoanRow(loan, device, borrower), True


async def return_loan(
    db: AsyncSession,
    actor: User,
    loan_id: int,
    *,
    condition: DeviceCondition,
    notes: str = "",
    now: datetime | None = None,
) -> LoanRow:
    """Take a device back. Damaged goes to repair, lost is retired; a second return is a no-op."""
    loan = await db.get(Loan, loan_id)
    if loan is None:
        raise NotFound("no such loan", loan_id=loan_id)
    device = await _managed_device(db, actor, loan.device_id)
    borrower = await db.get(User, loan.borrower_id)
    assert borrower is not None
    if loan.returned_at is not None:
        return LoanRow(loan, device, borrower)
    at = moment(now)
    loan.returned_at = at
    loan.returned_to = actor.id
    loan.condition_on_return = condition
    loan.return_notes = clean_text(notes, "notes", max_chars=NOTES_MAX, min_chars=0)
    device.condition = condition
    device.status = {
        DeviceCondition.DAMAGED: DeviceStatus.REPAIR,
        DeviceCondition.LOST: DeviceStatus.RETIRED,
    }.get(condition, DeviceStatus.AVAILABLE)
    device.updated_at = at
    await db.flush()
    return LoanRow(loan, device, borrower)


async def list_loans(
    db: AsyncSession,
    actor: User,
    owner: Owner,
    *,
    open_only: bool = False,
    overdue_only: bool = False,
    device_id: int | None = None,
    now: datetime | None = None,
) -> list[LoanRow]:
    """Loan records, newest first: all, open ones, or overdue ones (unreturned past the due day)."""
    await owners.require_manager(db, actor, owner)
    devices = select(Device.id).where(Device.owner_kind == owner.kind, Device.owner_id == owner.id)
    query = select(Loan).where(Loan.device_id.in_(devices))
    if device_id is not None:
        query = query.where(Loan.device_id == device_id)
    if open_only or overdue_only:
        query = query.where(Loan.returned_at.is_(None))
    if overdue_only:
        query = query.where(Loan.due_on < seoul_day(moment(now)))
        query = query.order_by(Loan.due_on, Loan.id)
    else:
        query = query.order_by(Loan.lent_at.desc(), Loan.id.desc())
    return await _rows(db, query)


async def my_loans(db: AsyncSession, user: User) -> list[LoanRow]:
    """A borrower's own loans, open ones first."""
    return await _rows(
        db,
        select(Loan)
        .where(Loan.borrower_id == user.id)
        .order_by(Loan.returned_at.is_(None).desc(), Loan.lent_at.desc()),
    )


def is_overdue(loan: Loan, now: datetime) -> bool:
    return loan.returned_at is None and loan.due_on < seoul_day(now)


async def borrowers(db: AsyncSession, actor: User, owner: Owner) -> list[User]:
    """Who may borrow the owner's equipment: its students (for the lending form)."""
    await owners.require_manager(db, actor, owner)
    return await owners.members(db, owner, Membership.STUDENT)


# -- demo -----------------------------------------------------------------------------------

DEMO_DEVICES = [
    (DeviceKind.CAMERA, "HOS-CAM-01", "로지텍 C920"),
    (DeviceKind.CAMERA, "HOS-CAM-02", "로지텍 C920"),
    (DeviceKind.HEADSET, "HOS-HS-01", "소니 WH-CH520"),
    (DeviceKind.TABLET, "HOS-TAB-01", "갤럭시 탭 S9 FE"),
    (DeviceKind.TABLET, "HOS-TAB-02", "갤럭시 탭 S9 FE"),
]


async def seed_loans(db: AsyncSession, logins: DemoLogins) -> None:
    """The demo hospital programme's equipment, one tablet lent to an admitted student."""
    if await db.scalar(select(Device.id).where(Device.asset_tag == DEMO_DEVICES[0][1])):
        return
    for programme_id, admin_id in (
        await db.execute(
            select(ProgrammeStaff.programme_id, ProgrammeStaff.user_id)
            .join(HospitalProgramme, HospitalProgramme.id == ProgrammeStaff.programme_id)
            .where(
                HospitalProgramme.school_id == logins.school_id,
                ProgrammeStaff.role == ProgrammeRole.ADMIN,
            )
            .limit(1)
        )
    ).tuples():
        admin = await db.get(User, admin_id)
        assert admin is not None
        owner = Owner(OwnerKind.PROGRAMME, programme_id)
        devices = [
            await add_device(
                db,
                admin,
                owner_kind=owner.kind,
                owner_id=owner.id,
                kind=kind,
                asset_tag=tag,
                model=model,
            )
            for kind, tag, model in DEMO_DEVICES
        ]
        students = await owners.members(db, owner, Membership.STUDENT)
        if students:
            await lend(
                db,
                admin,
                devices[3].id,
                borrower_id=students[0].id,
                due_on=seoul_day(moment(None)) + timedelta(days=30),
                client_id="demo-loan-1",
            )
