"""PDF/A and HTML renditions of published documents, cached by the source's SHA-256

Revision ID: 0014
Revises: 0013

(Placeholder: filled by the issue-17 work on this part.)
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
