"""sealed PDF receipts (PAdES) and their sealing status

Revision ID: 0016
Revises: 0015

(Placeholder: filled by the issue-18 work on this part.)
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
