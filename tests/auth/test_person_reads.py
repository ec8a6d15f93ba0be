"""Reads of persons' personal data by staff are written down (audit log ``persons.read``, persons by
id; ``person_read``, one row per person per request, in one statement), and the person sees them:
``me { readsOfMyData }`` and the member page /ui/me. Reads by the person themself, and answers that
showed no personal field (an intranet without the scope), are not logged."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import Role
from govkit.acknowledgements.models import Person
from govkit.auth.service import authenticate, create_token
from govkit.db import Database
from govkit.documents import service as documents
from govkit.organisations.models import Organisation
from govkit.privacy.read_models import PersonRead
from govkit.settings import Settings
from tests.ack_helpers import acknowledge
from tests.conftest import Api

TARGET = "imt-atlantique"
MEMBER = "E00001"
PENDING = (
    f'{{ campaigns(school: "{TARGET}") {{ id pendingPersons(first: 7) {{ edges {{ node {{ pseudonym @f@ }} }} }} }} }}'
)


def _token(db: Database, settings: Settings, role: Role, school: str | None = None, **kw: Any) -> str:
    value, _grant = create_token(db=db, settings=settings, role=role, school_code=school, **kw)
    return value


def _reads(db: Database) -> list[PersonRead]:
    with db.reading() as session:
        return list(session.exec(select(PersonRead).order_by(col(PersonRead.id))).all())


def _events(db: Database) -> list[AuditEvent]:
    with db.reading() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "persons.read")).all())


@pytest.fixture
def receipt_code(db: Database, settings: Settings) -> str:
    member = authenticate(
        db=db, settings=settings, token=_token(db, settings, Role.MEMBER, TARGET, person_external_id=MEMBER)
    )
    legal = authenticate(db=db, settings=settings, token=_token(db, settings, Role.LEGAL))
    in_force = documents.published_documents(db=db, actor=legal, school=TARGET, language="fr")
    document = next(d for _org, d in in_force if d.kind == "internal")
    return acknowledge(db=db, actor=member, document_version_id=document.id).record.verification_code


def test_graphql_reads_are_logged_once_per_person_and_named_by_id(api: Api, db: Database, settings: Settings) -> None:
    token = _token(db, settings, Role.SCHOOL_ADMIN, TARGET)
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO PERSON_READ"):
            inserts.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", count)
    try:
        data = api.data(PENDING.replace("@f@", "externalId givenName familyName email"), token=token)
    finally:
        sa.event.remove(Engine, "before_cursor_execute", count)
    nodes = [e["node"] for c in data["campaigns"] for e in c["pendingPersons"]["edges"]]
    assert nodes and all(n["email"] for n in nodes)
    reads = _reads(db)
    with db.reading() as session:
        ids = {
            p.external_id: p.id
            for p in session.exec(
                select(Person)
                .join(Organisation, col(Organisation.id) == Person.organisation_id)
                .where(Organisation.code == TARGET, col(Person.external_id).in_([n["externalId"] for n in nodes]))
            ).all()
        }
    # one row per person per campaign page, naming the fields shown, by the reader's role and school
    assert {r.person_id for r in reads} == set(ids.values())
    assert len(reads) == len(nodes)
    assert {(r.channel, r.reader_role, r.reader_school) for r in reads} == {("graphql", "school_admin", TARGET)}
    assert set(reads[0].fields) == {
        "external_id",
        "given_name",
        "family_name",
        "email",
        "entry_date",
        "preferred_language",
    }
    events = _events(db)
    assert sorted(p for e in events for p in e.target["persons"]) == sorted(r.person_id for r in reads)
    text = json.dumps([e.target for e in events])
    assert not any(n["familyName"] in text or n["email"] in text or n["externalId"] in text for n in nodes)
    # one statement per page of persons (each campaign's page), not one per person
    assert 1 <= len(inserts) <= len(data["campaigns"]) < len(reads), (len(inserts), len(reads))


def test_reads_that_show_nothing_personal_are_not_logged(api: Api, db: Database, settings: Settings) -> None:
    intranet = _token(db, settings, Role.INTRANET, TARGET)
    data = api.data(PENDING.replace("@f@", "externalId email"), token=intranet)
    assert all(e["node"]["email"] is None for c in data["campaigns"] for e in c["pendingPersons"]["edges"])
    assert _reads(db) == [] and _events(db) == []
    scoped = _token(db, settings, Role.INTRANET, TARGET, scopes=["persons:read"])
    api.data(PENDING.replace("@f@", "email"), token=scoped)
    assert {(r.reader_role, r.channel) for r in _reads(db)} == {("intranet", "graphql")}


def test_a_search_by_name_is_refused_to_whoever_may_not_see_names(api: Api, db: Database, settings: Settings) -> None:
    with db.reading() as session:
        person = session.exec(select(Person).where(Person.external_id == MEMBER)).first()
    assert person is not None
    query = f'{{ campaigns(school: "{TARGET}") {{ pendingPersons(search: "{person.family_name}") {{ totalCount }} }} }}'
    for token in (_token(db, settings, Role.INTRANET, TARGET), _token(db, settings, Role.AUDITOR)):
        body = api.graphql(query, token=token).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        assert person.family_name not in json.dumps(body["errors"])
    allowed = api.graphql(query, token=_token(db, settings, Role.INTRANET, TARGET, scopes=["persons:read"])).json()
    assert not allowed.get("errors"), allowed


def test_the_person_sees_who_read_their_record(api: Api, db: Database, settings: Settings, receipt_code: str) -> None:
    member = _token(db, settings, Role.MEMBER, TARGET, person_external_id=MEMBER)
    mine = api.data("{ me { readsOfMyData { role school channel fields } } }", token=member)
    assert mine["me"]["readsOfMyData"] == []
    # the member reads their own receipt: not logged
    api.data(f'{{ receipt(code: "{receipt_code}") {{ wording }} }}', token=member)
    assert _reads(db) == []
    api.data(
        f'{{ receipt(code: "{receipt_code}") {{ personExternalId wording }} }}',
        token=_token(db, settings, Role.SCHOOL_ADMIN, TARGET),
    )
    api.data(f'{{ receipt(code: "{receipt_code}") {{ personPseudonym }} }}', token=_token(db, settings, Role.AUDITOR))
    seen = api.data("{ me { readsOfMyData { readAt role school channel fields } } }", token=member)["me"][
        "readsOfMyData"
    ]
    assert [(r["role"], r["school"], r["channel"], r["fields"]) for r in seen] == [
        ("auditor", None, "graphql", ["pseudonym"]),
        ("school_admin", TARGET, "graphql", ["person_external_id", "wording"]),
    ]
    # and on the member page, by role and school, never the reader's name
    page = api.request("GET", "/ui/me?lang=en", cookies={"govkit_session": member})
    assert page.status_code == 200
    section = page.text.split('id="reads"', 1)[1]
    assert "Who read your data" in page.text and "school administration" in section and "auditor" in section
    with db.reading() as session:
        subjects = [r.reader_subject for r in session.exec(select(PersonRead)).all()]
    assert subjects and not any(s in page.text for s in subjects)
    # others see nothing of it: reads of one's data are for oneself
    refused = api.graphql(
        "{ me { readsOfMyData { role } } }", token=_token(db, settings, Role.SCHOOL_ADMIN, TARGET)
    ).json()
    assert refused["errors"] and not refused.get("data")


def test_page_and_csv_reads_are_logged_with_their_channel(api: Api, db: Database, settings: Settings) -> None:
    admin = _token(db, settings, Role.SCHOOL_ADMIN, TARGET)
    campaign = api.data(f'{{ campaigns(school: "{TARGET}") {{ id pending }} }}', token=admin)["campaigns"][0]
    assert _reads(db) == []
    cookies = {"govkit_session": admin}
    page = api.request("GET", f"/ui/schools/{TARGET}/campaigns/{campaign['id']}", cookies=cookies)
    assert page.status_code == 200
    on_page = [r for r in _reads(db) if r.channel == "page"]
    assert on_page and len(on_page) == min(50, campaign["pending"])
    exported = api.request("GET", f"/ui/schools/{TARGET}/campaigns/{campaign['id']}/pending.csv", cookies=cookies)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))[1:]
    in_csv = [r for r in _reads(db) if r.channel == "csv"]
    assert len(in_csv) == len(rows) == campaign["pending"]
    assert set(in_csv[0].fields) == {"external_id", "family_name", "given_name", "email"}


def test_an_intranet_page_and_csv_show_no_names(api: Api, db: Database, settings: Settings) -> None:
    intranet = _token(db, settings, Role.INTRANET, TARGET)
    admin = _token(db, settings, Role.SCHOOL_ADMIN, TARGET)
    campaign = api.data(f'{{ campaigns(school: "{TARGET}") {{ id }} }}', token=admin)["campaigns"][0]
    cookies = {"govkit_session": intranet}
    exported = api.request("GET", f"/ui/schools/{TARGET}/campaigns/{campaign['id']}/pending.csv", cookies=cookies)
    page = api.request("GET", f"/ui/schools/{TARGET}/campaigns/{campaign['id']}", cookies=cookies)
    assert exported.status_code == 200 and page.status_code == 200
    with db.reading() as session:
        persons = session.exec(select(Person)).all()
    rows = list(csv.reader(io.StringIO(exported.text)))[1:]
    assert rows and all(row[:4] == ["", "", "", ""] for row in rows)  # counts and populations, no one named
    assert not any(p.email in exported.text + page.text for p in persons)
    assert not any(f"{p.family_name} {p.given_name}" in page.text for p in persons)
    assert _reads(db) == []


def test_an_evidence_file_is_a_logged_read(api: Api, db: Database, settings: Settings) -> None:
    legal = _token(db, settings, Role.LEGAL)
    data = api.data(
        f'{{ evidence(school: "{TARGET}", person: "{MEMBER}", date: "2026-01-15") {{ person {{ externalId }} }} }}',
        token=legal,
    )
    assert data["evidence"]["person"]["externalId"] == MEMBER
    with db.reading() as session:
        person = session.exec(
            select(Person)
            .join(Organisation, col(Organisation.id) == col(Person.organisation_id))
            .where(Person.external_id == MEMBER, Organisation.code == TARGET)
        ).one()
    assert [(r.person_id, r.channel, r.reader_role, r.fields) for r in _reads(db)] == [
        (person.id, "graphql", "legal", ["external_id", "given_name", "family_name"])
    ]
    assert [e.target["persons"] for e in _events(db)] == [[person.id]]
