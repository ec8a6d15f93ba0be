"""Training and survey records on the demo data, on both databases: recorded and read back through
the service and GraphQL, imported from CSV (all lines or none, every problem named with its line and
column), new entrants from entry dates, the deprecated recordTrainingCoverage, the barometer."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import col, select

from govkit.access.roles import SYSTEM, Principal, Role
from govkit.acknowledgements.models import Person
from govkit.acknowledgements.persons import sync_populations
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.errors import Forbidden, InvalidInput
from govkit.organisations.service import organisation_by_code
from govkit.rules import records_service as records
from govkit.rules import service as rules
from govkit.rules.records import Survey, TrainingRecord
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-lille-douai"
GOOD = (
    "academic_year,audience,training,title,trained,total,everyone,held_on,note\n"
    "2022,staff,vss_awareness,Sensibilisation des personnels,40,50,,2022-11,\n"
    '2022,management_committee,codir,"Atelier du codir, 2 h",,,oui,2022/2023,Tous les membres\n'
)


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return len(session.exec(select(model)).all())


def _problems(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.path: p.message for p in exc.value.problems}


def test_recorded_records_are_read_back_and_corrected(db: Database) -> None:
    first = records.record_training(
        db=db,
        actor=SYSTEM,
        school=SCHOOL,
        academic_year=2022,
        audience="staff",
        training="vss_awareness",
        title="Sensibilisation",
        trained=10,
        total=50,
        held_on="2022-10-04",
    )
    assert (first.held_on, first.held_on_precision) == (date(2022, 10, 4), "day")
    fixed = records.record_training(
        db=db,
        actor=SYSTEM,
        school=SCHOOL,
        supersedes=str(first.id),
        academic_year=2022,
        audience="staff",
        training="vss_awareness",
        title="Sensibilisation",
        trained=45,
        total=50,
    )
    found = records.training_records(db=db, actor=SYSTEM, school=SCHOOL, academic_year=2022, audience="staff")
    assert [(r.id, r.trained) for r in found] == [(fixed.id, 45)]
    survey = records.record_survey(
        db=db, actor=SYSTEM, school="imt", year=2022, title="Enquête", audience="first_year_students", status="built"
    )
    assert [s.id for s in records.surveys(db=db, actor=SYSTEM, school="imt", year=2022)] == [survey.id]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"trained": 60, "total": 50}, "trained (60) is more than total (50)"),
        ({"audience": "aliens"}, "audience"),
        ({"academic_year": 1990}, "academic_year"),
        ({"held_on": "2019-05"}, "outside the academic year"),
        ({"everyone": True, "trained": 3, "total": 5}, "everyone"),
    ],
)
def test_a_wrong_record_is_refused_and_nothing_is_written(db: Database, values: dict[str, object], field: str) -> None:
    before = _count(db, TrainingRecord)
    given = {"academic_year": 2022, "audience": "staff", "training": "x", "title": "T", **values}
    with pytest.raises(InvalidInput) as refused:
        records.record_training(db=db, actor=SYSTEM, school=SCHOOL, **given)
    assert field in str(refused.value.message)
    assert _count(db, TrainingRecord) == before


def test_a_school_admin_records_for_its_own_school_only(db: Database) -> None:
    with db.reading() as session:
        own = organisation_by_code(session, SCHOOL)
    admin = Principal(Role.SCHOOL_ADMIN, "admin", organisation_id=own.id, organisation_code=SCHOOL)
    given = {"academic_year": 2022, "audience": "staff", "training": "x", "title": "T"}
    assert records.record_training(db=db, actor=admin, school=SCHOOL, **given).recorded_by == "admin (school_admin)"
    with pytest.raises(Forbidden):
        records.record_training(db=db, actor=admin, school="telecom-paris", **given)
    with pytest.raises(Forbidden):  # the group's survey is legal staff's
        records.record_survey(
            db=db, actor=admin, school="imt", year=2022, title="E", audience="students", status="planned"
        )


def test_the_csv_import_writes_every_line(db: Database) -> None:
    before = _count(db, TrainingRecord)
    report = records.import_training(db=db, actor=SYSTEM, school=SCHOOL, data=GOOD.encode())
    assert (report.rows, report.created) == (2, 2)
    rows = records.training_records(db=db, actor=SYSTEM, school=SCHOOL, academic_year=2022)
    codir = next(r for r in rows if r.audience == "management_committee")
    assert codir.everyone and codir.trained is None and codir.held_on_precision == "academic_year"
    assert _count(db, TrainingRecord) == before + 2


@pytest.mark.parametrize(
    ("text", "where", "said"),
    [
        ("year,audience,training,title\n2022,staff,x,T\n", "line 1", "missing column(s): academic_year"),
        (GOOD + "2022,staff,x,T,douze,50,,,\n", "line 4, column trained", "integer"),
        (GOOD + "2022,staff,x,T,60,50,,,\n", "line 4", "trained (60) is more than total (50)"),
        (GOOD + "2022,aliens,x,T,,,,,\n", "line 4, column audience", "new_students"),
        (GOOD + "2022,staff,x,T,,,peut-être,,\n", "line 4, column everyone", "true or false"),
        (GOOD + "2022,staff,x,T,1,2\n", "line 4", "6 fields where the header has 9"),
    ],
)
def test_a_wrong_line_imports_nothing_and_is_named(db: Database, text: str, where: str, said: str) -> None:
    before = _count(db, TrainingRecord)
    with pytest.raises(InvalidInput) as refused:
        records.import_training(db=db, actor=SYSTEM, school=SCHOOL, data=text.encode())
    problems = _problems(refused)
    assert where in problems and said in problems[where], problems
    assert _count(db, TrainingRecord) == before


def test_surveys_import_all_or_nothing(db: Database) -> None:
    good = "year,title,audience,status,invited,respondents,population_total\n2022,Enquête 1A,first_year_students,closed,180,90,200\n"
    assert records.import_surveys(db=db, actor=SYSTEM, school=SCHOOL, data=good.encode()).created == 1
    before = _count(db, Survey)
    bad = good + "2022,Enquête,first_year_students,built,10,,200\n2022,E,students,open,10,20,\n"
    with pytest.raises(InvalidInput) as refused:
        records.import_surveys(db=db, actor=SYSTEM, school=SCHOOL, data=bad.encode())
    assert set(_problems(refused)) == {"line 3", "line 4"}
    assert _count(db, Survey) == before


def test_new_entrants_of_a_year_are_the_total_left_empty(db: Database) -> None:
    with db.transaction() as session:
        school = organisation_by_code(session, SCHOOL)
        people = [
            Person(
                organisation_id=stored_id(school),
                external_id=f"N{i}",
                given_name="A",
                family_name="B",
                email=f"n{i}@x.example",
                entry_date=date(2016, 9, 1) if i < 3 else date(2017, 9, 1),
            )
            for i in range(4)
        ]
        session.add_all(people)
        session.flush()
        sync_populations(session, {stored_id(p): (["student"], p.entry_date) for p in people}, today=utc_today())
        assert records.new_entrants(session, stored_id(school), ["student", "apprentice"], 2016) == 3
    csv_text = "academic_year,audience,training,title,trained\n2016,new_students,rentree,Amphi de rentrée,3\n"
    report = records.import_training(db=db, actor=SYSTEM, school=SCHOOL, data=csv_text.encode())
    assert report.derived_totals == 1
    [record] = records.training_records(db=db, actor=SYSTEM, school=SCHOOL, academic_year=2016)
    assert record.total == 3 and "dates d'entrée" in (record.note or "")
    too_many = "academic_year,audience,training,title,trained\n2016,new_students,rentree,Amphi,5\n"
    with pytest.raises(InvalidInput) as refused:
        records.import_training(db=db, actor=SYSTEM, school=SCHOOL, data=too_many.encode())
    assert "line 2, column total" in _problems(refused)


def test_the_deprecated_coverage_mutation_records_a_training_record(db: Database) -> None:
    record = rules.record_training_coverage(
        db=db,
        actor=SYSTEM,
        school=SCHOOL,
        year=2022,
        population="student",
        training="vss_awareness",
        trained=9,
        total=10,
    )
    assert (record.academic_year, record.audience, record.trained, record.total) == (2022, "new_students", 9, 10)


def test_graphql_reads_records_and_refuses_a_bad_file(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    made = api.data(
        'mutation { recordTraining(school: "imt-lille-douai", academicYear: 2022, audience: STAFF, '
        'training: "vss_awareness", title: "Sensibilisation", trained: 30, total: 40) { id rate audience } }',
        token=legal,
    )["recordTraining"]
    assert made["rate"] == 0.75 and made["audience"] == "STAFF"
    api.data(
        'mutation { recordSurvey(school: "imt", year: 2022, title: "Enquête", audience: FIRST_YEAR_STUDENTS, '
        "status: OPEN, invited: 10, populationTotal: 20) { id } }",
        token=legal,
    )
    intranet = token("intranet", SCHOOL)
    read = api.data(
        '{ trainingRecords(school: "imt-lille-douai", academicYear: 2022, audience: STAFF) { id trained total } '
        'surveys(school: "imt-lille-douai") { id } }',
        token=intranet,
    )
    assert [r["id"] for r in read["trainingRecords"]] == [made["id"]]
    operations = {
        "query": 'mutation($file: Upload!) { importTraining(school: "imt-lille-douai", file: $file) { created } }',
        "variables": {"file": None},
    }
    response = api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {legal}"},
        files={
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": ("t.csv", (GOOD + "2022,staff,x,T,60,50,,,\n").encode(), "text/csv"),
        },
    )
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert {p["path"] for p in body["errors"][0]["extensions"]["problems"]} == {"line 4"}


def test_the_2022_barometer_takes_its_training_indicators_from_training_records(db: Database) -> None:
    before = rules.barometer(db=db, actor=SYSTEM, year=2022)
    by_school = {r.organisation: r.values for r in before.schools}
    # IMT Atlantique: the online course compulsory for every new arrival from the rentrée 2021 (2021/2022)
    assert by_school["imt-atlantique"]["vss_training_students"] == 1.0
    assert by_school[SCHOOL]["vss_training_staff"] is None  # nothing recorded for 2021/2022: unknown
    records.record_training(
        db=db,
        actor=SYSTEM,
        school=SCHOOL,
        academic_year=2021,
        audience="staff",
        training="x",
        title="T",
        trained=30,
        total=120,
    )
    records.record_survey(
        db=db,
        actor=SYSTEM,
        school=SCHOOL,
        year=2022,
        title="Enquête",
        audience="first_year_students",
        status="closed",
        invited=150,
        population_total=200,
    )
    after = {r.organisation: r.values for r in rules.barometer(db=db, actor=SYSTEM, year=2022).schools}
    assert after[SCHOOL]["vss_training_staff"] == 0.25
    assert after[SCHOOL]["vss_survey"] == 0.75
    assert by_school[SCHOOL]["vss_survey"] is None


def test_the_demo_training_records_are_loaded_with_their_years(db: Database) -> None:
    with db.reading() as session:
        rows = session.exec(select(TrainingRecord).order_by(col(TrainingRecord.id))).all()
        codes = {
            o.id: o.code
            for o in session.exec(select(__import__("govkit.organisations.models", fromlist=["x"]).Organisation)).all()
        }
    seen = {(codes[r.organisation_id], r.academic_year, r.audience, r.trained, r.everyone) for r in rows}
    assert ("telecom-paris", 2020, "management_committee", 16, False) in seen
    assert ("imt-atlantique", 2021, "new_students", None, True) in seen
    assert ("imt-bs", 2019, "management_committee", None, True) in seen
    assert all(r.source_quote for r in rows)


def test_interns_and_housing_and_catering_staff_are_populations_of_the_persons_import(db: Database) -> None:
    from govkit.acknowledgements.persons import import_persons, populations_of

    text = (
        "external_id,given_name,family_name,email,populations\n"
        "S1,Ana,Stage,ana@x.example,intern\nS2,Léo,Maisel,leo@x.example,housing_staff|catering_staff\n"
    )
    report = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=text.encode())
    assert report.ok and report.created == 2, report.errors
    with db.reading() as session:
        school = organisation_by_code(session, SCHOOL)
        person = session.exec(
            select(Person).where(Person.organisation_id == school.id, Person.external_id == "S2")
        ).one()
        assert populations_of(session, stored_id(person)) == {"housing_staff", "catering_staff"}
