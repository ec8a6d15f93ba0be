"""signed, timestamped checkpoints of the acknowledgement chain

Revision ID: 0017
Revises: 0016

(Placeholder: filled by the issue-18 work on this part.)
"""

from __future__ import annotations

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
