"""Proof of display: an electronic acknowledgement requires the SHA-256 of the version shown and a
delivery of that version to the person before it — opened on their page, downloaded while signed
in, or displayed by the intranet they acknowledge through — and its receipt says when and how."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import docx
import pytest
import sqlalchemy as sa

from govkit.acknowledgements import deliveries, privacy
from govkit.acknowledgements.models import DocumentDelivery
from govkit.db import Database
from govkit.documents.models import Blob
from govkit.documents.rendition_models import DocumentRendition
from govkit.errors import Conflict, InvalidInput
from govkit.web.i18n.errors import MESSAGES
from tests.ack_helpers import acknowledge, admin, current, deliver, member, record_paper_acknowledgement
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"
ACK = """mutation($id: ID!, $sha: String!, $by: String, $at: DateTime) {
  acknowledge(documentVersionId: $id, documentSha256: $sha, displayedBy: $by, displayedAt: $at) {
    verificationCode method acknowledgedAt shownAt shownVia
  }
}"""


def _deliveries(db: Database, person_id: int | None) -> list[tuple[str, str | None]]:
    with db.reading() as session:
        rows = session.execute(
            sa.select(DocumentDelivery.channel, DocumentDelivery.displayed_by)  # type: ignore[call-overload]
            .where(DocumentDelivery.person_id == person_id)
            .order_by(DocumentDelivery.id)
        ).all()
    return [tuple(r) for r in rows]


def _cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"govkit_session={token}"}


def test_an_acknowledgement_without_the_sha256_shown_is_refused(api: Api, token: TokenFactory, db: Database) -> None:
    document = current(db, SCHOOL)
    student = member(db, SCHOOL, "E00001")
    deliver(db, student, document.id)
    # the API: documentSha256 is a required argument
    answer = api.graphql(
        "mutation($id: ID!) { acknowledge(documentVersionId: $id) { id } }",
        {"id": str(document.id)},
        token=token("member", SCHOOL, "E00001"),
    ).json()
    (error,) = answer["errors"]
    assert "documentSha256" in error["message"] and "required" in error["message"]
    # the service, for any other caller
    with pytest.raises(InvalidInput, match="Give the SHA-256 of the version shown") as refused:
        acknowledge(db=db, actor=student, document_version_id=document.id, shown=False)
    assert refused.value.key == "shown_sha256_required"


def test_a_version_never_delivered_is_refused(db: Database) -> None:
    document = current(db, SCHOOL)
    with pytest.raises(Conflict, match="never delivered to you") as refused:
        acknowledge(
            db=db,
            actor=member(db, SCHOOL, "E00002"),
            document_version_id=document.id,
            shown=False,
            shown_sha256=document.sha256,
        )
    assert refused.value.key == "not_delivered"
    assert {"fr", "en"} <= set(MESSAGES["not_delivered"])
    # delivered to someone else does not count
    deliver(db, member(db, SCHOOL, "E00003"), document.id)
    with pytest.raises(Conflict, match="never delivered"):
        acknowledge(
            db=db,
            actor=member(db, SCHOOL, "E00002"),
            document_version_id=document.id,
            shown=False,
            shown_sha256=document.sha256,
        )


def test_opened_on_the_page_then_accepted_the_receipt_says_when(api: Api, token: TokenFactory, db: Database) -> None:
    """The member's journey in the pages: the page that shows the version records its delivery; its
    form accepts it; the receipt, its certificate and the GraphQL receipt say when it was shown."""
    document = current(db, SCHOOL)
    session = token("member", SCHOOL, "E00004")
    refused = api.request(
        "POST",
        f"/ui/me/documents/{document.id}/acknowledge",
        headers=_cookie(session),
        data={"csrf": "x", "sha256": document.sha256},
    )
    assert refused.status_code == 401  # (no form of govkit's: sign in again)
    page = api.request("GET", f"/ui/me/documents/{document.id}", headers=_cookie(session))
    assert page.status_code == 200
    again = api.request("GET", f"/ui/me/documents/{document.id}", headers=_cookie(session))
    assert again.status_code == 200
    person = member(db, SCHOOL, "E00004").person_id
    assert _deliveries(db, person) == [("page", None)]  # opened twice: one row, the first time
    (held,) = privacy.export_person(db=db, school=SCHOOL, external_id="E00004")["deliveries"]  # right of access
    assert (held["document_version_id"], held["channel"], held["sha256"]) == (document.id, "page", document.sha256)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.text)
    assert csrf and sha and sha.group(1) == document.sha256
    accepted = api.request(
        "POST",
        f"/ui/me/documents/{document.id}/acknowledge",
        headers=_cookie(session),
        data={"csrf": csrf.group(1), "sha256": sha.group(1)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    code = accepted.headers["location"].rsplit("/", 1)[1]
    receipt = api.data(
        "query($c: String!) { receipt(code: $c) { acknowledgedAt shownAt shownVia } }", {"c": code}, token=session
    )["receipt"]
    assert receipt["shownVia"] == "page"
    assert datetime.fromisoformat(receipt["shownAt"]) <= datetime.fromisoformat(receipt["acknowledgedAt"])
    shown_page = api.request("GET", f"/ui/me/receipts/{code}", headers=_cookie(session)).text
    assert "Document présenté" in shown_page and "ouverte sur sa page govkit" in shown_page
    certificate = api.request("GET", f"/receipts/{code}.docx", headers={"Authorization": f"Bearer {session}"})
    cells = [c.text for t in docx.Document(io.BytesIO(certificate.content)).tables for r in t.rows for c in r.cells]
    assert any("opened on their govkit page" in c for c in cells), cells
    as_json = api.request("GET", f"/receipts/{code}.json", headers={"Authorization": f"Bearer {session}"}).json()
    assert as_json["shown_via"] == "page" and as_json["shown_at"] == receipt["shownAt"].replace("Z", "+00:00")


def test_downloads_by_a_signed_in_member_are_deliveries_and_nobody_elses(
    api: Api, token: TokenFactory, db: Database
) -> None:
    document = current(db, SCHOOL)
    bearer = token("member", SCHOOL, "E00005")
    person = member(db, SCHOOL, "E00005").person_id
    public = api.request("GET", f"/public/{SCHOOL}/internal.fr.docx")
    assert public.status_code == 200 and _deliveries(db, person) == []  # anonymous: nobody's
    staff = api.request(
        "GET", f"/documents/{document.sha256}", headers={"Authorization": f"Bearer {token('school_admin', SCHOOL)}"}
    )
    assert staff.status_code == 200
    with db.reading() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(DocumentDelivery)).scalar_one() == 0
    by_token = api.request("GET", f"/documents/{document.sha256}", headers={"Authorization": f"Bearer {bearer}"})
    assert by_token.status_code == 200
    assert _deliveries(db, person) == [("docx", None)]
    other = token("member", SCHOOL, "E00006")
    in_page = api.request("GET", f"/ui/files/{document.sha256}", headers=_cookie(other))
    assert in_page.status_code == 200
    assert _deliveries(db, member(db, SCHOOL, "E00006").person_id) == [("docx", None)]
    pdf = api.request("GET", f"/ui/me/documents/{document.id}/pdf", headers=_cookie(other))
    assert pdf.status_code == 503  # no PDF/A made in the tests: nothing delivered (its conversion is queued)
    assert _deliveries(db, member(db, SCHOOL, "E00006").person_id) == [("docx", None)]
    made = b"%PDF-1.7 a stand-in for the PDF/A rendition"
    with db.transaction() as session:  # as the conversion job stores it
        session.add(
            Blob(sha256=hashlib.sha256(made).hexdigest(), size=len(made), media_type="application/pdf", data=made)
        )
        session.flush()
        session.add(
            DocumentRendition(
                source_sha256=document.sha256,
                format="pdf",
                sha256=hashlib.sha256(made).hexdigest(),
                converter="LibreOffice",
                converter_version="test",
            )
        )
    pdf = api.request("GET", f"/ui/me/documents/{document.id}/pdf", headers=_cookie(other))
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content) == (200, "application/pdf", made)
    assert _deliveries(db, member(db, SCHOOL, "E00006").person_id) == [("docx", None), ("pdf", None)]
    answer = api.data(ACK, {"id": str(document.id), "sha": document.sha256}, token=bearer)["acknowledge"]
    assert answer["shownVia"] == "docx"


def test_an_intranet_that_displays_the_document_says_so(api: Api, token: TokenFactory, db: Database) -> None:
    document = current(db, SCHOOL)
    bearer = token("member", SCHOOL, "E00007")
    person = member(db, SCHOOL, "E00007").person_id
    given = {"id": str(document.id), "sha": document.sha256, "by": "ENT IMT Atlantique"}

    def refused(at: str | None, by: str | None = "ENT IMT Atlantique") -> dict[str, object]:
        (error,) = api.graphql(ACK, {**given, "by": by, "at": at}, token=bearer).json()["errors"]
        return error

    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert "in the future" in refused(future)["message"]
    early = (document.published_at - timedelta(days=1)).isoformat()
    assert "before version" in refused(early)["message"]
    assert "go together" in refused(None)["message"]
    assert "go together" in refused(datetime.now(UTC).isoformat(), by="  ")["message"]
    assert "time zone" in refused(datetime.now(UTC).replace(tzinfo=None).isoformat())["message"]
    wrong = api.graphql(ACK, {**given, "sha": "0" * 64, "at": datetime.now(UTC).isoformat()}, token=bearer).json()
    assert wrong["errors"][0]["extensions"]["code"] == "CONFLICT"  # not the version in force
    assert _deliveries(db, person) == []  # nothing recorded by the refusals
    shown = max(datetime.now(UTC) - timedelta(seconds=5), document.published_at)
    receipt = api.data(ACK, {**given, "at": shown.isoformat()}, token=bearer)["acknowledge"]
    assert receipt["shownVia"] == "intranet"
    assert datetime.fromisoformat(receipt["shownAt"]) == shown
    assert _deliveries(db, person) == [("intranet", "ENT IMT Atlantique")]


def test_paper_visas_and_carried_forward_records_need_no_delivery(db: Database) -> None:
    document = current(db, SCHOOL)
    receipt = record_paper_acknowledgement(
        db=db,
        actor=admin(db, SCHOOL),
        school=SCHOOL,
        person_external_id="E00008",
        document_version_id=document.id,
        reason="Visa signé sur papier à l'accueil",
    )
    data = receipt.to_json()
    assert (data["shown_at"], data["shown_via"]) == (None, None)
    from govkit.acknowledgements.receipts import shown_text

    assert shown_text(data).startswith("visa sur papier")


def test_a_delivery_is_append_only(db: Database) -> None:
    student = member(db, SCHOOL, "E00009")
    assert deliveries.record_delivery(db=db, actor=student, document_version_id=current(db, SCHOOL).id, channel="page")
    for statement in ("UPDATE document_delivery SET channel = 'pdf'", "DELETE FROM document_delivery"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as session:
            session.execute(sa.text(statement))
