"""training records per academic year and audience, and surveys with their counts

Revision ID: 0010
Revises: 0009

(Placeholder: filled by the issue-16 work on this part.)
"""

from __future__ import annotations

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
