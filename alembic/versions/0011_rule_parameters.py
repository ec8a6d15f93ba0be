"""rule parameters: value history with sources, changed by legal staff from a date

Revision ID: 0011
Revises: 0010

(Placeholder: filled by the issue-16 work on this part.)
"""

from __future__ import annotations

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
