"""Who owns a survey or a piece of equipment: a school, or a hospital classroom programme.

Surveys and loans are platform modules used by every kind of unit the institute runs, so their
rows name their owner as ``(owner_kind, owner_id)`` instead of a foreign key to one table.
``lms.services.owners`` is the one place that knows, per kind, who manages an owner and who
belongs to it (its students and instructors).
"""

from __future__ import annotations

from enum import StrEnum


class OwnerKind(StrEnum):
    SCHOOL = "school"
    PROGRAMME = "programme"
