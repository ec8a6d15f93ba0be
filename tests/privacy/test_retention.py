"""Retention as of six years after a cohort left: their names, e-mails and external ids are gone from
every table, the chain and `audit verify` stay intact, their receipts and evidence files verify and
say "personal data erased on D under the retention rule"; a person under a legal hold is kept, and
erased at the first run after the release."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import Principal, Role
from govkit.acknowledgements import chain
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Acknowledgement, Person
from govkit.auth.models import Identity, SignInLink
from govkit.days import paris_day, utc_today
from govkit.db import Database, stored_id, utcnow
from govkit.errors import Conflict
from govkit.evidence import export
from govkit.evidence.document import evidence_docx
from govkit.evidence.service import evidence_file
from govkit.flows.retention import DEPARTED, erase_person, run_retention, years_before
from govkit.notifications.models import NoticeMessage
from govkit.organisations.models import Organisation
from govkit.privacy import legal_holds
from govkit.proof.receipt_pdf import ReceiptContext, _rows  # the rows the sealed PDF shows
from govkit.tasks import retention
from tests.ack_helpers import acknowledge, current
from tests.conftest import Api, TokenFactory, make_settings
from tests.privacy.scan import leaks
from tests.tasks.test_tasks_periodic import run_job

SCHOOL = "imt-atlantique"
LEGAL = Principal(role=Role.LEGAL, subject="test:legal")
LEFT = date(2019, 7, 1)
AS_OF = date(2025, 7, 2)  # six years after the cohort left
SETTINGS = make_settings()


@dataclass
class Member:
    """A person of the cohort: their values before erasure, and their acknowledgement."""

    id: int
    org: int
    external_id: str
    email: str
    name: str
    code: str = ""
    record: int = 0

    @property
    def needles(self) -> list[str]:
        return [self.external_id, self.email, self.name]


def cohort(db: Database, size: int, tag: str) -> list[Member]:
    """``size`` active persons of SCHOOL given values found nowhere else, each with an electronic
    acknowledgement, an identity, a sign-in link, a notice and an old audit event naming them."""
    document = current(db, SCHOOL)
    made = []
    with db.transaction() as session:
        org = session.exec(select(Organisation).where(Organisation.code == SCHOOL)).one()
        persons = session.exec(
            select(Person)
            .where(Person.organisation_id == org.id, Person.status == "active")
            .order_by(col(Person.id).desc())
            .limit(size)
        ).all()
        for n, person in enumerate(persons):
            person.external_id = f"RTX{tag}{n:03d}Q"
            person.given_name, person.family_name = f"Rtgiven{tag}{n}", f"Rtfamily{tag}{n}"
            person.email = f"rtmail{tag}{n}@cohort.example"
            session.add(person)
            name = f"{person.given_name} {person.family_name}"
            made.append(Member(stored_id(person), stored_id(org), person.external_id, person.email, name))
    for entry in made:
        with db.transaction() as session:
            session.add(Identity(subject=f"govkit:test-{entry.id}", display_name=entry.name, person_id=entry.id))
            token = hashlib.sha256(f"link-{entry.id}-{tag}".encode()).hexdigest()
            session.add(SignInLink(person_id=entry.id, token_sha256=token, expires_at=utcnow(), used_from="192.0.2.9"))
            session.add(
                NoticeMessage(
                    key=f"opening:test-{tag}:{entry.id}",
                    organisation_id=entry.org,
                    person_id=entry.id,
                    kind="opening",
                    template="opening",
                    language="fr",
                    recipient=entry.email,
                    subject="Règlement intérieur : à lire",
                    body=f"Bonjour {entry.name.split()[0]},",
                    status="sent",
                )
            )
            session.add(
                AuditEvent(
                    correlation_id="old",
                    subject="test:admin",
                    action="mutation.recordPaperAcknowledgement",
                    target={"school": SCHOOL, "personExternalId": entry.external_id, "documentVersionId": "1"},
                    outcome="refused",
                )
            )
        actor = Principal(
            role=Role.MEMBER,
            subject=f"test:member:{entry.id}",
            organisation_id=entry.org,
            organisation_code=SCHOOL,
            person_id=entry.id,
        )
        receipt = acknowledge(db=db, actor=actor, document_version_id=document.id)
        entry.code, entry.record = receipt.record.verification_code, stored_id(receipt.record)
    return made


def depart(db: Database, ids: list[int], on: date) -> None:
    with db.transaction() as session:
        session.execute(
            sa.update(Person)
            .where(col(Person.id).in_(ids))
            .values(
                status="departed",
                departure_date=on,
                departure_recorded_at=datetime(on.year, on.month, on.day, tzinfo=UTC),
            )
        )


def test_retention_six_years_after_a_cohort_left(
    db: Database, caplog: pytest.LogCaptureFixture, api: Api, token: TokenFactory
) -> None:
    caplog.set_level(logging.DEBUG)
    people = cohort(db, 3, "a")
    depart(db, [p.id for p in people], LEFT)
    erased, kept = people[:2], people[2]
    held = legal_holds.place_legal_hold(
        db=db,
        actor=LEGAL,
        school=SCHOOL,
        person_external_id=kept.external_id,
        reason="Dossier disciplinaire 2025-12",
    )

    dry = run_retention(db=db, settings=SETTINGS, as_of=AS_OF, dry_run=True)
    assert {p.id for p in erased} <= set(dry.erased)
    assert leaks(db, erased[0].needles)  # nothing erased by a dry run

    report = run_retention(db=db, settings=SETTINGS, as_of=AS_OF)
    ids = {p.id for p in erased}
    assert ids <= set(report.erased)
    assert kept.id in report.held and kept.id not in report.erased
    assert report.counts["acknowledgements"] >= 2 and report.counts["sign_in_links"] >= 2
    assert report.counts["audit_events"] >= 2

    # names, e-mails and external ids: in no text column of any table, nor in a log line
    for entry in erased:
        assert leaks(db, entry.needles) == [], entry
        for needle in entry.needles:
            assert needle.lower() not in caplog.text.lower()
    assert ("person", "external_id", kept.external_id.lower()) in leaks(db, kept.needles)

    # the chain and every record still verify
    assert chain.verify(db).ok
    with db.reading() as session:
        person = session.get(Person, erased[0].id)
        assert person is not None and person.erased_at is not None and person.erased_under == DEPARTED
        assert person.external_id == f"erased-{person.id}" and person.given_name == "" and person.email == ""
        record = session.get(Acknowledgement, erased[0].record)
        assert record is not None and record.personal_salt is None and record.wording is None
    document = current(db, SCHOOL)
    checked = acks.verify_receipt(db=db, actor=LEGAL, code=erased[0].code, sha256=document.sha256)
    assert checked.valid and checked.chain_intact_to_here
    day = paris_day(person.erased_at)  # the schools' day, as every page says it
    assert checked.erasure == (
        f"données personnelles effacées le {day:%d/%m/%Y} en application de la règle de conservation / "
        f"personal data erased on {day.isoformat()} under the retention rule"
    )
    data = acks.receipt(db=db, actor=LEGAL, code=erased[0].code).to_json()
    assert data["personal_data_erasure"] == checked.erasure
    assert erased[0].name not in str(data)
    rows = {english: value for _french, english, value in _rows(data, _context())}
    assert checked.erasure in rows["Personal data"]

    page = api.request(
        "GET", f"/ui/me/receipts/{erased[0].code}?lang=en", headers={"Cookie": f"govkit_session={token('legal')}"}
    )
    assert page.status_code == 200
    assert f"Personal data erased on {day:%d/%m/%Y} under the retention rule." in page.text
    assert erased[0].name not in page.text
    public = api.request("GET", f"/verify/{erased[0].code}", params={"sha256": document.sha256}).json()
    assert public["valid"] is True and public["personal_data"] == checked.erasure

    file = evidence_file(db=db, actor=LEGAL, school=SCHOOL, person=f"erased-{person.id}", day=LEFT - timedelta(days=1))
    assert file.person.erasure == checked.erasure
    exported = export.to_json(file, "")
    assert exported["person"]["personal_data_erasure"] == checked.erasure
    assert exported["person"]["name"] == "[données personnelles effacées / personal data erased]"
    assert evidence_docx(exported)[:2] == b"PK"  # the file a board files, with the statement

    # a held person is not erased, even directly; released, the next run erases them
    with pytest.raises(Conflict):
        erase_person(db=db, person_id=kept.id)
    legal_holds.release_legal_hold(db=db, actor=LEGAL, hold_id=held.hold.id)  # type: ignore[arg-type]
    again = run_retention(db=db, settings=SETTINGS, as_of=AS_OF)
    assert again.erased == [kept.id]
    assert leaks(db, kept.needles) == []
    assert chain.verify(db).ok

    # one audit event per run, persons by id
    with db.reading() as session:
        runs = session.exec(
            select(AuditEvent).where(AuditEvent.action == "privacy.retention").order_by(col(AuditEvent.id))
        ).all()
    assert [r.target["dry_run"] for r in runs[-3:]] == [True, False, False]
    assert runs[-1].target["erased"] == [kept.id]


def test_erased_late_in_the_utc_evening_every_statement_says_the_paris_day(
    db: Database, api: Api, token: TokenFactory
) -> None:
    """Erased at 23:30 UTC on 6 December, which is 00:30 on the 7th in Paris: the verification, the
    receipt, its PDF rows, its page and the evidence file all say the 7th (a UTC day on one and a
    Paris day on another would tell a board two dates for one erasure)."""
    (entry,) = cohort(db, 1, "e")
    depart(db, [entry.id], LEFT)
    erase_person(db=db, person_id=entry.id, now=datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    statement = (
        "données personnelles effacées le 07/12/2026 en application de la règle de conservation / "
        "personal data erased on 2026-12-07 under the retention rule"
    )
    document = current(db, SCHOOL)
    assert acks.verify_receipt(db=db, actor=LEGAL, code=entry.code, sha256=document.sha256).erasure == statement
    data = acks.receipt(db=db, actor=LEGAL, code=entry.code).to_json()
    assert data["personal_data_erasure"] == statement
    rows = {english: value for _french, english, value in _rows(data, _context())}
    assert statement in rows["Personal data"]
    cookie = {"Cookie": f"govkit_session={token('legal')}"}
    for lang, said in (
        ("en", "Personal data erased on 07/12/2026"),
        ("fr", "Données personnelles effacées le 07/12/2026"),
    ):
        page = api.request("GET", f"/ui/me/receipts/{entry.code}?lang={lang}", headers=cookie)
        assert page.status_code == 200 and said in page.text, lang
    public = api.request("GET", f"/verify/{entry.code}", params={"sha256": document.sha256}).json()
    assert public["personal_data"] == statement
    file = evidence_file(db=db, actor=LEGAL, school=SCHOOL, person=f"erased-{entry.id}", day=LEFT - timedelta(days=1))
    assert file.person.erasure == statement


def test_an_identity_providers_subject_is_erased_from_identities_and_the_audit_log(db: Database) -> None:
    """A member signed in through the school's single sign-on: their ``oidc:`` subject names them to the
    school's directory. Erased, it is gone from every table; the events they caused stay together under
    ``erased:identity-<id>``; other callers' events keep their subjects."""
    (entry,) = cohort(db, 1, "s")
    subject = "oidc:Rtsso-s0-login"
    with db.transaction() as session:
        identity = Identity(subject=subject, display_name=entry.name, person_id=entry.id)
        session.add(identity)
        session.flush()
        identity_id = stored_id(identity)
        for action in ("mutation.acknowledge", "page.request_correction"):
            session.add(AuditEvent(correlation_id="sso", subject=subject, action=action, target={}, outcome="ok"))
        session.add(
            AuditEvent(
                correlation_id="sso",
                subject="test:admin",
                action="token.revoke",
                target={"subject": subject, "school": SCHOOL},
                outcome="ok",
            )
        )
    depart(db, [entry.id], LEFT)
    counts = erase_person(db=db, person_id=entry.id)
    assert counts["subjects"] == 2  # the cohort's govkit identity and the single sign-on one
    assert leaks(db, [subject, *entry.needles]) == []
    with db.reading() as session:
        mine = session.exec(select(AuditEvent).where(AuditEvent.correlation_id == "sso")).all()
        renamed = session.get(Identity, identity_id)
    assert renamed is not None and renamed.subject == f"erased:identity-{identity_id}"
    by_subject = sorted((e.subject, e.action) for e in mine)
    assert by_subject == [
        (f"erased:identity-{identity_id}", "mutation.acknowledge"),
        (f"erased:identity-{identity_id}", "page.request_correction"),
        ("test:admin", "token.revoke"),
    ]
    revoked = next(e for e in mine if e.action == "token.revoke")
    assert revoked.target == {"subject": "[erased]", "school": SCHOOL}
    assert chain.verify(db).ok
    assert erase_person(db=db, person_id=entry.id)["subjects"] == 0  # erased once


def test_audit_ip_addresses_go_after_the_client_data_period(db: Database) -> None:
    """The register says the audit log's IP addresses are erased after GOVKIT_CLIENT_DATA_RETENTION_DAYS
    by the retention run: older events lose theirs, newer ones keep them, nothing else changes."""
    old, recent = AS_OF - timedelta(days=SETTINGS.client_data_retention_days + 1), AS_OF - timedelta(days=3)
    with db.transaction() as session:
        for day, ip in ((old, "198.51.100.71"), (recent, "198.51.100.72")):
            session.add(
                AuditEvent(
                    at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                    correlation_id="ip-test",
                    subject="test:admin",
                    action="mutation.test",
                    target={"n": 1},
                    outcome="ok",
                    client_ip=ip,
                )
            )
    dry = run_retention(db=db, settings=SETTINGS, as_of=AS_OF, dry_run=True)
    assert dry.counts["audit_client_data"] >= 1 and leaks(db, ["198.51.100.71"])
    report = run_retention(db=db, settings=SETTINGS, as_of=AS_OF)
    assert report.counts["audit_client_data"] >= 1
    assert report.to_json()["client_data_before"].startswith(
        (AS_OF - timedelta(days=SETTINGS.client_data_retention_days)).isoformat()
    )
    with db.reading() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.correlation_id == "ip-test").order_by(col(AuditEvent.at))
        ).all()
    assert [(r.client_ip, r.subject, r.target) for r in rows] == [
        (None, "test:admin", {"n": 1}),
        ("198.51.100.72", "test:admin", {"n": 1}),
    ]


def test_not_yet_due_and_old_notices(db: Database) -> None:
    (entry,) = cohort(db, 1, "b")
    left = years_before(AS_OF, 5) + timedelta(days=1)  # one day short of the period
    depart(db, [entry.id], left)
    with db.transaction() as session:
        session.execute(
            sa.update(NoticeMessage)
            .where(col(NoticeMessage.person_id) == entry.id)
            .values(created_at=datetime(2025, 1, 1, tzinfo=UTC))
        )
    report = run_retention(db=db, settings=SETTINGS, as_of=AS_OF)
    assert entry.id not in report.erased
    assert report.counts["notices_expired"] >= 1  # older than 180 days on AS_OF
    found = {t for t, _c, _n in leaks(db, [entry.email])}
    assert "notice_message" not in found and "person" in found
    run_retention(db=db, settings=SETTINGS, as_of=AS_OF + timedelta(days=1))
    assert leaks(db, entry.needles) == []


def test_years_before() -> None:
    assert years_before(date(2024, 2, 29), 5) == date(2019, 2, 28)
    assert years_before(date(2025, 7, 2), 6) == date(2019, 7, 2)


def _context() -> ReceiptContext:
    return ReceiptContext(
        verify_url="https://govkit.example/verify", chain_count=1, sealer=None, tsa=None, demo=True, made_at=utcnow()
    )


def test_the_daily_job(db: Database) -> None:
    (entry,) = cohort(db, 1, "c")
    depart(db, [entry.id], years_before(utc_today(), 6))
    job = run_job(db, retention.RUN)
    assert (job.status, job.args) == ("succeeded", {})
    assert leaks(db, entry.needles) == []
    with db.reading() as session:
        person = session.get(Person, entry.id)
    assert person is not None and person.erased_under == DEPARTED
