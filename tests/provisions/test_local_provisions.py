"""Local provisions through the API: a school's administration proposes, legal staff approve or send
back, and only that school's next variant prints the approved text (read back from the .docx)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.db import Database
from govkit.documents.inspect import body_paragraphs, read_clauses
from govkit.documents.models import Blob
from govkit.documents.provision_models import LocalProvisionRevision
from tests.conftest import Api, TokenFactory

SCHOOL, OTHER = "imt-atlantique", "telecom-paris"
PROPOSE = """mutation($school: String!, $kind: String!, $place: String!, $fr: String!, $en: String!) {
  proposeLocalProvision(school: $school, kind: $kind, place: $place, textFr: $fr, textEn: $en) {
    id number decision proposedBy proposedAt
  }
}"""
APPROVE = "mutation($id: ID!) { approveLocalProvision(revisionId: $id) { id decision decidedBy decidedAt } }"
SEND_BACK = """mutation($id: ID!, $comment: String!) {
  sendBackLocalProvision(revisionId: $id, comment: $comment) { id decision decidedBy comment }
}"""
PROVISIONS = """query($school: String!, $kind: String) {
  localProvisions(school: $school, kind: $kind) {
    school kind status place { key titleFr titleEn }
    approved { number textFr } pending { number } revisions { number decision decidedBy comment proposedBy }
  }
}"""
PENDING = "{ pendingProvisions { school kind place { key } pending { id number textFr } } }"
PLACES = "query($kind: String) { provisionPlaces(kind: $kind) { kind key titleFr titleEn } }"
RENDER = """mutation($kind: String!, $lang: String!, $schools: [String!]) {
  renderVariants(kind: $kind, language: $lang, schools: $schools) {
    variants { id school sha256 } failures { school message }
  }
}"""
TEXT_FR = "Le campus de Brest est accessible de 7 h à 22 h.\nLes badges sont délivrés par l'accueil."
TEXT_EN = "The Brest campus is open from 7 am to 10 pm.\nBadges are issued by the front desk."


def propose(api: Api, token: str, fr: str = TEXT_FR, en: str = TEXT_EN, school: str = SCHOOL) -> dict:
    variables = {"school": school, "kind": "internal", "place": "campus_access", "fr": fr, "en": en}
    return api.graphql(PROPOSE, variables, token=token).json()


def variant_paragraphs(api: Api, db: Database, token: str, language: str = "fr") -> dict[str, list[str]]:
    """Each school's rendered variant of the internal regulation, as its body paragraphs."""
    result = api.data(RENDER, {"kind": "internal", "lang": language, "schools": [SCHOOL, OTHER]}, token=token)
    assert not result["renderVariants"]["failures"]
    found = {}
    with db.reading() as session:
        for variant in result["renderVariants"]["variants"]:
            blob = session.get(Blob, variant["sha256"])
            assert blob is not None
            found[variant["school"]] = [text for _key, _style, text in body_paragraphs(blob.data)]
    return found


def test_propose_approve_and_only_that_school_prints_it(api: Api, db: Database, token: TokenFactory) -> None:
    admin, legal = token("school_admin", SCHOOL), token("legal")
    before = variant_paragraphs(api, db, legal)
    proposed = propose(api, admin)
    assert "errors" not in proposed, proposed
    revision = proposed["data"]["proposeLocalProvision"]
    assert revision["number"] == 1 and revision["decision"] is None
    assert revision["proposedBy"].endswith("(school_admin)")
    # proposed, not approved: nothing changes in the variants
    assert variant_paragraphs(api, db, legal) == before
    pending = api.data(PENDING, token=legal)["pendingProvisions"]
    assert [(p["school"], p["place"]["key"]) for p in pending] == [(SCHOOL, "campus_access")]
    approved = api.data(APPROVE, {"id": revision["id"]}, token=legal)["approveLocalProvision"]
    assert approved["decision"] == "approved" and approved["decidedBy"].endswith("(legal)")
    assert approved["decidedAt"]
    after = variant_paragraphs(api, db, legal)
    lines = TEXT_FR.split("\n")
    mine = after[SCHOOL]
    assert lines[0] in mine and lines[1] in mine
    assert mine.index(lines[1]) == mine.index(lines[0]) + 1  # two paragraphs, in order
    assert not any("7 h à 22 h" in p for p in after[OTHER])
    assert after[OTHER] == before[OTHER]
    english = variant_paragraphs(api, db, legal, "en")
    assert TEXT_EN.split("\n", maxsplit=1)[0] in english[SCHOOL]
    assert not any("7 am" in p for p in english[OTHER])
    # the provision is outside every clause: the clauses read the same as before
    rendered = api.data(RENDER, {"kind": "internal", "lang": "fr", "schools": [SCHOOL]}, token=legal)
    with db.reading() as session:
        blob = session.get(Blob, rendered["renderVariants"]["variants"][0]["sha256"])
        assert blob is not None
        assert not any("7 h à 22 h" in c.text for c in read_clauses(blob.data))
    state = api.data(PROVISIONS, {"school": SCHOOL, "kind": "internal"}, token=admin)["localProvisions"]
    campus = next(s for s in state if s["place"]["key"] == "campus_access")
    assert campus["status"] == "approved" and campus["approved"]["number"] == 1
    assert {s["place"]["key"] for s in state} == {"campus_access", "local_bodies"}
    with db.reading() as session:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).like("mutation.%LocalProvision"))
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, e.role, e.target["place"], e.outcome) for e in events] == [
        ("mutation.proposeLocalProvision", "school_admin", "campus_access", "ok"),
        ("mutation.approveLocalProvision", "legal", "campus_access", "ok"),
    ]
    assert events[1].target["decision"] == "approved" and events[0].organisation == SCHOOL


def test_send_back_revise_and_propose_again(api: Api, db: Database, token: TokenFactory) -> None:
    admin, legal = token("school_admin", SCHOOL), token("legal")
    first = propose(api, admin)["data"]["proposeLocalProvision"]
    again = propose(api, admin)
    assert "awaits legal staff's review" in again["errors"][0]["message"]
    refused = api.graphql(SEND_BACK, {"id": first["id"], "comment": "ok"}, token=legal).json()
    assert "Say why" in refused["errors"][0]["message"]
    sent = api.data(SEND_BACK, {"id": first["id"], "comment": "Précisez les horaires du week-end."}, token=legal)
    assert sent["sendBackLocalProvision"]["decision"] == "sent_back"
    twice = api.graphql(APPROVE, {"id": first["id"]}, token=legal).json()
    assert "already decided" in twice["errors"][0]["message"]
    revised = propose(api, admin, fr=TEXT_FR + "\nLe samedi, de 8 h à 18 h.", en=TEXT_EN + "\nSaturdays, 8 am to 6 pm.")
    second = revised["data"]["proposeLocalProvision"]
    assert second["number"] == 2
    state = api.data(PROVISIONS, {"school": SCHOOL, "kind": "internal"}, token=admin)["localProvisions"]
    campus = next(s for s in state if s["place"]["key"] == "campus_access")
    assert campus["status"] == "proposed" and campus["approved"] is None and campus["pending"]["number"] == 2
    assert [(r["number"], r["decision"]) for r in campus["revisions"]] == [(2, None), (1, "sent_back")]
    assert campus["revisions"][1]["comment"] == "Précisez les horaires du week-end."
    # still nothing printed until it is approved
    assert not any("samedi" in p for p in variant_paragraphs(api, db, legal)[SCHOOL])
    api.data(APPROVE, {"id": second["id"]}, token=legal)
    assert "Le samedi, de 8 h à 18 h." in variant_paragraphs(api, db, legal)[SCHOOL]


def test_who_may_do_what(api: Api, db: Database, token: TokenFactory) -> None:
    admin, legal = token("school_admin", SCHOOL), token("legal")
    other_admin = token("school_admin", OTHER)
    member = token("member", SCHOOL, "E00001")
    # another school's administration may neither propose for it nor read its provisions
    other = propose(api, other_admin)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (
        api.graphql(PROVISIONS, {"school": SCHOOL}, token=other_admin).json()["errors"][0]["extensions"]["code"]
        == "FORBIDDEN"
    )
    # a member, legal staff (who review, not propose), and an anonymous caller
    assert propose(api, member)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert propose(api, legal)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = api.graphql(
        PROPOSE, {"school": SCHOOL, "kind": "internal", "place": "campus_access", "fr": "a", "en": "b"}
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert api.graphql(PENDING).json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # an unknown school is refused to a scoped caller as another school's would be
    assert propose(api, admin, school="nowhere")["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    revision = propose(api, admin)["data"]["proposeLocalProvision"]
    for caller in (admin, other_admin, member):
        refused = api.graphql(APPROVE, {"id": revision["id"]}, token=caller).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        refused = api.graphql(SEND_BACK, {"id": revision["id"], "comment": "Non merci."}, token=caller).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert api.graphql(APPROVE, {"id": revision["id"]}).json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert api.graphql(PENDING, token=admin).json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    missing = api.graphql(APPROVE, {"id": "999999"}, token=legal).json()
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    with db.reading() as session:
        stored = session.get(LocalProvisionRevision, int(revision["id"]))
        assert stored is not None and stored.decision is None  # every refusal left it as it was


def test_unknown_kind_and_place(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", SCHOOL)
    variables = {"school": SCHOOL, "kind": "internal", "place": "cellar", "fr": "a", "en": "b"}
    body = api.graphql(PROPOSE, variables, token=admin).json()
    assert "has no provision place 'cellar'" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    places = api.data(PLACES, {"kind": "housing"})["provisionPlaces"]  # public, like the kinds
    assert [p["key"] for p in places] == ["residence_specifics"]
    every = api.data(PLACES)["provisionPlaces"]
    assert {p["kind"] for p in every} >= {"internal", "study", "housing", "equality_annex"}


HOSTILE = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "Texte {% for x in range(10**9) %}x{% endfor %}",
    "{%p if true %}",
    "{# commentaire #}",
    "Avant {_{ school.code }_} après",
    "::: clause vss.prohibition",
    ":::",
    "Caractère de contrôle \x07 ici",
    "NUL \x00 ici",
    "Non-caractère \ufffe ici",
    "",
    "ligne\n" * 30,
    "x" * 7000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_refused_and_nothing_is_stored(api: Api, db: Database, token: TokenFactory, text: str) -> None:
    admin = token("school_admin", SCHOOL)
    for fr, en in ((text, TEXT_EN), (TEXT_FR, text)):
        body = propose(api, admin, fr=fr, en=en)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    with db.reading() as session:
        assert session.exec(select(LocalProvisionRevision)).all() == []


def test_markup_like_text_prints_as_written(api: Api, db: Database, token: TokenFactory) -> None:
    """Text that is not template syntax but XML or Word markup prints as plain text, escaped."""
    admin, legal = token("school_admin", SCHOOL), token("legal")
    odd = [
        "<w:p><w:r><w:t>injecté</w:t></w:r></w:p> & \"guillemets\" 'apostrophes' <script>alert(1)</script>",
        "]]> <!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]> &e; { single } % braces",
        'INCLUDETEXT "file:///etc/passwd" — **pas du gras** — \t tabulation',
    ]
    revision = propose(api, admin, fr="\n".join(odd), en="\n".join(odd))["data"]["proposeLocalProvision"]
    api.data(APPROVE, {"id": revision["id"]}, token=legal)
    printed = variant_paragraphs(api, db, legal)[SCHOOL]
    for line in odd:
        assert " ".join(line.split()) in printed
