"""The root publication flow through GraphQL (the ASGI app), on both databases, jobs in the app's
process: a legal officer publishes a substantive root version, a second officer approves it, the
review shows the eight demo schools ready with their diffs, one mutation puts them in force from a
date, and every concerned person of the eight schools is in a new campaign. Then each refusal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from govkit.days import utc_today
from govkit.db import Database
from govkit.notifications.models import NoticeMessage
from govkit.settings import Settings
from tests.conftest import Api, TokenFactory
from tests.flows.review_helpers import (
    AGAIN,
    APPROVE,
    CAMPAIGNS,
    DIFFS,
    NEEDS_LISTENING_CELL,
    PENDING,
    PUBLISH,
    PUT_IN_FORCE,
    REFUSE,
    REVIEW,
    SCHOOLS,
    break_profile,
    errors_of,
    four_eyes_settings,
    new_version,
    officer,
    restore_profile,
    school_administrator,
)
from tests.web.plan_helpers import cookie

DAY = utc_today().isoformat()


@pytest.fixture
def settings() -> Settings:
    return four_eyes_settings()


def drain(api: Api) -> None:
    api.app.state.wiring.jobs.drain(timeout=300)


def internal_campaigns(api: Api, token: str, school: str) -> list[dict]:
    return [c for c in api.data(CAMPAIGNS, {"school": school}, token=token)["campaigns"] if c["kind"] == "internal"]


def test_publish_approve_review_and_put_in_force(api: Api, db: Database, settings: Settings) -> None:
    alice, bob = officer(db, settings, "Alice Juriste"), officer(db, settings, "Bob Juriste")
    version_id, clause = new_version(api, db, alice)
    asked = api.data(PUBLISH, {"id": version_id, "kind": "substantive", "log": "Clause réécrite."}, token=alice)
    published = asked["publishRootVersion"]
    assert published["status"] == "pending_approval" and published["review"] is None
    approval = published["approval"]
    assert approval["status"] == "pending" and "internal (fr)" in approval["summary"]
    assert [a["id"] for a in api.data(PENDING, token=bob)["pendingApprovals"]] == [approval["id"]]

    approved = api.data(APPROVE, {"id": approval["id"]}, token=bob)["approve"]
    assert approved["status"] == "approved" and approved["decidedBy"] != approval["requestedBy"]
    review_id = approved["outcome"]["review_id"]
    drain(api)

    review = api.data(REVIEW, {"id": review_id}, token=bob)["publicationReview"]
    assert review["progress"] == {
        "total": SCHOOLS,
        "rendered": SCHOOLS,
        "ready": SCHOOLS,
        "inForce": 0,
        "failed": 0,
        "pending": 0,
    }
    assert review["publishedBy"] == approval["requestedBy"] == review["openedBy"]
    assert review["approval"]["decidedBy"] == approved["decidedBy"] and review["approval"]["decidedAt"]
    diffs = api.data(DIFFS, {"id": review_id}, token=bob)["publicationReview"]["schools"]
    assert len(diffs) == SCHOOLS
    for school in diffs:
        changed = [d for d in school["diffs"]["againstInForce"] if d["status"] != "unchanged"]
        assert [d["key"] for d in changed] == [clause], school["school"]
        assert "vérifiée par le service juridique" in changed[0]["diff"]

    before = {s["school"]: internal_campaigns(api, bob, s["school"]) for s in review["schools"]}
    done = api.data(PUT_IN_FORCE, {"id": review_id, "day": DAY}, token=bob)["putReviewInForce"]
    assert done["progress"]["inForce"] == SCHOOLS and done["progress"]["ready"] == 0
    assert {s["effectiveFrom"] for s in done["schools"]} == {DAY}
    for school in done["schools"]:
        campaigns = internal_campaigns(api, bob, school["school"])
        old = max(before[school["school"]], key=lambda c: c["document"]["version"])
        new = max(campaigns, key=lambda c: c["document"]["version"])
        assert new["document"]["version"] == old["document"]["version"] + 1
        assert new["changeKind"] == "substantive" and new["id"] != old["id"]
        assert new["concerned"] == old["concerned"] > 0 and new["acknowledged"] == 0, school["school"]

    again = errors_of(api, PUT_IN_FORCE, {"id": review_id, "day": DAY}, bob)  # double put in force
    assert again[0]["extensions"]["code"] == "CONFLICT" and "already" in again[0]["message"]
    one = errors_of(api, PUT_IN_FORCE, {"id": review_id, "day": DAY, "schools": ["imt-bs"]}, bob)
    assert one[0]["extensions"]["code"] == "CONFLICT"


def test_refusals(api: Api, db: Database, settings: Settings, token: TokenFactory) -> None:
    alice, bob = officer(db, settings, "Alice Juriste"), officer(db, settings, "Bob Juriste")
    version_id, _clause = new_version(api, db, alice)
    approval = api.data(PUBLISH, {"id": version_id, "kind": "substantive", "log": "Essai."}, token=alice)[
        "publishRootVersion"
    ]["approval"]
    same = errors_of(api, APPROVE, {"id": approval["id"]}, alice)  # the requester approving
    assert same[0]["extensions"]["code"] == "FORBIDDEN" and "second legal officer" in same[0]["message"]
    admin = token("school_admin", "imt-bs")
    for who in (admin, token("auditor")):  # wrong role
        assert errors_of(api, APPROVE, {"id": approval["id"]}, who)[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors_of(api, APPROVE, {"id": "987654"}, bob)[0]["extensions"]["code"] == "NOT_FOUND"
    assert errors_of(api, REVIEW, {"id": "987654"}, bob)[0]["extensions"]["code"] == "NOT_FOUND"
    unknown_review = errors_of(api, PUT_IN_FORCE, {"id": "987654", "day": DAY}, bob)
    assert unknown_review[0]["extensions"]["code"] == "NOT_FOUND"
    twice = errors_of(api, PUBLISH, {"id": version_id, "kind": "substantive", "log": "Encore."}, alice)
    assert twice[0]["extensions"]["code"] == "CONFLICT"  # one pending request per version
    # the old mutation does not bypass four eyes
    old = """mutation($id: ID!) { publishRootTemplateVersion(versionId: $id, changeKind: "substantive",
      changelog: "Sans second avis.") { id } }"""
    assert errors_of(api, old, {"id": version_id}, alice)[0]["extensions"]["code"] == "CONFLICT"

    refused = api.data(REFUSE, {"id": approval["id"], "comment": "Clause 4 à revoir."}, token=bob)["refuseApproval"]
    assert refused["status"] == "refused" and refused["comment"] == "Clause 4 à revoir."
    assert errors_of(api, APPROVE, {"id": approval["id"]}, bob)[0]["extensions"]["code"] == "CONFLICT"


def test_a_failed_school_cannot_be_put_in_force(api: Api, db: Database, settings: Settings) -> None:
    """Editorial (no approval needed); one school's profile lacks a value its variant uses: its
    administration is told by e-mail."""
    alice = officer(db, settings, "Alice Juriste")
    version_id, _clause = new_version(api, db, alice, NEEDS_LISTENING_CELL)
    missing, had = break_profile(db, "imt-bs")
    school_administrator(db, "imt-bs", "direction@imt-bs.example")
    published = api.data(PUBLISH, {"id": version_id, "kind": "editorial", "log": "Coquille."}, token=alice)[
        "publishRootVersion"
    ]
    assert published["status"] == "published" and published["approval"] is None
    review_id = published["review"]["id"]
    drain(api)
    review = api.data(REVIEW, {"id": review_id}, token=alice)["publicationReview"]
    failing = {s["school"] for s in review["schools"] if s["status"] == "failed"}
    assert "imt-bs" in failing and len(failing) < SCHOOLS  # (a demo school may have no listening cell either)
    assert review["progress"]["failed"] == len(failing) and review["progress"]["ready"] == SCHOOLS - len(failing)
    failed = next(s for s in review["schools"] if s["school"] == "imt-bs")
    assert failed["status"] == "failed" and missing in " ".join(failed["missing"]) + failed["message"]
    refused = errors_of(api, PUT_IN_FORCE, {"id": review_id, "day": DAY, "schools": ["imt-bs"]}, alice)
    assert refused[0]["extensions"]["code"] == "CONFLICT" and "imt-bs" in refused[0]["message"]
    unknown = errors_of(api, PUT_IN_FORCE, {"id": review_id, "day": DAY, "schools": ["nowhere"]}, alice)
    assert unknown[0]["extensions"]["code"] == "NOT_FOUND"
    restore_profile(db, "imt-bs", had)  # the school completes its profile: its document is rendered again
    again = api.data(AGAIN, {"id": review_id}, token=alice)["renderReviewAgain"]
    assert again["progress"]["pending"] == len(failing)
    drain(api)
    review = api.data(REVIEW, {"id": review_id}, token=alice)["publicationReview"]
    assert next(s for s in review["schools"] if s["school"] == "imt-bs")["status"] == "ready"
    failing.discard("imt-bs")
    assert review["progress"]["failed"] == len(failing)
    ready = sorted({s["school"] for s in review["schools"]} - failing - {"imt-bs"})
    chosen = api.data(PUT_IN_FORCE, {"id": review_id, "day": DAY, "schools": [ready[0]]}, token=alice)
    assert chosen["putReviewInForce"]["progress"]["inForce"] == 1
    rest = api.data(PUT_IN_FORCE, {"id": review_id, "day": DAY}, token=alice)["putReviewInForce"]["progress"]
    assert (rest["inForce"], rest["failed"], rest["ready"]) == (SCHOOLS - len(failing), len(failing), 0)
    if not failing:
        nothing = errors_of(api, AGAIN, {"id": review_id}, alice)
        assert nothing[0]["extensions"]["code"] == "CONFLICT"
    with db.reading() as session:
        mine = session.exec(select(NoticeMessage).where(NoticeMessage.recipient == "direction@imt-bs.example")).all()
    told = [{"subject": n.subject, "body": n.body} for n in mine if n.template.startswith("render_failed")]
    assert len(told) == 1 and "n'a pas pu être préparée" in told[0]["subject"], told  # once per review and school
    assert missing in told[0]["body"] and f"/ui/reviews/{review_id}" in told[0]["body"]


def test_a_later_version_supersedes_the_open_review(api: Api, db: Database, settings: Settings) -> None:
    """Two versions of the same root template published one after the other: the first review can no
    longer be put in force (it would bring back the older text), nor rendered again; its page says
    which review replaced it, and that one is put in force."""
    alice = officer(db, settings, "Alice Juriste")
    first_id, _clause = new_version(api, db, alice, "Première rédaction de la clause.")
    first = api.data(PUBLISH, {"id": first_id, "kind": "editorial", "log": "Coquille."}, token=alice)
    first_review = first["publishRootVersion"]["review"]["id"]
    second_id, _clause = new_version(api, db, alice, "Seconde rédaction de la clause.")
    second = api.data(PUBLISH, {"id": second_id, "kind": "editorial", "log": "Autre coquille."}, token=alice)
    second_review = second["publishRootVersion"]["review"]["id"]
    drain(api)

    superseded = "query($id: ID!) { publicationReview(id: $id) { supersededBy progress { ready } } }"
    old = api.data(superseded, {"id": first_review}, token=alice)["publicationReview"]
    assert old["supersededBy"] == second_review and old["progress"]["ready"] == SCHOOLS
    assert api.data(superseded, {"id": second_review}, token=alice)["publicationReview"]["supersededBy"] is None
    for operation, variables in (
        (PUT_IN_FORCE, {"id": first_review, "day": DAY}),
        (PUT_IN_FORCE, {"id": first_review, "day": DAY, "schools": ["imt-bs"]}),
        (AGAIN, {"id": first_review}),
    ):
        refused = errors_of(api, operation, variables, alice)
        assert refused[0]["extensions"]["code"] == "CONFLICT" and "superseded" in refused[0]["message"], refused
    page = api.request("GET", f"/ui/reviews/{first_review}", headers=cookie(alice))
    assert f'href="/ui/reviews/{second_review}"' in page.text and 'id="put-in-force"' not in page.text
    done = api.data(PUT_IN_FORCE, {"id": second_review, "day": DAY}, token=alice)["putReviewInForce"]
    assert done["progress"]["inForce"] == SCHOOLS
