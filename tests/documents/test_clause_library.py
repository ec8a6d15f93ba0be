"""The clause library in the database, on both databases: seeded from the YAML files by migration
0020; legal staff add and rename clauses (audited, with their history); a required clause added
from a day applies from that day (rules as of days before do not ask for it; uploads are validated
against the library valid at upload); with four eyes, a second legal officer approves the change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import SYSTEM, Principal, Role
from govkit.approvals import service as approvals
from govkit.days import utc_today
from govkit.db import Database
from govkit.documents import clause_service as library
from govkit.documents import required_clauses
from govkit.documents import service as documents
from govkit.documents.build import build_docx
from govkit.documents.clause_library import load_library, seed_library
from govkit.documents.kinds import catalogue
from govkit.documents.source import parse_source
from govkit.documents.workers import WorkerPool
from govkit.errors import Conflict, Forbidden, InvalidInput, NotFound
from govkit.rules import service as rules
from govkit.rules.engine import Finding, evaluate
from govkit.rules.loader import load_rules
from govkit.rules.queries import load_facts
from govkit.timeline import AsOf
from tests.conftest import Api, TokenFactory, make_settings
from tests.docx_factory import minimal_source

OTHER_OFFICER = Principal(role=Role.LEGAL, subject="second-officer", auth_method="system")
NEW = "vss.cyber_harassment"
REASON = "Loi du 2 mars 2026 sur le cyberharcèlement"
SCHOOLS = {
    "imt-atlantique",
    "imt-bs",
    "imt-lille-douai",
    "imt-mines-albi",
    "imt-mines-ales",
    "mines-saint-etienne",
    "telecom-paris",
    "telecom-sudparis",
}


def _add_new_clause(db: Database, actor: Principal = SYSTEM) -> None:
    library.add_clause(
        db=db, actor=actor, key=NEW, title_fr="Cyberharcèlement", title_en="Cyber-harassment", reason=REASON
    )


def _require(db: Database, day: date, clause: str = NEW, action: str = "add", kind: str = "internal") -> Any:
    return required_clauses.change_required_clause(
        db=db,
        actor=SYSTEM,
        kind=kind,
        clause=clause,
        action=action,
        effective_on=day,
        reason=REASON,
        four_eyes=False,
    )


def test_the_migration_seeds_the_library_from_the_yaml_files(db: Database) -> None:
    with db.reading() as session:
        stored = load_library(session.connection())
    seed = seed_library()
    assert stored.stored and not seed.stored
    assert stored.titles == seed.titles
    assert stored.required_on(date(2021, 1, 1)) == seed.required_on(date(2021, 1, 1))
    assert stored.required_on(utc_today()) == {k: s.required_clauses for k, s in catalogue().kinds.items()}
    view = library.clause_library(db=db, actor=SYSTEM)
    assert [c.key for c in view.clauses] == list(catalogue().clauses)
    first = view.clauses[0]
    assert first.created_by == "migration" and [r.recorded_by for r in first.revisions] == ["migration"]
    internal = next(k for k in view.kinds if k.kind == "internal")
    assert {p.recorded_by for p in internal.periods} == {"migration"}
    assert all(p.valid_from is None and p.valid_to is None for p in internal.periods)


def test_legal_staff_add_and_rename_a_clause_with_its_history_and_audit(db: Database) -> None:
    _add_new_clause(db)
    library.rename_clause(
        db=db, actor=OTHER_OFFICER, key=NEW, title_fr="Cyberviolences", title_en="Online violence", reason=REASON
    )
    view = library.clause_library(db=db, actor=SYSTEM)
    entry = next(c for c in view.clauses if c.key == NEW)
    assert (entry.title_fr, entry.title_en, entry.required_by) == ("Cyberviolences", "Online violence", ())
    assert [(r.title_fr, r.recorded_by) for r in entry.revisions] == [
        ("Cyberharcèlement", "system (legal)"),
        ("Cyberviolences", "second-officer (legal)"),
    ]
    with db.reading() as session:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["clauses.add", "clauses.rename"]))
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, e.target) for e in events] == [
        ("clauses.add", {"clause": NEW}),
        ("clauses.rename", {"clause": NEW}),
    ]
    assert "Cyberharcèlement / Cyber-harassment -> Cyberviolences / Online violence" in (events[1].detail or "")


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"key": "Not A Key"}, InvalidInput, "not valid"),
        ({"key": "vss.reporting"}, Conflict, "already"),
        ({"title_fr": "  "}, InvalidInput, "French title"),
        ({"reason": "short"}, InvalidInput, "reason"),
    ],
)
def test_a_bad_clause_is_refused_and_nothing_is_written(
    db: Database, arguments: dict[str, str], error: type[Exception], words: str
) -> None:
    given = {"key": NEW, "title_fr": "Titre", "title_en": "Title", "reason": REASON, **arguments}
    with pytest.raises(error, match=words):
        library.add_clause(db=db, actor=SYSTEM, **given)
    assert NEW not in library.clause_library(db=db, actor=SYSTEM).clauses


def test_only_legal_staff_change_the_library(db: Database) -> None:
    admin = Principal(role=Role.SCHOOL_ADMIN, subject="admin", organisation_code="imt-bs", organisation_id=1)
    auditor = Principal(role=Role.AUDITOR, subject="auditor")
    for actor in (admin, auditor):
        with pytest.raises(Forbidden):
            _add_new_clause(db, actor)
        with pytest.raises(Forbidden):
            required_clauses.change_required_clause(
                db=db,
                actor=actor,
                kind="internal",
                clause="vss.online",
                action="add",
                effective_on=utc_today(),
                reason=REASON,
                four_eyes=False,
            )
        assert library.clause_library(db=db, actor=actor).stored  # they read it
    with pytest.raises(NotFound):
        library.rename_clause(db=db, actor=SYSTEM, key="no.such", title_fr="a", title_en="b", reason=REASON)


def test_a_required_clause_applies_from_its_day_and_its_removal_until_then(db: Database) -> None:
    _add_new_clause(db)
    start, end = date(2026, 3, 1), date(2026, 9, 1)
    added = _require(db, start).period
    assert added is not None and (added.valid_from, added.valid_to, added.recorded_by) == (
        start,
        None,
        "system (legal)",
    )
    _require(db, end, action="remove")
    with db.reading() as session:
        now = load_library(session.connection())
    assert NEW not in now.required_on(start - timedelta(days=1))["internal"]
    assert NEW in now.required_on(start)["internal"] and NEW in now.required_on(end - timedelta(days=1))["internal"]
    assert NEW not in now.required_on(end)["internal"]
    with pytest.raises(Conflict, match="until 2026-09-01"):
        _require(db, date(2026, 5, 1))  # would overlap the period closed
    with pytest.raises(Conflict, match="not required"):
        _require(db, date(2026, 10, 1), action="remove")
    with pytest.raises(Conflict, match="already"):
        _require(db, date(2026, 10, 1), clause="vss.reporting")
    with pytest.raises(InvalidInput, match="Unknown document kind"):
        _require(db, start, kind="nothing")
    with pytest.raises(InvalidInput, match="out of range"):
        _require(db, date(2010, 1, 1), clause="vss.online")


def test_as_known_before_a_change_the_library_is_as_it_was(db: Database) -> None:
    _add_new_clause(db)
    with db.reading() as session:
        before_moment = session.exec(select(AuditEvent.at).order_by(col(AuditEvent.id).desc())).first()
    assert before_moment is not None
    _require(db, date(2025, 1, 1))
    with db.reading() as session:
        then = load_library(session.connection(), AsOf(date(2026, 1, 1), before_moment))
        now = load_library(session.connection(), AsOf(date(2026, 1, 1)))
    assert NEW not in then.required_on(date(2026, 1, 1))["internal"]
    assert NEW in now.required_on(date(2026, 1, 1))["internal"]


def _flagged(db: Database, day: date) -> dict[str, Finding]:
    """The schools whose internal regulation in force on ``day`` lacks NEW, by the pure engine on the
    facts as of that day (the service reads the library; the engine is given it)."""
    with db.reading() as session:
        facts = load_facts(session, day)
    rule = next(r for r in load_rules().rules if r.id == "documents.internal-common-base")
    return {f.organisation: f for f in evaluate([rule], facts) if f.key == f"internal/fr/{NEW}"}


def test_rules_as_of_a_day_before_the_addition_do_not_ask_for_the_clause(db: Database) -> None:
    """The demo's regulations are in force from today; NEW is required from tomorrow."""
    _add_new_clause(db)
    tomorrow = utc_today() + timedelta(days=1)
    _require(db, tomorrow)
    assert not _flagged(db, utc_today())
    run = rules.run_rules(db=db, actor=SYSTEM)  # today's run does not ask for it either
    assert not [f for f in run.findings if f.record.key == f"internal/fr/{NEW}"]
    flagged = _flagged(db, tomorrow)
    assert set(flagged) == SCHOOLS, "from its day, every school's regulation lacks it"
    finding = flagged["imt-bs"]
    assert "Cyberharcèlement" in finding.message_fr and "Cyber-harassment" in finding.message_en


def _docx_with(extra: str) -> bytes:
    source = minimal_source("internal", "fr") + f"::: clause {extra}\n## {extra}\nTexte.\n:::\n"
    return build_docx(parse_source(source), catalogue())


def _upload(db: Database, data: bytes) -> documents.UploadOutcome:
    pool = WorkerPool(processes=1, timeout=60, memory_mb=1024)  # the library crosses to a worker process
    try:
        return documents.upload_root_template_version(
            db=db,
            actor=SYSTEM,
            pool=pool,
            kind="internal",
            language="fr",
            filename="t.docx",
            data=data,
            max_bytes=10**7,
        )
    finally:
        pool.close()


def test_an_upload_is_validated_against_the_library_valid_at_upload(db: Database) -> None:
    unknown = _upload(db, _docx_with(NEW))
    assert unknown.version is None
    assert any(
        f"clause {NEW} is not in the clause library" in i.message and "add the clause to the library" in i.message
        for i in unknown.report.items
    )
    _add_new_clause(db)
    assert _upload(db, _docx_with(NEW)).version is not None  # known now
    _require(db, utc_today() + timedelta(days=30), clause="vss.online")
    planned = _upload(db, _docx_with("vss.victim_support"))
    assert planned.version is not None
    assert any("vss.online" in i.message and "will be required" in i.message for i in planned.report.items)
    _require(db, utc_today(), clause="vss.victim_support")
    lacking = _upload(db, _docx_with("vss.online"))
    assert lacking.version is None
    assert any("required clause vss.victim_support" in i.message for i in lacking.report.items)


# --- four eyes, through GraphQL ----------------------------------------------------------------

LIBRARY = """query($asOf: Date, $knownAt: DateTime) { clauseLibrary(asOf: $asOf, knownAt: $knownAt) {
  asOf stored clauses { key titleFr titleEn requiredBy history { titleFr reason recordedBy } }
  kinds { kind requiredClauses planned { clause requiredFrom }
    history { clause requiredFrom until reason recordedBy approvedBy endedBy endApprovedBy } }
  changes { id status summary requestedBy decidedBy } } }"""
ADD_CLAUSE = """mutation($key: String!, $fr: String!, $en: String!, $reason: String!) {
  addClause(key: $key, titleFr: $fr, titleEn: $en, reason: $reason) { key titleFr history { recordedBy } } }"""
REQUIRE = """mutation($kind: String!, $clause: String!, $from: Date!, $reason: String!) {
  addRequiredClause(kind: $kind, clause: $clause, from: $from, reason: $reason) {
    applied { clause requiredFrom recordedBy } approval { id status requestedBy } } }"""
REMOVE = """mutation($kind: String!, $clause: String!, $from: Date!, $reason: String!) {
  removeRequiredClause(kind: $kind, clause: $clause, from: $from, reason: $reason) {
    applied { clause until endedBy } approval { id status } } }"""
APPROVE = """mutation($id: ID!) { approve(approvalId: $id) { status decidedBy outcome } }"""


def test_with_four_eyes_a_second_legal_officer_approves_the_change(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(four_eyes=True))
    first, second = token("legal"), token("legal")
    added = api.data(
        ADD_CLAUSE, {"key": NEW, "fr": "Cyberharcèlement", "en": "Cyber-harassment", "reason": REASON}, token=first
    )["addClause"]
    assert added["key"] == NEW and len(added["history"]) == 1
    day = utc_today() + timedelta(days=10)
    asked = api.data(
        REQUIRE, {"kind": "internal", "clause": NEW, "from": day.isoformat(), "reason": REASON}, token=first
    )["addRequiredClause"]
    assert asked["applied"] is None and asked["approval"]["status"] == "pending"
    kinds = api.data(LIBRARY, {"asOf": day.isoformat()}, token=first)["clauseLibrary"]["kinds"]
    assert NEW not in next(k for k in kinds if k["kind"] == "internal")["requiredClauses"]  # not yet approved
    again = api.graphql(
        REQUIRE, {"kind": "internal", "clause": NEW, "from": day.isoformat(), "reason": REASON}, token=second
    ).json()
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"  # one request at a time
    own = api.graphql(APPROVE, {"id": asked["approval"]["id"]}, token=first).json()
    assert own["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    done = api.data(APPROVE, {"id": asked["approval"]["id"]}, token=second)["approve"]
    assert done["status"] == "approved" and done["outcome"]["required_clause"]
    read = api.data(LIBRARY, {"asOf": day.isoformat()}, token=token("auditor"))["clauseLibrary"]
    internal = next(k for k in read["kinds"] if k["kind"] == "internal")
    assert NEW in internal["requiredClauses"]
    period = next(p for p in internal["history"] if p["clause"] == NEW)
    assert period["requiredFrom"] == day.isoformat() and period["reason"] == REASON
    assert period["recordedBy"] != period["approvedBy"] and period["approvedBy"].endswith("(legal)")
    before = api.data(LIBRARY, {"asOf": (day - timedelta(days=1)).isoformat()}, token=first)["clauseLibrary"]
    internal_before = next(k for k in before["kinds"] if k["kind"] == "internal")
    assert NEW not in internal_before["requiredClauses"]
    assert internal_before["planned"] == [{"clause": NEW, "requiredFrom": day.isoformat()}]
    assert read["changes"][0]["status"] == "approved"


def test_without_four_eyes_the_change_is_made_at_once_and_bad_input_is_said(db: Database, token: TokenFactory) -> None:
    api = Api(db, make_settings(four_eyes=False))
    legal = token("legal")
    removed = api.data(
        REMOVE, {"kind": "internal", "clause": "vss.sanctions", "from": "2026-01-01", "reason": REASON}, token=legal
    )["removeRequiredClause"]
    assert removed["approval"] is None and removed["applied"]["until"] == "2026-01-01"
    bad = api.graphql(
        REQUIRE, {"kind": "internal", "clause": "no.such", "from": "2026-01-01", "reason": REASON}, token=legal
    ).json()
    assert bad["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    refused = api.graphql(
        REQUIRE,
        {"kind": "internal", "clause": "vss.online", "from": "2026-01-01", "reason": REASON},
        token=token("school_admin", "imt-bs"),
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with db.reading() as session:
        audited = session.exec(
            select(AuditEvent).where(AuditEvent.action == "mutation.removeRequiredClause", AuditEvent.outcome == "ok")
        ).all()
    assert len(audited) == 1 and audited[0].target["clause"] == "vss.sanctions"


def test_a_request_refused_changes_nothing(db: Database) -> None:
    outcome = required_clauses.change_required_clause(
        db=db,
        actor=SYSTEM,
        kind="study",
        clause="vss.online",
        action="add",
        effective_on=date(2026, 1, 1),
        reason=REASON,
        four_eyes=True,
    )
    assert outcome.approval is not None and outcome.period is None
    approvals.refuse(db=db, actor=OTHER_OFFICER, approval_id=outcome.approval.id or 0, comment="Pas encore voté")
    view = library.clause_library(db=db, actor=SYSTEM, as_of=date(2026, 6, 1))
    assert "vss.online" not in next(k for k in view.kinds if k.kind == "study").required
    assert view.changes[0].status == "refused"
