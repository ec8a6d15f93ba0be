"""single-use sign-in links sent in notices

Revision ID: 0013
Revises: 0012

(Placeholder: filled by the issue-17 work on this part.)
"""

from __future__ import annotations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
