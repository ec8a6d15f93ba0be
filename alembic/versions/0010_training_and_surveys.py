"""training records per academic year and audience, and surveys with their counts

Revision ID: 0010
Revises: 0009

- ``training_record`` replaces ``training_coverage``: a training of one *audience* (new students, new
  doctoral students, staff, management committee… — govkit.vocabulary.TrainingAudience) of a school
  in one *academic year* (the year it starts: 2021 is 2021/2022), with counts that may be unknown
  (NULL) and ``everyone`` (the source says the whole audience), when it was held (``held_on`` and its
  precision), the source's quote, a note, and ``supersedes_id`` (a correction names the row it
  corrects).
- ``survey``: a survey of a school (or of the group, the group-wide one) in a year, for an audience,
  built / open / closed (or planned), with invited, respondents and population counts (NULL: unknown).
- ``person_population`` accepts the populations ``intern``, ``housing_staff`` and ``catering_staff``.

Rows of ``training_coverage`` become training records: the population becomes the closest audience
(student, apprentice, resident → new_students; doctoral_student → new_doctoral_students; staff,
adjunct, contractor → staff); the calendar ``year`` Y becomes the academic year Y (Y/Y+1: the one
whose rentrée falls in Y, as the plan's "En 2021 : 100% des élèves primo-entrants" means the rentrée
2021); the counts, training code and recorded time are kept, the note says where the row came from.

Down: training records with both counts known (or ``everyone`` with a known total) go back to
``training_coverage`` (audience → population: new_students, association_leaders,
international_students → student; new_doctoral_students → doctoral_student; the others → staff;
academic year Y → year Y), the others are dropped; surveys are dropped; periods of the three new
populations are deleted (they cannot be stored before this revision).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import govkit.db
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_POPULATIONS = "'student', 'apprentice', 'doctoral_student', 'staff', 'adjunct', 'contractor', 'resident'"
POPULATIONS = OLD_POPULATIONS + ", 'intern', 'housing_staff', 'catering_staff'"
AUDIENCES = (
    "'new_students', 'new_doctoral_students', 'staff', 'management_committee', 'thesis_supervisors', "
    "'association_leaders', 'international_students', 'referents_and_cells', 'catering_and_housing_staff'"
)
SURVEY_AUDIENCES = "'first_year_students', 'students', 'doctoral_students', 'staff'"
SURVEY_STATUSES = "'planned', 'built', 'open', 'closed'"
PRECISIONS = "'day', 'month', 'year', 'academic_year'"

#: population of training_coverage → audience of training_record
TO_AUDIENCE = {
    "student": "new_students",
    "apprentice": "new_students",
    "resident": "new_students",
    "doctoral_student": "new_doctoral_students",
    "staff": "staff",
    "adjunct": "staff",
    "contractor": "staff",
}
#: audience → population, on the way down
TO_POPULATION = {
    "new_students": "student",
    "association_leaders": "student",
    "international_students": "student",
    "new_doctoral_students": "doctoral_student",
}


def _audience_case(column: str, mapping: dict[str, str], default: str) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE '{default}' END"


def _population_constraint(values: str) -> None:
    with op.batch_alter_table("person_population", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_person_population_population"), type_="check")
        batch_op.create_check_constraint(op.f("ck_person_population_population"), f"population IN ({values})")


def upgrade() -> None:
    op.create_table(
        "training_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("training", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("trained", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("everyone", sa.Boolean(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("held_on_precision", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"audience IN ({AUDIENCES})", name=op.f("ck_training_record_audience")),
        sa.CheckConstraint("trained IS NULL OR trained >= 0", name=op.f("ck_training_record_trained")),
        sa.CheckConstraint("total IS NULL OR total >= 0", name=op.f("ck_training_record_total")),
        sa.CheckConstraint(
            "trained IS NULL OR total IS NULL OR trained <= total", name=op.f("ck_training_record_counts")
        ),
        sa.CheckConstraint(
            f"held_on_precision IS NULL OR held_on_precision IN ({PRECISIONS})",
            name=op.f("ck_training_record_held_on_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_training_record_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["training_record.id"], name=op.f("fk_training_record_supersedes_id_training_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_record")),
    )
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_record_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_record_supersedes_id"), ["supersedes_id"], unique=False)
        batch_op.create_index("ix_training_record_org_year", ["organisation_id", "academic_year"], unique=False)

    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=True),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("population_total", sa.Integer(), nullable=True),
        sa.Column("source_quote", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"audience IN ({SURVEY_AUDIENCES})", name=op.f("ck_survey_audience")),
        sa.CheckConstraint(f"status IN ({SURVEY_STATUSES})", name=op.f("ck_survey_status")),
        sa.CheckConstraint("invited IS NULL OR invited >= 0", name=op.f("ck_survey_invited")),
        sa.CheckConstraint("respondents IS NULL OR respondents >= 0", name=op.f("ck_survey_respondents")),
        sa.CheckConstraint(
            "population_total IS NULL OR population_total >= 0", name=op.f("ck_survey_population_total")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_survey_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["supersedes_id"], ["survey.id"], name=op.f("fk_survey_supersedes_id_survey")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_supersedes_id"), ["supersedes_id"], unique=False)
        batch_op.create_index("ix_survey_org_year", ["organisation_id", "year"], unique=False)

    audience = _audience_case("population", TO_AUDIENCE, "staff")
    op.execute(
        "INSERT INTO training_record (organisation_id, academic_year, audience, training, title, trained, total, "
        "everyone, note, recorded_at, recorded_by) "
        f"SELECT organisation_id, year, {audience}, training, training, trained, total, "
        "FALSE, 'training_coverage: population ' || population || ', year ' || CAST(year AS VARCHAR(10)), "
        "recorded_at, recorded_by FROM training_coverage ORDER BY id"
    )
    with op.batch_alter_table("training_coverage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_coverage_organisation_id"))
    op.drop_table("training_coverage")
    _population_constraint(POPULATIONS)


def downgrade() -> None:
    op.execute("DELETE FROM person_population WHERE population IN ('intern', 'housing_staff', 'catering_staff')")
    _population_constraint(OLD_POPULATIONS)
    op.create_table(
        "training_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("training", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("trained", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("recorded_at", govkit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_training_coverage_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_coverage")),
        sa.UniqueConstraint(
            "organisation_id",
            "year",
            "population",
            "training",
            "recorded_at",
            name=op.f("uq_training_coverage_organisation_id_year_population_training_recorded_at"),
        ),
    )
    with op.batch_alter_table("training_coverage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_coverage_organisation_id"), ["organisation_id"], unique=False)
    population = _audience_case("r.audience", TO_POPULATION, "staff")
    trained = "CASE WHEN r.everyone AND r.trained IS NULL THEN r.total ELSE r.trained END"
    # the latest record of each (school, year, population, training, recorded_at): the unique key of old
    op.execute(
        "INSERT INTO training_coverage (organisation_id, year, population, training, trained, total, recorded_at, "
        f"recorded_by) SELECT r.organisation_id, r.academic_year, {population}, r.training, {trained}, r.total, "
        "r.recorded_at, r.recorded_by FROM training_record r WHERE r.total IS NOT NULL "
        "AND (r.trained IS NOT NULL OR r.everyone) AND NOT EXISTS (SELECT 1 FROM training_record s "
        "WHERE s.supersedes_id = r.id) AND r.id = (SELECT MAX(t.id) FROM training_record t "
        "WHERE t.organisation_id = r.organisation_id AND t.academic_year = r.academic_year "
        f"AND {_audience_case('t.audience', TO_POPULATION, 'staff')} = {population} "
        "AND t.training = r.training AND t.recorded_at = r.recorded_at)"
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_org_year")
        batch_op.drop_index(batch_op.f("ix_survey_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_survey_organisation_id"))
    op.drop_table("survey")
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.drop_index("ix_training_record_org_year")
        batch_op.drop_index(batch_op.f("ix_training_record_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_training_record_organisation_id"))
    op.drop_table("training_record")
