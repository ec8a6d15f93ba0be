"""Legal holds, on both databases: legal staff place and release them (service, GraphQL, page), with a
reason; everyone else is refused; each change is audited, persons named by id; bad input is a
precise refusal that writes nothing."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import Principal, Role
from govkit.acknowledgements.models import Person
from govkit.db import Database
from govkit.errors import Conflict, Forbidden, InvalidInput, NotFound
from govkit.privacy import legal_holds
from govkit.privacy.hold_models import LegalHold
from govkit.privacy.read_models import PersonRead
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"
LEGAL = Principal(role=Role.LEGAL, subject="test:legal")
REASON = "Dossier disciplinaire 2026-14"


def _holds(db: Database) -> list[LegalHold]:
    with db.reading() as session:
        return list(session.exec(select(LegalHold).order_by(col(LegalHold.id))).all())


def test_place_and_release(db: Database) -> None:
    held = legal_holds.place_legal_hold(
        db=db, actor=LEGAL, school=SCHOOL, person_external_id="E00003", reason=f"  {REASON} "
    )
    hold = held.hold
    assert (held.school, held.external_id, hold.reason, hold.placed_by) == (SCHOOL, "E00003", REASON, LEGAL.label)
    with db.reading() as session:
        assert hold.person_id in legal_holds.held_person_ids(session)
    with pytest.raises(Conflict):
        legal_holds.place_legal_hold(db=db, actor=LEGAL, school=SCHOOL, person_external_id="E00003", reason=REASON)
    assert [h.hold.id for h in legal_holds.legal_holds(db=db, actor=LEGAL)] == [hold.id]
    with db.reading() as session:  # the list names the person held: a read in their read log
        (read,) = session.exec(select(PersonRead).where(PersonRead.person_id == hold.person_id)).all()
    assert (read.channel, read.fields, read.reader_subject) == ("graphql", ["person_external_id"], LEGAL.subject)

    released = legal_holds.release_legal_hold(db=db, actor=LEGAL, hold_id=hold.id)  # type: ignore[arg-type]
    assert released.hold.released_at is not None and released.external_id == "E00003"
    with pytest.raises(Conflict):
        legal_holds.release_legal_hold(db=db, actor=LEGAL, hold_id=hold.id)  # type: ignore[arg-type]
    assert legal_holds.legal_holds(db=db, actor=LEGAL) == []
    assert [h.hold.id for h in legal_holds.legal_holds(db=db, actor=LEGAL, include_released=True)] == [hold.id]
    # placed again after a release: a new hold, the old one kept
    again = legal_holds.place_legal_hold(db=db, actor=LEGAL, school=SCHOOL, person_external_id="E00003", reason=REASON)
    assert again.hold.id != hold.id and len(_holds(db)) == 2

    with db.reading() as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action).like("privacy.%legal_hold")).order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, e.target) for e in events] == [
        ("privacy.place_legal_hold", {"legal_hold": hold.id, "person_id": hold.person_id}),
        ("privacy.release_legal_hold", {"legal_hold": hold.id, "person_id": hold.person_id}),
        ("privacy.place_legal_hold", {"legal_hold": again.hold.id, "person_id": hold.person_id}),
    ]


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"school": SCHOOL, "person_external_id": "E00004", "reason": "court"}, InvalidInput),
        ({"school": SCHOOL, "person_external_id": "E00004", "reason": "x" * 2001}, InvalidInput),
        ({"school": SCHOOL, "person_external_id": "nobody", "reason": REASON}, NotFound),
        ({"school": "imt-nowhere", "person_external_id": "E00004", "reason": REASON}, NotFound),
    ],
)
def test_bad_input_writes_nothing(db: Database, given: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        legal_holds.place_legal_hold(db=db, actor=LEGAL, **given)
    assert _holds(db) == []


def test_only_legal_staff(db: Database) -> None:
    for role in (Role.AUDITOR, Role.SCHOOL_ADMIN, Role.INTRANET, Role.MEMBER):
        actor = Principal(role=role, subject=f"test:{role.value}", organisation_code=SCHOOL, organisation_id=1)
        with pytest.raises(Forbidden):
            legal_holds.place_legal_hold(db=db, actor=actor, school=SCHOOL, person_external_id="E00004", reason=REASON)
        with pytest.raises(Forbidden):
            legal_holds.legal_holds(db=db, actor=actor)
        with pytest.raises(Forbidden):
            legal_holds.release_legal_hold(db=db, actor=actor, hold_id="x")
    assert _holds(db) == []


def test_through_graphql(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    placed = api.data(
        f'mutation {{ placeLegalHold(school: "{SCHOOL}", personExternalId: "E00005", reason: "{REASON}") '
        "{ id personId school personExternalId reason placedBy releasedAt } }",
        token=legal,
    )["placeLegalHold"]
    assert placed["personId"] == str(_person_id_at(db, "E00005"))
    assert (placed["school"], placed["personExternalId"], placed["reason"], placed["releasedAt"]) == (
        SCHOOL,
        "E00005",
        REASON,
        None,
    )
    listed = api.data("{ legalHolds { id } }", token=legal)["legalHolds"]
    assert listed == [{"id": placed["id"]}]
    refused = api.graphql("{ legalHolds { id } }", token=token("school_admin", SCHOOL)).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    released = api.data(
        f'mutation {{ releaseLegalHold(id: "{placed["id"]}") {{ releasedAt releasedBy }} }}', token=legal
    )
    assert released["releaseLegalHold"]["releasedAt"] is not None
    # the mutation's audit event is the service's: the person by id, never by external id
    with db.reading() as session:
        targets = [e.target for e in session.exec(select(AuditEvent).where(col(AuditEvent.action).like("%LegalHold%")))]
    assert all("E00005" not in str(t) for t in targets)


def _person_id_at(db: Database, external_id: str) -> int:
    with db.reading() as session:
        found = session.exec(
            select(Person.id).where(Person.external_id == external_id, Person.organisation_id == _school_id(db))
        ).first()
    assert found is not None
    return found


def _school_id(db: Database) -> int:
    from govkit.organisations.models import Organisation

    with db.reading() as session:
        found = session.exec(select(Organisation.id).where(Organisation.code == SCHOOL)).one()
    assert found is not None
    return found


def _get(api: Api, url: str, token: str) -> httpx.Response:
    return api.request("GET", url, headers={"Cookie": f"govkit_session={token}"})


def _post(api: Api, url: str, token: str, data: dict[str, str]) -> httpx.Response:
    page = _get(api, "/ui/legal-holds", token)
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found, page.text[:500]
    return api.request("POST", url, headers={"Cookie": f"govkit_session={token}"}, data={"csrf": found[1], **data})


def test_the_page(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    assert "Aucune suspension en cours." in _get(api, "/ui/legal-holds", legal).text
    bad = _post(
        api, "/ui/legal-holds?lang=en", legal, {"school": SCHOOL, "person_external_id": "E00006", "reason": "x"}
    )
    assert bad.status_code == 422 and "Give the reason of the hold (10 to 2000 characters)." in unescape(bad.text)
    assert 'value="E00006"' in bad.text  # the form keeps what was typed
    unknown = _post(api, "/ui/legal-holds", legal, {"school": SCHOOL, "person_external_id": "nobody", "reason": REASON})
    assert unknown.status_code == 404 and "Aucune personne de cet identifiant" in unescape(unknown.text)
    assert _holds(db) == []

    placed = _post(api, "/ui/legal-holds", legal, {"school": SCHOOL, "person_external_id": "E00006", "reason": REASON})
    assert placed.status_code == 303 and placed.headers["location"] == "/ui/legal-holds?done=placed"
    (hold,) = _holds(db)
    shown = unescape(_get(api, "/ui/legal-holds?done=placed", legal).text)
    assert "Suspension enregistrée." in shown and REASON in shown and "E00006" in shown
    released = _post(api, f"/ui/legal-holds/{hold.id}/release", legal, {})
    assert released.status_code == 303
    assert _holds(db)[0].released_at is not None
    assert "Suspensions levées" in unescape(_get(api, "/ui/legal-holds", legal).text)

    admin = token("school_admin", SCHOOL)
    assert _get(api, "/ui/legal-holds", admin).status_code == 403
    forged = api.request(
        "POST",
        "/ui/legal-holds",
        headers={"Cookie": f"govkit_session={legal}"},
        data={"csrf": "0" * 32, "school": SCHOOL, "person_external_id": "E00007", "reason": REASON},
    )
    assert forged.status_code == 401 and len(_holds(db)) == 1
