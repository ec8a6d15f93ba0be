"""Each person's own data at hand (GDPR art. 15, 20), on both databases: a signed-in member downloads
everything govkit holds about them from the member page, as JSON (an attachment) and as a readable
page in French and English, and through GraphQL ``me { myData }``; each export is audited (person by
id); the sections are complete, and never hold another person's name or e-mail."""

from __future__ import annotations

import io
import itertools
import json
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from govkit.access.roles import Principal, Role
from govkit.acknowledgements.models import Person, PersonPopulation
from govkit.db import Database, stored_id
from govkit.errors import Forbidden, NotFound
from govkit.flows import data_protection
from govkit.flows.data_protection import SECTIONS, gather
from govkit.privacy import corrections
from govkit.settings import Settings
from tests.ack_helpers import acknowledge, current, member
from tests.conftest import Api, TokenFactory
from tests.privacy.own_data_helpers import MEMBER, SCHOOL, audit_events, cookie, person

KEYS = [s.key for s in SECTIONS]
MY_DATA = "{ me { myData } }"


def _acknowledged(db: Database) -> str:
    """The member acknowledges the internal regulation in force: its verification code."""
    version = current(db, SCHOOL)
    receipt = acknowledge(db=db, actor=member(db, SCHOOL, MEMBER), document_version_id=version.id)
    return receipt.record.verification_code


def test_a_member_downloads_everything_as_a_json_attachment(api: Api, db: Database, token: TokenFactory) -> None:
    code = _acknowledged(db)
    me = person(db, SCHOOL, MEMBER)
    session = token("member", SCHOOL, MEMBER)
    answer = api.request("GET", "/ui/me/data.json", headers=cookie(session))
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json")
    assert re.fullmatch(
        r'attachment; filename="govkit-my-data-\d{4}-\d{2}-\d{2}\.json"', answer.headers["content-disposition"]
    )
    assert "no-store" in answer.headers["cache-control"]
    data = answer.json()
    assert list(data["sections"]) == KEYS and data["format"] == data_protection.FORMAT
    sections = data["sections"]
    identity = sections["identity_and_contact"]["person"]
    assert (identity["given_name"], identity["family_name"], identity["email"]) == (
        me.given_name,
        me.family_name,
        me.email,
    )
    assert identity["external_id"] == MEMBER and identity["status"] == "active"
    assert sections["identity_and_contact"]["identities"], "the identity the member signed in with"
    school = sections["school_and_populations"]
    assert school["school"] == SCHOOL and school["populations"]
    assert all({"population", "valid_from", "valid_to"} <= set(p) for p in school["population_periods"])
    (record,) = [r for r in sections["acknowledgements"]["acknowledgements"] if r["verification_code"] == code]
    assert record["wording"] and me.family_name in record["wording"] and record["document"]["version"] >= 1
    assert record["addresses"]["verification"].endswith(f"/verify/{code}")
    assert record["addresses"]["receipt"].endswith(f"/ui/me/receipts/{code}")
    assert sections["acknowledgements"]["deliveries"], "the version shown before it was accepted"
    assert [g["role"] for g in sections["role_grants"]] == ["member"]
    assert sections["role_grants"][0]["created_by"] == "staff"  # who made the grant: not named
    assert isinstance(sections["sign_in_links"], list) and isinstance(sections["notices"]["notices"], list)
    assert sections["corrections"] == []
    (event,) = audit_events(db, "privacy.export_own_data")
    assert event.target == {"person": me.id, "channel": "json"} and event.role == "member"
    assert me.email not in json.dumps(event.target) and me.family_name not in (event.detail or "")


def test_the_readable_document_in_french_and_english(api: Api, db: Database, token: TokenFactory) -> None:
    code = _acknowledged(db)
    me = person(db, SCHOOL, MEMBER)
    session = token("member", SCHOOL, MEMBER)
    french = api.request("GET", "/ui/me/data?lang=fr", headers=cookie(session))
    english = api.request("GET", "/ui/me/data?lang=en", headers=cookie(session))
    assert french.status_code == english.status_code == 200
    for page, words in ((french, "Identité et coordonnées"), (english, "Identity and contact")):
        assert words in page.text and code in page.text and me.email in page.text
        assert f'id="section-{KEYS[-1]}"' in page.text and 'action="/ui/me/corrections"' in page.text
    assert "Prises de connaissance et accusés de réception" in french.text and "Mes données" in french.text
    assert "Acknowledgements and receipts" in english.text and "Acknowledgements and receipts" not in french.text
    assert "élève" in french.text.casefold() or "personnel" in french.text.casefold()  # populations in words
    shown = api.request("GET", "/ui/me", headers=cookie(session))
    assert 'href="/ui/me/data"' in shown.text and 'href="/ui/me/data.json"' in shown.text
    events = audit_events(db, "privacy.export_own_data")
    assert [e.target for e in events] == [{"person": me.id, "channel": "html"}] * 2


def test_the_pdf_document_opens_and_holds_every_section(api: Api, db: Database, token: TokenFactory) -> None:
    code = _acknowledged(db)
    me = person(db, SCHOOL, MEMBER)
    session = token("member", SCHOOL, MEMBER)
    texts = {}
    for language in ("fr", "en"):
        answer = api.request("GET", f"/ui/me/data.pdf?lang={language}", headers=cookie(session))
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
        assert re.fullmatch(
            r'attachment; filename="govkit-my-data-\d{4}-\d{2}-\d{2}\.pdf"', answer.headers["content-disposition"]
        )
        reader = PdfReader(io.BytesIO(answer.content))
        texts[language] = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
        assert answer.content.startswith(b"%PDF-") and b"pdfaid:part" in answer.content  # PDF/A, its XMP
    for text in texts.values():
        assert me.email in text and me.family_name in text and code in text and SCHOOL in text
    for heading in ("Identité et coordonnées", "Prises de connaissance et accusés de réception", "Rôles"):
        assert heading in texts["fr"]
    for heading in ("Identity and contact", "Sign-in links", "Correction requests"):
        assert heading in texts["en"] and heading not in texts["fr"]
    channels = [e.target for e in audit_events(db, "privacy.export_own_data")]
    assert channels == [{"person": me.id, "channel": "pdf"}] * 2


def test_graphql_my_data_is_the_same_export_and_audited(api: Api, db: Database, token: TokenFactory) -> None:
    _acknowledged(db)
    session = token("member", SCHOOL, MEMBER)
    by_graphql = api.data(MY_DATA, token=session)["me"]["myData"]
    downloaded = api.request("GET", "/ui/me/data.json", headers=cookie(session)).json()
    assert list(by_graphql["sections"]) == KEYS
    assert by_graphql["sections"] == downloaded["sections"]
    channels = [e.target["channel"] for e in audit_events(db, "privacy.export_own_data")]
    assert channels == ["graphql", "json"]


def test_only_a_member_reads_their_own_data(api: Api, db: Database, token: TokenFactory) -> None:
    assert api.request("GET", "/ui/me/data.json").status_code == 401
    assert api.request("GET", "/ui/me/data").status_code == 401
    for role in ("school_admin", "intranet"):
        staff = token(role, SCHOOL)
        assert api.request("GET", "/ui/me/data.json", headers=cookie(staff)).status_code == 403
        errors = api.graphql(MY_DATA, token=staff).json()["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    legal = token("legal")
    assert api.request("GET", "/ui/me/data", headers=cookie(legal)).status_code == 403
    assert audit_events(db, "privacy.export_own_data") == []


def test_the_administrators_export_is_the_members_document_and_is_authorised(
    api: Api, db: Database, token: TokenFactory
) -> None:
    """`govkit persons export` gives the document the member downloads (one way of gathering); only
    those who may read the school's persons get it, and whether a school exists is no answer to others."""
    _acknowledged(db)
    downloaded = api.request("GET", "/ui/me/data.json", headers=cookie(token("member", SCHOOL, MEMBER))).json()
    exported = data_protection.export_person(
        db=db, actor=Principal(role=Role.LEGAL, subject="test:legal"), school=SCHOOL, external_id=MEMBER, public_url=""
    )
    assert list(exported["sections"]) == KEYS and exported["person_id"] == stored_id(person(db, SCHOOL, MEMBER))
    mine = downloaded["sections"]
    theirs = exported["sections"]
    for key in ("identity_and_contact", "school_and_populations", "notices", "sign_in_links", "role_grants"):
        assert theirs[key] == mine[key], key
    assert [a["verification_code"] for a in theirs["acknowledgements"]["acknowledgements"]] == [
        a["verification_code"] for a in mine["acknowledgements"]["acknowledgements"]
    ]
    assert [e.target for e in audit_events(db, "cli.persons.export")] == [
        {"person": exported["person_id"], "school": SCHOOL}
    ]

    other = Principal(role=Role.SCHOOL_ADMIN, subject="test:other", organisation_id=-5, organisation_code="other")
    for school, external_id in ((SCHOOL, MEMBER), ("no-such-school", MEMBER)):
        with pytest.raises(Forbidden):
            data_protection.export_person(db=db, actor=other, school=school, external_id=external_id, public_url="")
    legal = Principal(role=Role.LEGAL, subject="test:legal")
    with pytest.raises(NotFound, match="No organisation with code 'no-such-school'"):
        data_protection.export_person(db=db, actor=legal, school="no-such-school", external_id=MEMBER, public_url="")
    with pytest.raises(NotFound, match="No person with external id 'Z9'"):
        data_protection.export_person(db=db, actor=legal, school=SCHOOL, external_id="Z9", public_url="")
    assert len(audit_events(db, "cli.persons.export")) == 1  # refusals export nothing


_serial = itertools.count(1)
#: Names and addresses no other text of govkit holds by chance (no hexadecimal letter, no vowel).
#: Of one length and all different, so that none is a part of another.
_names = st.lists(st.text(alphabet="ghjklmnpqrstvwxz", min_size=8, max_size=8), min_size=4, max_size=8, unique=True)
_persons = _names.map(lambda names: list(zip(names[::2], names[1::2], strict=False)))


@hypothesis_settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(persons=_persons)
def test_an_export_never_holds_another_persons_name_or_email(
    db: Database, settings: Settings, persons: list[tuple[str, str]]
) -> None:
    """Persons of one school with the same populations, each acknowledging and asking for a
    correction decided by an administrator with an address: each one's export names them alone."""
    me = person(db, SCHOOL, MEMBER)
    version = current(db, SCHOOL)
    made: list[Person] = []
    with db.transaction() as session:
        for given_name, family_name in persons:
            serial = next(_serial)
            row = Person(
                organisation_id=me.organisation_id,
                external_id=f"HYP{serial:05d}",
                given_name=f"Q{given_name}",
                family_name=f"Q{family_name}",
                email=f"q{given_name}.{family_name}{serial}@mail.test",
            )
            session.add(row)
            session.flush()
            session.add(PersonPopulation(person_id=stored_id(row), population="student"))
            made.append(row)
    admin = Principal(
        role=Role.SCHOOL_ADMIN,
        subject="qdirection@mail.test",
        organisation_id=me.organisation_id,
        organisation_code=SCHOOL,
    )
    for row in made:
        actor = member(db, SCHOOL, row.external_id)
        acknowledge(db=db, actor=actor, document_version_id=version.id)
        request = corrections.request_correction(
            db=db, actor=actor, section="identity_and_contact", field="family_name", text=f"Q{row.family_name}x"
        )
        corrections.decide_correction(db=db, actor=admin, request_id=stored_id(request), done=True, note="fait")
    for row in made:
        text = json.dumps(gather(db=db, person_id=stored_id(row), public_url=settings.public_url), ensure_ascii=False)
        assert row.given_name in text and row.email in text and f"{row.family_name}x" in text
        assert "qdirection@mail.test" not in text
        for other in made:
            if other.id != row.id:
                for said in (other.given_name, other.family_name, other.email, other.external_id):
                    assert said not in text, f"{said} in the export of {row.external_id}"
