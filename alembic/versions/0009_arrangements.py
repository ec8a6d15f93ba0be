"""shared, group-level and external arrangements: how a commitment is held, and which organisations it serves

Revision ID: 0009
Revises: 0008

(Placeholder: filled by the issue-16 work on this part.)
"""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
