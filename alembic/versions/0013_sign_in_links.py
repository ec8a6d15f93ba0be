"""single-use sign-in links sent in notices

Revision ID: 0013
Revises: 0012

- sign_in_link: a one-click sign-in link sent to a person in an e-mail (govkit.auth.sign_in_links):
  the person, the campaign whose document it lands on (NULL: the member page), the SHA-256 of its
  random token (unique; the token itself is never stored), when it was issued, when it expires,
  when it was used (NULL: not yet; set once, by a conditional update) and the client address it was
  used from (erased with the other client data after the retention period).

Down: the table is dropped (the links already sent stop working).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_from", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_sign_in_link_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_sign_in_link_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_link")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_sign_in_link_token_sha256")),
    )
    with op.batch_alter_table("sign_in_link", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_link_person_campaign", ["person_id", "campaign_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_link", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_link_person_campaign")
    op.drop_table("sign_in_link")
