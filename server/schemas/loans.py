"""REST shapes of equipment loans (``docs/loans.md``)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lms.models import DeviceCondition, DeviceKind, DeviceStatus, OwnerKind
from server.schemas import Body, Out, Query, UTCDatetime

OwnerId = Field(gt=0, le=2**31 - 1)


class OwnerScoped(Query):
    owner_kind: OwnerKind
    owner_id: int = OwnerId


class DeviceQuery(OwnerScoped):
    status: DeviceStatus | None = None
    kind: DeviceKind | None = None


class LoanQuery(OwnerScoped):
    state: str = Field("all", pattern=r"^(all|open|overdue)$")
    device_id: int | None = Field(None, gt=0, le=2**31 - 1)


class DeviceCreate(Body):
    owner_kind: OwnerKind
    owner_id: int = OwnerId
    kind: DeviceKind
    asset_tag: str = Field(min_length=1, max_length=64)
    serial: str = Field("", max_length=100)
    model: str = Field("", max_length=200)
    condition: DeviceCondition = DeviceCondition.GOOD
    notes: str = Field("", max_length=2000)


class DeviceUpdate(Body):
    status: DeviceStatus | None = None
    condition: DeviceCondition | None = None
    serial: str | None = Field(None, max_length=100)
    model: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)


class LoanCreate(Body):
    borrower_id: int = Field(gt=0, le=2**31 - 1)
    due_on: date
    client_id: str = Field(min_length=1, max_length=64)
    notes: str = Field("", max_length=2000)


class LoanReturn(Body):
    condition: DeviceCondition
    notes: str = Field("", max_length=2000)


class Person(Out):
    id: int
    display_name: str


class DeviceRef(Out):
    id: int
    kind: DeviceKind
    asset_tag: str
    model: str


class LoanOut(Out):
    id: int
    device: DeviceRef
    borrower: Person
    lent_by: int
    lent_at: UTCDatetime
    due_on: date
    condition_out: DeviceCondition
    notes: str
    returned_at: UTCDatetime | None
    returned_to: int | None
    condition_on_return: DeviceCondition | None
    return_notes: str
    overdue: bool


class DeviceOut(Out):
    id: int
    owner_kind: OwnerKind
    owner_id: int
    kind: DeviceKind
    asset_tag: str
    serial: str
    model: str
    condition: DeviceCondition
    status: DeviceStatus
    notes: str
    updated_at: UTCDatetime
    current_loan: LoanOut | None


class DeviceList(Out):
    items: list[DeviceOut]


class LoanList(Out):
    items: list[LoanOut]


class BorrowerList(Out):
    items: list[Person]
