"""e-mail notices to persons (opening, reminders, overdue), digests to school administrations, the reminder schedule per school

Revision ID: 0012
Revises: 0011

(Placeholder: filled by the issue-17 work on this part.)
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
