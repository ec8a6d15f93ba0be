"""The evidence file on dates across a regulation's history: the version in force each day, the
person's receipt for it (or for the version it was carried forward from), the statements, the chain
proof recomputed independently, and one audit entry per export — on both databases."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from govkit.access.audit import AuditEvent
from govkit.access.roles import SYSTEM
from govkit.acknowledgements import chain
from govkit.acknowledgements.models import Acknowledgement, ChainHead
from govkit.days import utc_today
from govkit.db import Database
from govkit.errors import InvalidInput
from govkit.evidence.facts import EvidenceFile, KindEvidence, Standing
from govkit.evidence.service import AUDIT_ACTION, evidence_file
from tests.evidence.history import SCHOOL, V1_FROM, V2_FROM, V3_FROM, History, make_history, person_id


@pytest.fixture
def history(db: Database) -> History:
    return make_history(db)


def export(db: Database, external_id: str, day: date) -> EvidenceFile:
    return evidence_file(db=db, actor=SYSTEM, school=SCHOOL, person=external_id, day=day)


def internal(file: EvidenceFile) -> KindEvidence:
    return next(k for k in file.kinds if k.kind == "internal")


def test_each_period_names_its_version_and_the_receipt_for_it(db: Database, history: History) -> None:
    # v1's period: acknowledged on 2024-09-10
    early = internal(export(db, "P1", date(2024, 9, 5)))
    assert early.version is not None and early.version.id == history.v1.id
    assert (early.version.effective_from, early.version.effective_to) == (V1_FROM, V2_FROM)
    assert early.standing is Standing.ACKNOWLEDGED_AFTER
    assert early.acknowledgement is not None
    assert early.acknowledgement.verification_code == history.p1_v1.verification_code
    assert "after that date" in early.statement_en and "2024-09-10" in early.statement_en

    later = internal(export(db, "P1", date(2024, 10, 1)))
    assert later.version is not None and later.version.number == 1
    assert later.standing is Standing.ACKNOWLEDGED
    assert later.acknowledgement is not None
    assert later.acknowledgement.verification_code == history.p1_v1.verification_code
    assert later.acknowledgement.wording == history.p1_v1.wording
    assert later.acknowledgement.document_sha256 == history.v1.sha256 == later.version.sha256
    assert later.statement_en == (
        "Alice Martin had acknowledged version 1 of the \u201cInternal regulation\u201d, in force on 2024-10-01, "
        "on 2024-09-10 (electronically)."
    )
    assert later.statement_fr.startswith("Alice Martin avait pris connaissance de la version 1")
    assert "10/09/2024" in later.statement_fr

    # v2 (substantive) in force from 2025-01-15, acknowledged on the 20th: in between, not yet
    between = internal(export(db, "P1", date(2025, 1, 17)))
    assert between.version is not None and between.version.id == history.v2.id
    assert between.standing is Standing.ACKNOWLEDGED_AFTER
    assert between.acknowledgement is not None
    assert between.acknowledgement.verification_code == history.p1_v2.verification_code
    assert between.earlier is not None and between.earlier.verification_code == history.p1_v1.verification_code
    assert "latest acknowledgement of an earlier version was of version 1" in between.statement_en

    after = internal(export(db, "P1", date(2025, 2, 1)))
    assert after.version is not None and after.version.id == history.v2.id
    assert after.version.effective_to == V3_FROM
    assert after.standing is Standing.ACKNOWLEDGED
    assert after.acknowledgement is not None
    assert after.acknowledgement.verification_code == history.p1_v2.verification_code
    assert after.original is None and after.earlier is None


def test_before_any_version_no_version_was_in_force(db: Database, history: History) -> None:
    file = export(db, "P1", V1_FROM - timedelta(days=1))
    assert file.person.present and file.person.populations == ("student",)
    kinds = {k.kind: k for k in file.kinds}
    assert {"internal", "study", "equality_annex"} <= set(kinds)
    assert "housing" not in kinds  # P1 is no resident
    for kind in kinds.values():
        assert kind.standing is Standing.NO_VERSION
        assert kind.version is None and kind.acknowledgement is None
    assert kinds["internal"].statement_en == (
        "No version of the \u201cInternal regulation\u201d was in force at École de preuve on 2024-08-31."
    )
    # before the person's entry: no population, so no regulation concerned them
    before_entry = export(db, "P1", date(2024, 1, 1))
    assert not before_entry.person.present
    assert before_entry.person.populations == () and before_entry.kinds == ()


def test_a_carried_forward_acknowledgement_names_the_original(db: Database, history: History) -> None:
    kind = internal(export(db, "P1", date(2025, 3, 10)))
    assert kind.version is not None and kind.version.id == history.v3.id
    assert kind.version.change_kind == "editorial" and kind.version.effective_to is None
    assert kind.standing is Standing.ACKNOWLEDGED
    carried = kind.acknowledgement
    assert carried is not None
    assert carried.method == "carried_forward" and carried.version == 3
    assert carried.carried_from_id == history.p1_v2.id
    assert kind.original is not None
    assert kind.original.id == history.p1_v2.id
    assert kind.original.method == "electronic" and kind.original.version == 2
    assert kind.original.verification_code == history.p1_v2.verification_code
    assert kind.statement_en == (
        "Alice Martin had acknowledged version 2 of the \u201cInternal regulation\u201d on 2025-01-20 "
        "(electronically), carried forward to version 3, in force on 2025-03-10 "
        "(an editorial change that needs no new acknowledgement)."
    )
    assert "reportée sur la version 3" in kind.statement_fr


def test_a_person_who_had_not_acknowledged(db: Database, history: History) -> None:
    never = internal(export(db, "P3", date(2025, 2, 1)))
    assert never.standing is Standing.NOT_ACKNOWLEDGED
    assert never.version is not None and never.version.id == history.v2.id
    assert never.acknowledgement is None and never.original is None and never.earlier is None
    assert never.statement_en == (
        "Chloé Petit had not acknowledged the version of the \u201cInternal regulation\u201d in force on "
        "2025-02-01 (version 2)."
    )
    assert never.statement_fr == (
        "Chloé Petit n'avait pas pris connaissance de la version en vigueur le 01/02/2025 "
        "du document « Règlement intérieur » (version 2)."
    )
    # P2 acknowledged v1 only: v2 not acknowledged, their v1 receipt shown as the earlier one
    p2 = export(db, "P2", date(2025, 2, 1))
    kind = internal(p2)
    assert kind.standing is Standing.NOT_ACKNOWLEDGED
    assert kind.earlier is not None and kind.earlier.verification_code == history.p2_v1.verification_code
    # P2 reads English: the English version in force is given beside the French one
    assert kind.translation is not None and kind.translation.id == history.english.id
    assert kind.translation.language == "en"
    kinds = {k.kind: k for k in p2.kinds}
    assert kinds["housing"].populations == ("resident",)
    assert kinds["housing"].standing is Standing.NO_VERSION
    assert internal(export(db, "P3", date(2025, 2, 1))).translation is None  # French readers: no translation


def test_the_chain_proof_verifies_with_the_python_verifier(db: Database, history: History) -> None:
    file = export(db, "P1", date(2025, 3, 10))
    kind = internal(file)
    with db.reading() as session:
        head = session.get(ChainHead, 1)
        count = session.exec(select(sa.func.count()).select_from(Acknowledgement)).one()
        proven = [r for r in (kind.acknowledgement, kind.original) if r is not None]
        assert len(proven) == 2
        for facts in proven:
            stored = session.get(Acknowledgement, facts.id)
            assert stored is not None
            link = facts.chain
            assert link.verified
            assert link.record_hash == stored.record_hash
            assert chain.record_hash(link.previous_hash, stored) == link.record_hash
            digest = hashlib.sha256(f"{link.previous_hash}\n{link.hashed_body}".encode()).hexdigest()
            assert digest == link.record_hash  # from the file alone
            before = session.exec(
                select(Acknowledgement.record_hash)
                .where(col(Acknowledgement.id) < facts.id)
                .order_by(col(Acknowledgement.id).desc())
            ).first()
            assert link.previous_hash == (before or chain.GENESIS_HASH)
            position = session.exec(
                select(sa.func.count()).select_from(Acknowledgement).where(col(Acknowledgement.id) <= facts.id)
            ).one()
            assert link.position == position
    assert head is not None
    assert (file.chain_head.id, file.chain_head.hash, file.chain_head.records) == (
        head.last_id,
        head.last_hash,
        count,
    )
    assert chain.verify(db).ok


def _exports(db: Database, pid: int) -> list[AuditEvent]:
    with db.reading() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION)).all()
    return [r for r in rows if r.target.get("person_id") == pid]


def test_every_export_is_audited_naming_the_person_by_id(db: Database, history: History) -> None:
    pid = person_id(db, "P1")
    assert _exports(db, pid) == []
    export(db, "P1", date(2024, 10, 1))
    export(db, "P1", date(2025, 2, 1))
    events = _exports(db, pid)
    assert len(events) == 2
    assert {e.target["date"] for e in events} == {"2024-10-01", "2025-02-01"}
    assert all(e.outcome == "ok" and e.subject == "system" and e.target["school"] == SCHOOL for e in events)
    assert all("Alice" not in str(e.target) for e in events)
    # a refused export (a date to come) reads nothing and writes no export entry
    with pytest.raises(InvalidInput):
        export(db, "P1", utc_today() + timedelta(days=1))
    assert len(_exports(db, pid)) == 2


def test_any_day_names_the_version_in_force_and_the_receipt_for_it(db: Database, history: History) -> None:
    """Property over the days of the history: the version named is the one whose period holds the day,
    the receipt named is P1's for that version, and "acknowledged" means acknowledged by that day."""
    versions = [(V1_FROM, history.v1), (V2_FROM, history.v2), (V3_FROM, history.v3)]
    acted = {history.v1.id: date(2024, 9, 10), history.v2.id: date(2025, 1, 20), history.v3.id: date(2025, 1, 20)}

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(day=st.dates(min_value=date(2024, 8, 1), max_value=date(2025, 6, 30)))
    def check(day: date) -> None:
        kind = internal(export(db, "P1", day))
        expected = [v for start, v in versions if start <= day]
        if not expected:
            assert kind.standing is Standing.NO_VERSION and kind.version is None
            return
        version = expected[-1]
        assert kind.version is not None and kind.version.id == version.id
        assert kind.version.effective_from <= day and (
            kind.version.effective_to is None or day < kind.version.effective_to
        )
        assert kind.acknowledgement is not None and kind.acknowledgement.version == version.number
        act = kind.original or kind.acknowledgement
        assert (kind.standing is Standing.ACKNOWLEDGED) == (acted[version.id] <= day)
        assert act.acknowledged_at.date() == acted[version.id]

    check()
