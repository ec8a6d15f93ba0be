"""The plan's records in the pages (issue 19, item 7): commitments and arrangements with evidence
files, training and surveys, waivers, rule parameters — through the same services as GraphQL, on
both databases: who may, who may not, files refused with a clear message, downloads by SHA-256, the
history of each record with who and when, and every change in the audit log."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import ANONYMOUS, Principal, Role
from govkit.days import utc_today
from govkit.db import Database
from govkit.errors import Forbidden, NotAuthenticated, NotFound
from govkit.flows import commitment_evidence as evidence
from govkit.organisations.commitment_records import CommitmentInput
from govkit.organisations.models import Commitment, CommitmentEvidence
from govkit.organisations.record_history import commitment_records
from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType
from tests.conftest import Api, TokenFactory, make_settings
from tests.web.plan_helpers import OTHER, SCHOOL, cookie, pdf, post, said

LEGAL = Principal(role=Role.LEGAL, subject="legal-officer")
MAX = 10 * 1024 * 1024


def _admin(db: Database, code: str = SCHOOL, role: Role = Role.SCHOOL_ADMIN) -> Principal:
    from govkit.organisations.service import organisation_by_code

    with db.reading() as session:
        organisation = organisation_by_code(session, code)
    return Principal(role=role, subject=f"{role.value}-{code}", organisation_code=code, organisation_id=organisation.id)


def _charter(code: str = SCHOOL, title: str = "Charte pour l'égalité (signée en 2026)") -> CommitmentInput:
    return CommitmentInput(
        organisation_code=code,
        type=CommitmentType.EQUALITY_CHARTER,
        status=CommitmentStatus.IN_PLACE,
        title=title,
        effective_on=utc_today() - timedelta(days=3),
    )


def _links(db: Database) -> int:
    with db.reading() as session:
        return len(session.exec(select(CommitmentEvidence)).all())


# --- services ------------------------------------------------------------------------------------


def test_a_commitment_is_recorded_with_its_pdf_and_downloaded_by_those_allowed(db: Database) -> None:
    admin = _admin(db)
    data = pdf()
    commitment, link = evidence.record(
        db=db,
        actor=admin,
        data=_charter(),
        upload=evidence.EvidenceFile("C:\\scans\\charte signée.pdf", data),
        max_bytes=MAX,
    )
    assert link is not None and link.sha256 == hashlib.sha256(data).hexdigest()
    assert link.filename == "charte signée.pdf" and link.recorded_by == admin.label and link.size == len(data)
    # the same bytes on another record: stored once, linked twice
    again = evidence.attach(
        db=db,
        actor=LEGAL,
        school=SCHOOL,
        commitment_id=str(commitment.id),
        upload=evidence.EvidenceFile("x.pdf", data),
        max_bytes=MAX,
    )
    assert again.id == link.id  # the same file twice on one record: the first link stands
    found = evidence.download(db=db, actor=admin, sha256=link.sha256)
    assert found.data == data and found.media_type == "application/pdf" and found.filename == "charte signée.pdf"
    assert evidence.download(db=db, actor=_admin(db, role=Role.AUDITOR, code=OTHER), sha256=link.sha256).data == data
    for refused in (_admin(db, OTHER), _admin(db, SCHOOL, Role.INTRANET)):
        with pytest.raises((NotFound, Forbidden)):
            evidence.download(db=db, actor=refused, sha256=link.sha256)
    with pytest.raises(NotAuthenticated):
        evidence.download(db=db, actor=ANONYMOUS, sha256=link.sha256)
    history = commitment_records(db=db, actor=admin, school=SCHOOL)
    chain = next(h for h in history.commitments if any(e.record.id == commitment.id for e in h.records))
    assert chain.current is not None and chain.current.id == commitment.id
    assert [f.sha256 for e in chain.records for f in e.evidence] == [link.sha256]


@pytest.mark.parametrize(
    ("data", "key", "status"),
    [
        (b"", "evidence_empty", 400),
        (b"PK\x03\x04 not a pdf at all %%EOF", "evidence_not_pdf", 415),
        (b"%PDF-1.4\n" + b"0" * 100, "evidence_not_pdf", 415),  # no end marker
        (pdf() + b"x" * 5000, "evidence_too_large", 413),
    ],
    ids=["empty", "zip", "truncated", "oversized"],
)
def test_a_file_that_is_not_a_small_pdf_records_nothing(db: Database, data: bytes, key: str, status: int) -> None:
    with db.reading() as session:
        before = len(session.exec(select(Commitment)).all())
    links = _links(db)
    with pytest.raises(evidence.FileRefused) as refused:
        evidence.record(
            db=db, actor=_admin(db), data=_charter(), upload=evidence.EvidenceFile("f.pdf", data), max_bytes=4096
        )
    assert (refused.value.key, refused.value.http_status) == (key, status)
    with db.reading() as session:
        assert len(session.exec(select(Commitment)).all()) == before  # no partial write
    assert _links(db) == links


def test_only_the_schools_own_administration_and_legal_staff_record(db: Database) -> None:
    upload = evidence.EvidenceFile("c.pdf", pdf())
    for refused in (_admin(db, OTHER), _admin(db, SCHOOL, Role.MEMBER), _admin(db, SCHOOL, Role.AUDITOR)):
        with pytest.raises(Forbidden):
            evidence.record(db=db, actor=refused, data=_charter(), upload=upload, max_bytes=MAX)
    commitment, _ = evidence.record(db=db, actor=LEGAL, data=_charter(), upload=None, max_bytes=MAX)
    with pytest.raises((Forbidden, NotFound)):
        evidence.attach(
            db=db, actor=_admin(db, OTHER), school=SCHOOL, commitment_id=commitment.id, upload=upload, max_bytes=MAX
        )
    with pytest.raises(NotFound):  # a record of another school named through one's own
        evidence.attach(
            db=db, actor=_admin(db, OTHER), school=OTHER, commitment_id=commitment.id, upload=upload, max_bytes=MAX
        )


# --- pages ---------------------------------------------------------------------------------------


def test_the_commitments_pages_say_who_may_see_them(api: Api, token: TokenFactory) -> None:
    path = f"/ui/schools/{SCHOOL}/commitments"
    assert api.request("GET", path, headers=cookie(token("school_admin", SCHOOL))).status_code == 200
    assert api.request("GET", path, headers=cookie(token("auditor"))).status_code == 200
    other = api.request("GET", path, headers=cookie(token("school_admin", OTHER)))
    assert other.status_code == 403 and "Votre rôle" in said(other)
    assert api.request("GET", path, headers=cookie(token("member", SCHOOL, "E00001"))).status_code == 403
    anonymous = api.request("GET", path)
    assert anonymous.status_code == 401 and 'id="token"' in anonymous.text  # the sign-in page
    for other_page in (f"/ui/schools/{SCHOOL}/training", "/ui/waivers"):
        assert api.request("GET", other_page, headers=cookie(token("member", SCHOOL, "E00001"))).status_code == 403
        assert api.request("GET", other_page).status_code == 401


def test_a_school_records_a_commitment_with_its_pdf_updates_it_and_reads_its_history(
    api: Api, token: TokenFactory, db: Database
) -> None:
    admin = token("school_admin", SCHOOL)
    data = pdf("Charte signée le 2 décembre")
    form = {
        "type": "equality_charter",
        "status": "in_progress",
        "title": "Charte égalité (signature)",
        "effective_on": (utc_today() - timedelta(days=10)).isoformat(),
        "how": "own",
    }
    answer = post(
        api, admin, f"/ui/schools/{SCHOOL}/commitments", form, files={"file": ("charte.pdf", data, "application/pdf")}
    )
    assert answer.status_code == 303, answer.text[:2000]
    page_path = answer.headers["location"].split("?")[0]
    record_id = int(page_path.rsplit("/", 1)[1])
    shown = said(api.request("GET", page_path + "?saved=1", headers=cookie(admin)))
    sha = hashlib.sha256(data).hexdigest()
    assert "Engagement enregistré." in shown and f"/commitments/files/{sha}" in shown and "charte.pdf" in shown
    download = api.request("GET", f"/ui/schools/{SCHOOL}/commitments/files/{sha}", headers=cookie(admin))
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="charte.pdf"' in download.headers["content-disposition"]
    refused = api.request(
        "GET", f"/ui/schools/{SCHOOL}/commitments/files/{sha}", headers=cookie(token("school_admin", OTHER))
    )
    assert refused.status_code == 404 and data not in refused.content
    # a new state from its date, then a correction of it: three records, newest first, with who and when
    later = {**form, "status": "in_place", "effective_on": utc_today().isoformat(), "change": "state"}
    assert post(api, admin, page_path, later).status_code == 303
    newest = _latest_id(db, "Charte égalité (signature)")
    fixed = {**later, "change": "correction", "note": "signée par la directrice"}
    corrected = post(api, admin, f"/ui/schools/{SCHOOL}/commitments/{newest}", fixed)
    assert corrected.status_code == 303
    history = said(api.request("GET", corrected.headers["location"], headers=cookie(admin)))
    rows = re.findall(r'<tr data-record="(\d+)"', history)
    assert len(rows) == 3 and int(rows[-1]) == record_id
    assert f"corrige le n° {newest}" in history and f"corrigé par le n° {rows[0]}" in history
    assert "administration de l'école" in history and "heure de Paris" in history
    # the evidence file added to the newest record
    attached = post(
        api,
        admin,
        f"/ui/schools/{SCHOOL}/commitments/{rows[0]}/evidence",
        {},
        files={"file": ("convention.pdf", pdf("Convention"), "application/pdf")},
        page=f"/ui/schools/{SCHOOL}/commitments/{rows[0]}",
    )
    assert attached.status_code == 303 and "attached=1" in attached.headers["location"]
    with db.reading() as session:
        events = session.exec(
            select(AuditEvent.action, AuditEvent.outcome).where(col(AuditEvent.action).like("page.%"))
        ).all()
    assert events.count(("page.recordCommitment", "ok")) == 3
    assert ("page.attachCommitmentEvidence", "ok") in events


def _latest_id(db: Database, title: str) -> int:
    with db.reading() as session:
        return max(c.id for c in session.exec(select(Commitment).where(Commitment.title == title)).all())


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"", 400, "Le fichier est vide"),
        (b"<html>not a pdf</html>", 415, "Un justificatif est un fichier PDF"),
        (None, 413, "la limite est de 4096 octets"),
    ],
    ids=["empty", "not-pdf", "oversized"],
)
def test_a_refused_file_is_said_on_the_page_and_nothing_is_recorded(
    db: Database, token: TokenFactory, content: bytes | None, status: int, message: str
) -> None:
    api = Api(db, make_settings(commitment_evidence_max_bytes=4096))
    admin = token("school_admin", SCHOOL)
    data = content if content is not None else pdf() + b"%" * 5000
    with db.reading() as session:
        before = len(session.exec(select(Commitment)).all())
    form = {"type": "vss_action_plan", "status": "in_place", "title": "Plan d'action VSS 2026", "how": "own"}
    answer = post(
        api, admin, f"/ui/schools/{SCHOOL}/commitments", form, files={"file": ("plan.pdf", data, "application/pdf")}
    )
    assert answer.status_code == status
    assert message in said(answer) and 'role="alert"' in answer.text
    assert 'value="Plan d&#39;action VSS 2026"' in answer.text  # the form keeps what was typed
    with db.reading() as session:
        assert len(session.exec(select(Commitment)).all()) == before


def test_a_commitment_form_refused_by_the_service_names_its_fields(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", SCHOOL)
    form = {"type": "vss_action_plan", "status": "in_place", "title": "  ", "how": "own"}
    answer = post(api, admin, f"/ui/schools/{SCHOOL}/commitments", form)
    assert answer.status_code == 400
    assert "L'engagement n'est pas valable" in said(answer) and "<code>title</code>" in said(answer)
    english = api.request(
        "POST", f"/ui/schools/{SCHOOL}/commitments?lang=en", headers=cookie(admin), data={"csrf": "x"}
    )
    assert english.status_code == 401  # a form that did not come from govkit: sign in again
    other = post(
        api,
        token("school_admin", OTHER),
        f"/ui/schools/{SCHOOL}/commitments",
        form,
        page=f"/ui/schools/{OTHER}/commitments",
    )
    assert other.status_code == 403


def test_a_school_joins_and_leaves_a_group_arrangement(api: Api, token: TokenFactory, db: Database) -> None:
    admin = token("school_admin", SCHOOL)
    shown = said(api.request("GET", f"/ui/schools/{SCHOOL}/commitments", headers=cookie(admin)))
    found = re.findall(r'/arrangements/(\d+)/(join|leave)"', shown)
    assert found, "the demo has group arrangements of the head office"
    record_id, move = found[0]
    answer = post(
        api,
        admin,
        f"/ui/schools/{SCHOOL}/arrangements/{record_id}/{move}",
        {"valid_from": utc_today().isoformat(), "reason": "Décision du comité de direction du 1er décembre"},
        page=f"/ui/schools/{SCHOOL}/commitments",
    )
    assert answer.status_code == 303, answer.text[:1000]
    after = said(api.request("GET", answer.headers["location"], headers=cookie(admin)))
    assert ("Retrait enregistré." if move == "leave" else "Adhésion enregistrée.") in after


def test_training_and_surveys_are_recorded_corrected_and_kept_in_history(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", SCHOOL)
    year = utc_today().year if utc_today().month >= 9 else utc_today().year - 1
    training = {
        "academic_year": str(year),
        "audience": "staff",
        "training": "vss_awareness",
        "title": "Sensibilisation des personnels",
        "trained": "40",
        "total": "120",
    }
    answer = post(
        api, admin, f"/ui/schools/{SCHOOL}/training/training", training, page=f"/ui/schools/{SCHOOL}/training"
    )
    assert answer.status_code == 303, answer.text[:2000]
    first = answer.headers["location"].split("?")[0]
    corrected = post(
        api,
        admin,
        f"/ui/schools/{SCHOOL}/training/training",
        {**training, "trained": "60", "supersedes": first.rsplit("/", 1)[1]},
        page=first,
    )
    assert corrected.status_code == 303
    history = said(api.request("GET", corrected.headers["location"], headers=cookie(admin)))
    assert len(re.findall(r'<tr data-record="\d+"', history)) == 2 and "60 / 120" in history and "40 / 120" in history
    wrong = post(
        api,
        admin,
        f"/ui/schools/{SCHOOL}/training/training",
        {**training, "trained": "500"},
        page=f"/ui/schools/{SCHOOL}/training",
    )
    assert wrong.status_code == 400 and "L'enregistrement n'est pas valable" in said(wrong)
    survey = {
        "year": str(utc_today().year),
        "title": "Enquête VSS",
        "audience": "students",
        "status": "open",
        "invited": "300",
        "respondents": "120",
    }
    assert (
        post(
            api, admin, f"/ui/schools/{SCHOOL}/training/survey", survey, page=f"/ui/schools/{SCHOOL}/training"
        ).status_code
        == 303
    )
    other = post(
        api,
        token("school_admin", OTHER),
        f"/ui/schools/{SCHOOL}/training/survey",
        survey,
        page=f"/ui/schools/{OTHER}/training",
    )
    assert other.status_code == 403


def test_legal_staff_grant_a_waiver_and_others_may_not(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    shown = api.request("GET", "/ui/waivers", headers=cookie(legal))
    assert shown.status_code == 200 and "Accorder une dérogation" in shown.text
    rule = re.search(r'<option value="([^"]+)"', shown.text.split('id="waiver-rule"')[1]).group(1)
    expires = (utc_today() + timedelta(days=90)).isoformat()
    short = post(
        api, legal, "/ui/waivers", {"rule_id": rule, "school": SCHOOL, "reason": "court", "expires_on": expires}
    )
    assert short.status_code == 400 and "Donnez la raison de la dérogation" in said(short)
    granted = post(
        api,
        legal,
        "/ui/waivers",
        {"rule_id": rule, "school": SCHOOL, "reason": "Plan en cours de signature au conseil", "expires_on": expires},
    )
    assert granted.status_code == 303
    listed = said(api.request("GET", granted.headers["location"], headers=cookie(legal)))
    assert "Plan en cours de signature au conseil" in listed and "(service juridique)" in listed
    admin = token("school_admin", SCHOOL)
    assert "Accorder une dérogation" not in said(api.request("GET", "/ui/waivers", headers=cookie(admin)))
    refused = post(
        api, admin, "/ui/waivers", {"rule_id": rule, "school": SCHOOL, "reason": "x" * 20, "expires_on": expires}
    )
    assert refused.status_code == 403
    with db.reading() as session:
        outcomes = session.exec(select(AuditEvent.outcome).where(AuditEvent.action == "page.grantWaiver")).all()
    assert sorted(outcomes) == ["error", "ok", "refused"]


def test_legal_staff_change_a_rule_parameter_from_a_date(api: Api, token: TokenFactory, db: Database) -> None:
    legal = token("legal")
    shown = said(api.request("GET", "/ui/rules/parameters", headers=cookie(legal)))
    choice = re.search(r'<option value="([^":]+:deadline)"', shown).group(1)
    form = {
        "parameter": choice,
        "value": "2027-06-30",
        "valid_from": utc_today().isoformat(),
        "source_kind": "default",
        "source_text": "Échéance repoussée par le comité de pilotage",
        "reason": "Décision du comité du 1er décembre",
    }
    bad = post(api, legal, "/ui/rules/parameters", {**form, "value": "[not json"})
    assert bad.status_code == 400 and "Écrivez la valeur" in said(bad)
    saved = post(api, legal, "/ui/rules/parameters", form)
    assert saved.status_code == 303
    page = said(api.request("GET", saved.headers["location"], headers=cookie(legal)))
    assert "Décision du comité du 1er décembre" in page and "Nouvelle valeur enregistrée." in page
    admin = token("school_admin", SCHOOL)
    read = said(api.request("GET", "/ui/rules/parameters", headers=cookie(admin)))
    assert "Décision du comité du 1er décembre" in read and "Changer la valeur" not in read
    assert post(api, admin, "/ui/rules/parameters", form).status_code == 403
    with db.reading() as session:
        outcomes = session.exec(select(AuditEvent.outcome).where(AuditEvent.action == "page.setRuleParameter")).all()
    assert sorted(outcomes) == ["ok", "refused"]


def test_a_waiver_of_an_error_waits_for_a_second_legal_officer(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(four_eyes=True))
    first, second = token("legal"), token("legal")
    shown = said(api.request("GET", "/ui/waivers", headers=cookie(first)))
    rule = re.search(r'<option value="([^"]+)"[^>]*>[^<]*double validation', shown).group(1)
    expires = (utc_today() + timedelta(days=60)).isoformat()
    form = {"rule_id": rule, "school": SCHOOL, "reason": "Charte signée, en attente du registre", "expires_on": expires}
    asked = post(api, first, "/ui/waivers", form)
    assert asked.status_code == 303 and "requested=" in asked.headers["location"]
    request_id = int(re.search(r"requested=(\d+)", asked.headers["location"]).group(1))
    page = said(api.request("GET", asked.headers["location"], headers=cookie(first)))
    assert "un second juriste doit l'approuver" in page and f"Demande n° {request_id}" in page
    with db.reading() as session:
        from govkit.rules.models import Waiver

        assert not session.exec(select(Waiver).where(Waiver.reason == form["reason"])).all()  # not granted yet
    own = post(api, first, f"/ui/waivers/requests/{request_id}/approve", {}, page="/ui/waivers")
    assert own.status_code == 403  # the requester may not approve their own request
    approved = post(api, second, f"/ui/waivers/requests/{request_id}/approve", {"comment": "Vu"}, page="/ui/waivers")
    assert approved.status_code == 303, said(approved)[:3000]
    listed = said(api.request("GET", approved.headers["location"], headers=cookie(second)))
    assert "Demande approuvée : dérogation accordée." in listed and "Approuvée par" in listed
    assert form["reason"] in listed
