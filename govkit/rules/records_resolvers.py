"""GraphQL entry points of training and survey records: map input, call the service, map output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from govkit.resolving import Info, build, upload_reader
from govkit.rules import records_input, records_service
from govkit.vocabulary import SurveyAudience, SurveyStatus, TrainingAudience

# the vocabulary's enums, in GraphQL under their own names
strawberry.enum(TrainingAudience, description="Who a training is for (Axe 2 of the plan)")
strawberry.enum(SurveyAudience, description="Who a survey is for (Axe 5)")
strawberry.enum(SurveyStatus, description="planned, built (questionnaire ready), open (invitations sent), closed")


@strawberry.type(description="A training of one audience of a school in one academic year, with its counts when known")
class TrainingRecord:
    id: strawberry.ID
    academic_year: int = strawberry.field(description="Its start year: 2021 is 2021/2022")
    audience: TrainingAudience
    training: str = strawberry.field(description="A code: vss_awareness, vss_online_course, reinforced, specific…")
    title: str
    trained: int | None = strawberry.field(description="null: not known")
    total: int | None = strawberry.field(description="null: not known")
    everyone: bool = strawberry.field(description="The source says the whole audience took it")
    rate: float | None = strawberry.field(description="1 when everyone, trained/total when both are known, else null")
    held_on: date | None
    held_on_precision: str | None = strawberry.field(description="day, month, year or academic_year")
    source_quote: str | None
    note: str | None
    recorded_at: datetime
    recorded_by: str
    supersedes_id: strawberry.ID | None


def _training(record: object) -> TrainingRecord:
    trained, total, everyone = (getattr(record, k) for k in ("trained", "total", "everyone"))
    rate = 1.0 if everyone else (round(trained / total, 4) if trained is not None and total else None)
    return build(TrainingRecord, record, rate=rate)


@strawberry.type(description="A survey of a school (or the group's) in a year, with its counts when known")
class Survey:
    id: strawberry.ID
    year: int
    title: str
    audience: SurveyAudience
    status: SurveyStatus
    invited: int | None
    respondents: int | None
    population_total: int | None
    source_quote: str | None
    note: str | None
    recorded_at: datetime
    recorded_by: str
    supersedes_id: strawberry.ID | None


@strawberry.type(
    description="What an import wrote: nothing is imported when any line is wrong (an INVALID_INPUT "
    "error then names each line and column)"
)
class RecordsImportReport:
    rows: int
    created: int
    derived_totals: int = strawberry.field(description="Totals of new entrants taken from the persons' entry dates")


@strawberry.type
class RecordsQuery:
    @strawberry.field(description="A school's training records in force (corrections applied)")
    async def training_records(
        self,
        info: Info,
        school: str,
        academic_year: Annotated[int | None, strawberry.argument(description="Its start year")] = None,
        audience: TrainingAudience | None = None,
    ) -> list[TrainingRecord]:
        rows = await info.context.call(
            records_service.training_records,
            school=school,
            academic_year=academic_year,
            audience=audience.value if audience else None,
        )
        return [_training(r) for r in rows]

    @strawberry.field(description="An organisation's surveys in force (corrections applied)")
    async def surveys(self, info: Info, school: str, year: int | None = None) -> list[Survey]:
        rows = await info.context.call(records_service.surveys, school=school, year=year)
        return [build(Survey, r) for r in rows]


@strawberry.type
class RecordsMutation:
    @strawberry.mutation(
        description="Record a school's training of one audience in one academic year; a total left empty for "
        "new students is taken from the persons' entry dates. supersedes: the id of the record it corrects"
    )
    async def record_training(
        self,
        info: Info,
        school: str,
        academic_year: int,
        audience: TrainingAudience,
        training: str,
        title: str,
        trained: int | None = None,
        total: int | None = None,
        everyone: bool = False,
        held_on: Annotated[
            str | None, strawberry.argument(description="2021-09-15, 2021-09, 2021 or 2021/2022")
        ] = None,
        source_quote: str | None = None,
        note: str | None = None,
        supersedes: strawberry.ID | None = None,
    ) -> TrainingRecord:
        record = await info.context.call(
            records_service.record_training,
            school=school,
            supersedes=supersedes,
            academic_year=academic_year,
            audience=audience.value,
            training=training,
            title=title,
            trained=trained,
            total=total,
            everyone=everyone,
            held_on=held_on,
            source_quote=source_quote,
            note=note,
        )
        return _training(record)

    @strawberry.mutation(description="Record a survey of a school, or the group's (legal staff)")
    async def record_survey(
        self,
        info: Info,
        school: str,
        year: int,
        title: str,
        audience: SurveyAudience,
        status: SurveyStatus,
        invited: int | None = None,
        respondents: int | None = None,
        population_total: int | None = None,
        source_quote: str | None = None,
        note: str | None = None,
        supersedes: strawberry.ID | None = None,
    ) -> Survey:
        record = await info.context.call(
            records_service.record_survey,
            school=school,
            supersedes=supersedes,
            year=year,
            title=title,
            audience=audience.value,
            status=status.value,
            invited=invited,
            respondents=respondents,
            population_total=population_total,
            source_quote=source_quote,
            note=note,
        )
        return build(Survey, record)

    @strawberry.mutation(description="Import a school's training records from CSV (multipart); all lines or none")
    async def import_training(self, info: Info, school: str, file: Upload) -> RecordsImportReport:
        data = upload_reader(file, argument="file", limit=records_input.MAX_BYTES)
        report = await info.context.call(records_service.import_training, school=school, data=data)
        return build(RecordsImportReport, report)

    @strawberry.mutation(description="Import an organisation's surveys from CSV (multipart); all lines or none")
    async def import_surveys(self, info: Info, school: str, file: Upload) -> RecordsImportReport:
        data = upload_reader(file, argument="file", limit=records_input.MAX_BYTES)
        report = await info.context.call(records_service.import_surveys, school=school, data=data)
        return build(RecordsImportReport, report)
