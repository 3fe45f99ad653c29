"""Equipment loans: an owner's inventory of devices and who borrowed what, when, until when.

A device is on loan at most once at a time, enforced by the database itself: a partial unique
index on ``device_loan(device_id)`` over the rows not yet returned. Loans are never deleted, so
a device's history is its list of loans.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum
from lms.models.owner import OwnerKind


class DeviceKind(StrEnum):
    CAMERA = "camera"
    HEADSET = "headset"
    TABLET = "tablet"
    LAPTOP = "laptop"
    MICROPHONE = "microphone"
    OTHER = "other"


class DeviceCondition(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    DAMAGED = "damaged"
    LOST = "lost"


class DeviceStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    REPAIR = "repair"
    RETIRED = "retired"


class Device(Base):
    __tablename__ = "loan_device"
    __table_args__ = (Index("ix_loan_device_owner", "owner_kind", "owner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[OwnerKind] = mapped_column(str_enum(OwnerKind, "loan_device_owner_kind"))
    owner_id: Mapped[int]
    kind: Mapped[DeviceKind] = mapped_column(str_enum(DeviceKind, "loan_device_kind"))
    asset_tag: Mapped[str] = mapped_column(String(64), unique=True)
    serial: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    condition: Mapped[DeviceCondition] = mapped_column(
        str_enum(DeviceCondition, "loan_device_condition"), default=DeviceCondition.GOOD
    )
    status: Mapped[DeviceStatus] = mapped_column(
        str_enum(DeviceStatus, "loan_device_status"), default=DeviceStatus.AVAILABLE
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Loan(Base):
    __tablename__ = "device_loan"
    __table_args__ = (
        UniqueConstraint("lent_by", "client_id"),
        # One open loan per device, whatever the application does.
        Index(
            "uq_device_loan_open_device",
            "device_id",
            unique=True,
            postgresql_where=text("returned_at IS NULL"),
            sqlite_where=text("returned_at IS NULL"),
        ),
        Index("ix_device_loan_borrower", "borrower_id", "lent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("loan_device.id"), index=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    lent_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    lent_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date]
    condition_out: Mapped[DeviceCondition] = mapped_column(
        str_enum(DeviceCondition, "device_loan_condition_out")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str] = mapped_column(String(64))
    returned_at: Mapped[datetime | None]
    returned_to: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    condition_on_return: Mapped[DeviceCondition | None] = mapped_column(
        str_enum(DeviceCondition, "device_loan_condition_in")
    )
    return_notes: Mapped[str] = mapped_column(Text, default="")
