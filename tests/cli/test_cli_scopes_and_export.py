"""`govkit token create --scope persons:read` (named scopes of intranet tokens) and the audit of
`govkit persons export` (issue 20): through the command line, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from govkit import migrations
from govkit.access.audit import AuditEvent
from govkit.acknowledgements.models import Person
from govkit.auth.service import authenticate
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.flows.data_protection import SECTIONS
from govkit.privacy.read_models import PersonRead
from tests.cli.test_cli import JWT, govkit
from tests.conftest import BACKENDS, fresh_database_url, make_settings

SCHOOL = "imt-atlantique"


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database with the demo's schools and three persons per school."""
    found = fresh_database_url(request.param, "govkit_test_cli_scopes", tmp_path_factory.mktemp("scopes"))
    migrations.upgrade(url=found)
    engine = create_db_engine(found)
    try:
        load_demo(db=Database(engine), persons_per_school=3)
    finally:
        engine.dispose()
    return found


def test_an_intranet_token_gets_the_persons_read_scope(url: str, tmp_path: Path) -> None:
    made = govkit(
        "token", "create", "--role", "intranet", "--school", SCHOOL, "--scope", "persons:read", url=url, cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    plain = govkit("token", "create", "--role", "intranet", "--school", SCHOOL, url=url, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert JWT.match(made.stdout.strip())
    listed = govkit("token", "list", "--role", "intranet", url=url, cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.count("persons:read") == 1, listed.stdout
    engine = create_db_engine(url)
    try:
        settings = make_settings(url)
        scoped = authenticate(db=Database(engine), settings=settings, token=made.stdout.strip())
        unscoped = authenticate(db=Database(engine), settings=settings, token=plain.stdout.strip())
    finally:
        engine.dispose()
    assert scoped.scopes == frozenset({"persons:read"})
    assert unscoped.scopes == frozenset()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "intranet", "--school", SCHOOL, "--scope", "persons:write"), "Unknown scope 'persons:write'"),
        (("--role", "legal", "--scope", "persons:read"), "needs no scope"),
        (("--role", "auditor", "--scope", "persons:read"), "needs no scope"),
    ],
)
def test_a_wrong_scope_is_a_one_line_error(url: str, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    refused = govkit("token", "create", *args, url=url, cwd=tmp_path)
    assert refused.returncode == 1 and message in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and not refused.stdout


def test_persons_export_is_audited_by_id(url: str, tmp_path: Path) -> None:
    engine = create_db_engine(url)
    db = Database(engine)
    try:
        with db.reading() as session:
            person = session.exec(select(Person).where(Person.external_id == "E00001").order_by(col(Person.id))).first()
            assert person is not None
            before = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).first() or 0
        exported = govkit("persons", "export", "--school", SCHOOL, "--person", "E00001", url=url, cwd=tmp_path)
        assert exported.returncode == 0, exported.stderr
        data = json.loads(exported.stdout)
        person_id = data["person_id"]
        # the document the person downloads from their page: the same sections, in the same order
        assert data["format"] == "govkit-own-data/1"
        assert list(data["sections"]) == [section.key for section in SECTIONS]
        assert data["sections"]["identity_and_contact"]["person"]["external_id"] == "E00001"
        with db.reading() as session:
            events = session.exec(select(AuditEvent).where(col(AuditEvent.id) > before)).all()
            reads = session.exec(select(PersonRead).where(PersonRead.person_id == person_id)).all()
            exported_person = session.get(Person, person_id)
    finally:
        engine.dispose()
    assert exported_person is not None
    actions = {e.action: e for e in events}
    assert actions["cli.persons.export"].target == {"person": person_id, "school": SCHOOL}
    assert actions["persons.read"].target["persons"] == [person_id]
    assert actions["persons.read"].target["channel"] == "cli"
    for event in events:  # persons are named by id, never by name or e-mail
        text = json.dumps(event.target) + (event.detail or "")
        assert exported_person.family_name not in text and exported_person.email not in text
        assert "E00001" not in text
    assert [(r.channel, r.reader_role) for r in reads] == [("cli", "legal")]
    assert reads[0].fields == ["all"]
