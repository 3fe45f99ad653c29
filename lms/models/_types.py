"""Column helpers shared by the models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def str_enum(enum_cls: type[StrEnum], name: str, *, constrained: bool = True) -> Enum:
    """A portable enum column: VARCHAR plus CHECK on every backend, stored by value.

    ``name`` names the CHECK constraint, so it must be unique within its table. An enum that
    grows with the platform's features (room event kinds) is left ``constrained=False``, so a
    new member needs no migration; Python still refuses any value outside the enum.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=constrained,
        length=32,
        values_callable=lambda e: [member.value for member in e],
    )
