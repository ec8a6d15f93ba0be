"""Importing persons from CSV: checked line by line, all or nothing, upsert by external id."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from govkit.access.roles import SYSTEM
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Person
from govkit.acknowledgements.persons import import_persons, parse_csv
from govkit.db import Database
from tests.ack_helpers import admin
from tests.conftest import Api, TokenFactory

SCHOOL = "mines-saint-etienne"
HEADER = "external_id;given_name;family_name;email;populations;entry_date;residence;status;departure_date;language\n"


def _internal_concerned(db: Database) -> int:
    status = next(
        s for s in acks.campaigns(db=db, actor=admin(db, SCHOOL), school=SCHOOL) if s.campaign.kind == "internal"
    )
    return status.total.concerned


def test_import_creates_updates_and_enters_open_campaigns(db: Database) -> None:
    before = _internal_concerned(db)
    csv = (
        HEADER
        + "N001;Léa;Durand;lea.durand@mines-stetienne.example;student|resident;2026-09-01;maison-des-eleves-gardanne;;;fr\n"
        + "N002;Omar;Benali;omar.benali@mines-stetienne.example;staff;2026-10-01;;;;en\n"
    )
    report = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=csv.encode())
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert _internal_concerned(db) == before + 2
    again = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=csv.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    departure = (
        HEADER + "N002;Omar;Benali;omar.benali@mines-stetienne.example;staff;2026-10-01;;departed;2026-11-20;en\n"
    )
    left = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=departure.encode())
    assert (left.updated, left.departed) == (1, 1)
    assert _internal_concerned(db) == before + 1
    with db.reading() as session:
        omar = session.exec(select(Person).where(Person.external_id == "N002")).one()
        assert omar.status == "departed"  # a status, the person and their history stay


def test_any_error_imports_nothing_and_names_each_line(db: Database) -> None:
    csv = (
        HEADER
        + "N010;Ana;Silva;ana@x.example;student;2026-09-01;;;;fr\n"
        + "N011;Bo;;not-an-email;wizard;2026-13-01;;;;de\n"
        + "N010;Ana;Again;ana2@x.example;student;;;;;fr\n"
        + "N012;Cy;Li;cy@x.example;student|resident;;nowhere;;;fr\n"
    )
    report = import_persons(db=db, actor=SYSTEM, school=SCHOOL, data=csv.encode())
    assert not report.ok
    by_line = {}
    for error in report.errors:
        by_line.setdefault(error.line, set()).add(error.column)
    assert by_line[3] >= {"family_name", "email", "populations", "entry_date", "language"}
    assert any("already on line 2" in e.message for e in report.errors if e.line == 4)
    assert any(
        "unknown residence 'nowhere'" in e.message and "maison-des-eleves-gardanne" in e.message
        for e in report.errors
        if e.line == 5
    )
    with db.reading() as session:
        assert session.exec(select(Person).where(Person.external_id == "N010")).first() is None


def test_malformed_files_get_clear_messages() -> None:
    cases = {
        b"": "empty",
        b"\xff\xfe\x00a": "not UTF-8",
        b"id,name\n1,x\n": "missing column(s)",
        b"external_id,given_name,family_name,email,populations,shoe_size\n": "unknown column(s): shoe_size",
        b'external_id,given_name,family_name,email,populations\nX1,"unclosed,Li,a@b.example,student\n': "not closed",
        b'external_id,given_name,family_name,email,populations\nX1,"An"a,Li,a@b.example,student\n': "closing quote",
        b"external_id,given_name,family_name,email,populations\nX1,A\x00,Li,a@b.example,student\n": "control character",
        b'external_id,"given\n_name,family_name,email,populations\n': "unreadable header",
        b"external_id,given_name,family_name,email,populations\nX1,Ana,Li,a@b.example\n": "4 fields where the header has 5",
        b"external_id,given_name,family_name,email,populations\n": "no person",
    }
    for data, message in cases.items():
        rows, errors = parse_csv(data)
        assert not rows
        assert errors, data
        assert message in " ".join(e.message for e in errors), (data, errors)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_parser(data: bytes) -> None:
    rows, errors = parse_csv(data)
    assert rows or errors


HEADER_LINE = "external_id,given_name,family_name,email,populations\n"


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('a,;"\n\r\x00 ')), max_size=60))
def test_csv_errors_are_told_in_govkit_words(body: str) -> None:
    """Whatever the csv module says of a file, the messages say it in govkit's words, not its."""
    import csv as csv_module
    import io

    library: list[str] = []
    try:
        for _ in csv_module.reader(io.StringIO(HEADER_LINE + body, newline=""), strict=True):
            pass
    except csv_module.Error as exc:
        library.append(str(exc))
    _rows, errors = parse_csv((HEADER_LINE + body).encode())
    messages = " ".join(e.message for e in errors)
    for said in library:
        assert said not in messages, (said, messages)
    if library:
        assert messages


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.from_regex(r"\A[A-Z][0-9]{3}\Z"), st.sampled_from(["student", "staff", "apprentice"])),
        min_size=1,
        max_size=15,
        unique_by=lambda t: t[0],
    )
)
def test_valid_files_parse_to_exactly_their_rows(people: list[tuple[str, str]]) -> None:
    csv = "external_id,given_name,family_name,email,populations\n" + "".join(
        f"{eid},Prénom,Nom,{eid.lower()}@x.example,{pop}\n" for eid, pop in people
    )
    rows, errors = parse_csv(csv.encode())
    assert not errors
    assert [(r.external_id, r.populations[0].value) for r in rows] == people


def test_import_through_graphql_multipart(api: Api, token: TokenFactory) -> None:
    query = (
        f'mutation($f: Upload!) {{ importPersons(school: "{SCHOOL}", file: $f) '
        "{ imported created errors { line message } } }"
    )
    response = api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {token('school_admin', SCHOOL)}"},
        files={
            "operations": (None, json.dumps({"query": query, "variables": {"f": None}}), "application/json"),
            "map": (None, json.dumps({"0": ["variables.f"]}), "application/json"),
            "0": ("persons.csv", (HEADER + "N100;Zoé;Martin;zoe@x.example;student;;;;;fr\n").encode(), "text/csv"),
        },
    )
    assert response.json()["data"]["importPersons"] == {"imported": True, "created": 1, "errors": []}
