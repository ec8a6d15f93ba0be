"""Tables of the training and survey records the rules and the barometer read (Axe 2, Axe 5).

Both are records in valid and recorded time (govkit.timeline): never updated in place, a correction
is a new row whose ``supersedes_id`` names the row it corrects.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from govkit.db import UTCDateTime, utcnow
from govkit.personal_data import Category, not_personal, personal
from govkit.timeline import PRECISION_LENGTH
from govkit.vocabulary import SurveyAudience, SurveyStatus, TrainingAudience


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


TRAINING_AUDIENCES = [a.value for a in TrainingAudience]
SURVEY_AUDIENCES = [a.value for a in SurveyAudience]
SURVEY_STATUSES = [s.value for s in SurveyStatus]
PRECISIONS = ["day", "month", "year", "academic_year"]


class TrainingRecord(SQLModel, table=True):
    """A training of one audience of a school in one academic year, with its counts when known.

    ``academic_year`` is the year the academic year starts (2021: 2021/2022). ``trained`` and
    ``total`` are unknown (NULL) unless the source gives them; ``everyone``: the source says the
    whole audience took it (« obligatoire pour l'ensemble des élèves primo-arrivants »).
    """

    __tablename__ = "training_record"
    __table_args__ = (
        sa.CheckConstraint(_in("audience", TRAINING_AUDIENCES), name="audience"),
        sa.CheckConstraint("trained IS NULL OR trained >= 0", name="trained"),
        sa.CheckConstraint("total IS NULL OR total >= 0", name="total"),
        sa.CheckConstraint("trained IS NULL OR total IS NULL OR trained <= total", name="counts"),
        sa.CheckConstraint(
            f"held_on_precision IS NULL OR {_in('held_on_precision', PRECISIONS)}", name="held_on_precision"
        ),
        sa.Index("ix_training_record_org_year", "organisation_id", "academic_year"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    academic_year: int = Field(
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named")
    )
    audience: str = Field(
        max_length=40,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    training: str = Field(
        max_length=60,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )  # a code: vss_awareness, vss_online_course, reinforced, specific…
    title: str = Field(
        max_length=300,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    trained: int | None = Field(
        default=None,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    total: int | None = Field(
        default=None,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    everyone: bool = Field(
        default=False,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    held_on: date | None = Field(
        default=None,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    held_on_precision: str | None = Field(
        default=None,
        max_length=PRECISION_LENGTH,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    source_quote: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    note: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's training session: counts and sources, no participant named"),
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    supersedes_id: int | None = Field(
        default=None,
        foreign_key="training_record.id",
        index=True,
        sa_column_kwargs=not_personal("a training_record row"),
    )


class Survey(SQLModel, table=True):
    """A survey of a school, or of the group (head office) for the group-wide one, in a year.

    ``invited`` / ``respondents`` / ``population_total`` are unknown (NULL) unless given.
    """

    __tablename__ = "survey"
    __table_args__ = (
        sa.CheckConstraint(_in("audience", SURVEY_AUDIENCES), name="audience"),
        sa.CheckConstraint(_in("status", SURVEY_STATUSES), name="status"),
        sa.CheckConstraint("invited IS NULL OR invited >= 0", name="invited"),
        sa.CheckConstraint("respondents IS NULL OR respondents >= 0", name="respondents"),
        sa.CheckConstraint("population_total IS NULL OR population_total >= 0", name="population_total"),
        sa.Index("ix_survey_org_year", "organisation_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs=not_personal("the row's id"))
    organisation_id: int = Field(
        foreign_key="organisation.id", index=True, sa_column_kwargs=not_personal("the school the row belongs to")
    )
    year: int = Field(sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named"))
    title: str = Field(
        max_length=300, sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named")
    )
    audience: str = Field(
        max_length=40, sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named")
    )
    status: str = Field(
        max_length=10, sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named")
    )
    invited: int | None = Field(
        default=None, sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named")
    )
    respondents: int | None = Field(
        default=None, sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named")
    )
    population_total: int | None = Field(
        default=None, sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named")
    )
    source_quote: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named"),
    )
    note: str | None = Field(
        default=None,
        sa_type=sa.Text,
        sa_column_kwargs=not_personal("a school's survey: counts and sources, no respondent named"),
    )
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs=not_personal("a time of the row")
    )
    recorded_by: str = Field(max_length=200, sa_column_kwargs=personal(Category.ACTOR))
    supersedes_id: int | None = Field(
        default=None, foreign_key="survey.id", index=True, sa_column_kwargs=not_personal("a survey row")
    )
