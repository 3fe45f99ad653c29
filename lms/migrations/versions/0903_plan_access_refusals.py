"""Education plans: the access log records refused attempts too (``outcome``).

Revision ID: 0903_plan_access_refusals
Revises: 0902_education_plans
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0903_plan_access_refusals"
down_revision: str | None = "0902_education_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every entry logged so far was an access that happened.
    with op.batch_alter_table("education_plan_access", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "outcome",
                sa.Enum(
                    "allowed",
                    "refused",
                    name="education_plan_access_outcome",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="allowed",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("education_plan_access", schema=None) as batch_op:
        # SQLite's table rebuild would keep the column's CHECK, naming a column no longer there.
        batch_op.drop_constraint(
            batch_op.f("ck_education_plan_access_education_plan_access_outcome"), type_="check"
        )
        batch_op.drop_column("outcome")
