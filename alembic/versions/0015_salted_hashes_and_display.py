"""personal data out of the chain (salted hashes, re-chaining) and proof of display (document deliveries)

Revision ID: 0015
Revises: 0014

(Placeholder: filled by the issue-18 work on this part.)
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
