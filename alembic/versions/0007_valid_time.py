"""valid time: when facts were true in the world, beside when govkit recorded them

Revision ID: 0007
Revises: 0006

- commitment: ``date_source``; ``supersedes_id`` (a correction names the record it corrects);
  ``date_precision`` accepts ``academic_year`` (VARCHAR(13)).
- profile_revision: ``valid_from`` (backfilled with the day it was recorded, UTC),
  ``valid_from_precision`` ('day'), ``date_source``.
- campus: ``valid_from``, ``valid_from_precision``, ``valid_to``, ``date_source``, ``recorded_at``
  (backfilled: the migration's time), ``recorded_by`` (backfilled: 'migration').
- person_population: one row per period (a surrogate ``id``; ``valid_from`` NULL = since entry,
  ``valid_to``, ``recorded_at`` backfilled with the person's ``created_at``, ``ended_recorded_at``);
  at most one open period per person and population. The table is rebuilt (its primary key
  changes), on both databases.
- person: ``departure_recorded_at`` (backfilled with ``updated_at`` for departed persons).

Down: periods closed are dropped (only open ones remain, one per person and population), and the
new columns with them.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PRECISIONS = "'day', 'month', 'year', 'academic_year'"
POPULATIONS = "'student', 'apprentice', 'doctoral_student', 'staff', 'adjunct', 'contractor', 'resident'"
OPEN = sa.text("valid_to IS NULL")


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_source", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.alter_column(
            "date_precision",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=5),
            type_=sqlmodel.sql.sqltypes.AutoString(length=13),
            existing_nullable=True,
        )
        batch_op.drop_constraint(op.f("ck_commitment_date_precision"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_commitment_date_precision"), f"date_precision IS NULL OR date_precision IN ({PRECISIONS})"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_commitment_supersedes_id_commitment"), "commitment", ["supersedes_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_commitment_supersedes_id"), ["supersedes_id"], unique=False)

    with op.batch_alter_table("profile_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "valid_from_precision",
                sqlmodel.sql.sqltypes.AutoString(length=13),
                server_default="day",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("date_source", sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_profile_revision_valid_from_precision"), f"valid_from_precision IN ({PRECISIONS})"
        )
    if _is_postgresql():  # the day it was recorded, in UTC
        op.execute("UPDATE profile_revision SET valid_from = CAST((created_at AT TIME ZONE 'UTC') AS DATE)")
    else:
        op.execute("UPDATE profile_revision SET valid_from = date(created_at)")
    with op.batch_alter_table("profile_revision", schema=None) as batch_op:
        batch_op.alter_column("valid_from", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("campus", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("valid_from_precision", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True)
        )
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("date_source", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "recorded_at",
                govkit.db.UTCDateTime(timezone=True),
                server_default=sa.text("CURRENT_TIMESTAMP"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "recorded_by",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                server_default="migration",
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_campus_valid_from_precision"),
            f"valid_from_precision IS NULL OR valid_from_precision IN ({PRECISIONS})",
        )
    with op.batch_alter_table("campus", schema=None) as batch_op:
        batch_op.alter_column("recorded_at", existing_type=govkit.db.UTCDateTime(timezone=True), server_default=None)
        batch_op.alter_column(
            "recorded_by", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), server_default=None
        )

    # not a batch: rebuilding person on SQLite would break the references to it (SQLite adds columns)
    op.add_column("person", sa.Column("departure_recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE person SET departure_recorded_at = updated_at WHERE status = 'departed'")

    _rebuild_person_population_with_periods()


def _rebuild_person_population_with_periods() -> None:
    """(person, population) → one row per period: the old rows become open periods since entry."""
    with op.batch_alter_table("person_population", schema=None) as batch_op:
        batch_op.drop_index("ix_person_population_population")
    op.rename_table("person_population", "person_population_old")
    if _is_postgresql():  # the primary key's index name is the schema's
        op.execute(
            "ALTER TABLE person_population_old RENAME CONSTRAINT pk_person_population TO pk_person_population_old"
        )
    op.create_table(
        "person_population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("population", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column(
            "recorded_at",
            govkit.db.UTCDateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("ended_recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"population IN ({POPULATIONS})", name=op.f("ck_person_population_population")),
        sa.CheckConstraint("(valid_to IS NULL) = (ended_recorded_at IS NULL)", name=op.f("ck_person_population_ended")),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name=op.f("ck_person_population_period")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_person_population_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_population")),
    )
    op.execute(
        "INSERT INTO person_population (person_id, population, recorded_at) "
        "SELECT pp.person_id, pp.population, p.created_at "
        "FROM person_population_old pp JOIN person p ON p.id = pp.person_id ORDER BY pp.person_id, pp.population"
    )
    op.drop_table("person_population_old")
    with op.batch_alter_table("person_population", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_population_population", ["population", "person_id", "valid_from", "valid_to"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_population_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_person_population_open",
            ["person_id", "population"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("person_population", schema=None) as batch_op:
        batch_op.drop_index("uq_person_population_open")
        batch_op.drop_index(batch_op.f("ix_person_population_person_id"))
        batch_op.drop_index("ix_person_population_population")
    op.rename_table("person_population", "person_population_new")
    if _is_postgresql():
        op.execute(
            "ALTER TABLE person_population_new RENAME CONSTRAINT pk_person_population TO pk_person_population_new"
        )
    op.create_table(
        "person_population",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("population", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.CheckConstraint(f"population IN ({POPULATIONS})", name=op.f("ck_person_population_population")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_person_population_person_id_person")),
        sa.PrimaryKeyConstraint("person_id", "population", name=op.f("pk_person_population")),
    )
    op.execute(
        "INSERT INTO person_population (person_id, population) "
        "SELECT person_id, population FROM person_population_new WHERE valid_to IS NULL"
    )
    op.drop_table("person_population_new")
    with op.batch_alter_table("person_population", schema=None) as batch_op:
        batch_op.create_index("ix_person_population_population", ["population", "person_id"], unique=False)

    # not a batch: rebuilding person on SQLite would break the references to it (SQLite drops columns)
    op.drop_column("person", "departure_recorded_at")

    with op.batch_alter_table("campus", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_campus_valid_from_precision"), type_="check")
        for column in ("recorded_by", "recorded_at", "date_source", "valid_to", "valid_from_precision", "valid_from"):
            batch_op.drop_column(column)

    with op.batch_alter_table("profile_revision", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_profile_revision_valid_from_precision"), type_="check")
        for column in ("date_source", "valid_from_precision", "valid_from"):
            batch_op.drop_column(column)

    # an academic year's precision does not fit the old shape: it becomes a year (corrections stay,
    # as plain records)
    op.execute("UPDATE commitment SET date_precision = 'year' WHERE date_precision = 'academic_year'")
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_supersedes_id"))
        batch_op.drop_constraint(batch_op.f("fk_commitment_supersedes_id_commitment"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_commitment_date_precision"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_commitment_date_precision"), "date_precision IS NULL OR date_precision IN ('year', 'month', 'day')"
        )
        batch_op.alter_column(
            "date_precision",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=13),
            type_=sqlmodel.sql.sqltypes.AutoString(length=5),
            existing_nullable=True,
        )
        batch_op.drop_column("supersedes_id")
        batch_op.drop_column("date_source")
