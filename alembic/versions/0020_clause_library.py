"""clause library: clauses, their titles' history and the required clauses of each kind in the database

Revision ID: 0020
Revises: 0019

- clause_definition: a clause of the library by its ``key`` (the templates' ``{# clause: key #}``
  marker; a key never changes), ``created_at``, ``created_by``.
- clause_definition_revision: the French and English titles of a clause from ``recorded_at``
  (the latest is current), ``recorded_by`` and the ``reason``; a rename is a new revision.
- required_clause: a period during which a kind requires a clause, in valid time (``valid_from``,
  NULL: from the start; ``valid_to`` exclusive, NULL: still required; at most one open period per
  kind and clause) and recorded time (``recorded_at``, ``ended_recorded_at``). Each end keeps who
  asked and why (``recorded_by``/``reason``, ``ended_by``/``end_reason``) and, with four eyes, the
  second legal officer who approved it and the request (``approved_by``/``approval_id``,
  ``end_approved_by``/``end_approval_id``, to table ``approval`` of migration 0018).

Seeded from documents/templates/clauses.yaml (one definition and one revision per clause,
recorded by ``migration``) and the ``required_clauses`` of kinds.yaml (one open period from the
start per kind and clause, in the files' order). From then on the database is the library: the
YAML files are the seed of a new database only.

Down: the three tables are dropped: the clauses added, renamed and the required clauses changed
since are lost (the YAML files' library applies again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
import yaml

import govkit.db
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parents[2] / "govkit" / "documents" / "templates"
OPEN = sa.text("valid_to IS NULL")
SEEDED_BY = "migration"


def _seed() -> None:
    clauses = yaml.safe_load((SEED / "clauses.yaml").read_text(encoding="utf-8"))["clauses"]
    kinds = yaml.safe_load((SEED / "kinds.yaml").read_text(encoding="utf-8"))["kinds"]
    now = datetime.now(UTC)
    definition = sa.table(
        "clause_definition",
        sa.column("key", sa.String),
        sa.column("created_at", govkit.db.UTCDateTime(timezone=True)),
        sa.column("created_by", sa.String),
    )
    revision_ = sa.table(
        "clause_definition_revision",
        sa.column("clause_key", sa.String),
        sa.column("title_fr", sa.String),
        sa.column("title_en", sa.String),
        sa.column("reason", sa.Text),
        sa.column("recorded_at", govkit.db.UTCDateTime(timezone=True)),
        sa.column("recorded_by", sa.String),
    )
    required = sa.table(
        "required_clause",
        sa.column("kind", sa.String),
        sa.column("clause_key", sa.String),
        sa.column("reason", sa.Text),
        sa.column("recorded_at", govkit.db.UTCDateTime(timezone=True)),
        sa.column("recorded_by", sa.String),
    )
    op.bulk_insert(definition, [{"key": k, "created_at": now, "created_by": SEEDED_BY} for k in clauses])
    op.bulk_insert(
        revision_,
        [
            {
                "clause_key": key,
                "title_fr": titles["fr"],
                "title_en": titles["en"],
                "reason": "Bibliothèque initiale (clauses.yaml). / Initial library (clauses.yaml).",
                "recorded_at": now,
                "recorded_by": SEEDED_BY,
            }
            for key, titles in clauses.items()
        ],
    )
    op.bulk_insert(
        required,
        [
            {
                "kind": kind,
                "clause_key": clause,
                "reason": "Socle initial (kinds.yaml). / Initial common base (kinds.yaml).",
                "recorded_at": now,
                "recorded_by": SEEDED_BY,
            }
            for kind, spec in kinds.items()
            for clause in spec.get("required_clauses", [])
        ],
    )


def upgrade() -> None:
    op.create_table(
        "clause_definition",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_clause_definition")),
    )
    op.create_table(
        "clause_definition_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clause_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title_fr", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_key"],
            ["clause_definition.key"],
            name=op.f("fk_clause_definition_revision_clause_key_clause_definition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clause_definition_revision")),
    )
    with op.batch_alter_table("clause_definition_revision", schema=None) as batch_op:
        batch_op.create_index("ix_clause_definition_revision_key", ["clause_key", "recorded_at"], unique=False)
    op.create_table(
        "required_clause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("clause_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("ended_recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("ended_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("end_approved_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("end_approval_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(valid_to IS NULL) = (ended_recorded_at IS NULL)", name=op.f("ck_required_clause_ended")
        ),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name=op.f("ck_required_clause_period")
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["approval.id"], name=op.f("fk_required_clause_approval_id_approval")
        ),
        sa.ForeignKeyConstraint(
            ["clause_key"], ["clause_definition.key"], name=op.f("fk_required_clause_clause_key_clause_definition")
        ),
        sa.ForeignKeyConstraint(
            ["end_approval_id"], ["approval.id"], name=op.f("fk_required_clause_end_approval_id_approval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_required_clause")),
    )
    with op.batch_alter_table("required_clause", schema=None) as batch_op:
        batch_op.create_index("ix_required_clause_kind", ["kind", "clause_key", "valid_from"], unique=False)
        batch_op.create_index(
            "uq_required_clause_open", ["kind", "clause_key"], unique=True, sqlite_where=OPEN, postgresql_where=OPEN
        )
    _seed()


def downgrade() -> None:
    with op.batch_alter_table("required_clause", schema=None) as batch_op:
        batch_op.drop_index("uq_required_clause_open")
        batch_op.drop_index("ix_required_clause_kind")
    op.drop_table("required_clause")
    with op.batch_alter_table("clause_definition_revision", schema=None) as batch_op:
        batch_op.drop_index("ix_clause_definition_revision_key")
    op.drop_table("clause_definition_revision")
    op.drop_table("clause_definition")
