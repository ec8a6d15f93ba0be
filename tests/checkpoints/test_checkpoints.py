"""Checkpoints made, signed by the demo PKI's sealing certificate, timestamped by a real local TSA,
and checked against the chain: they hold; a history rewritten after them (every hash recomputed:
the chain verifies by itself) fails and names the rewritten record; a tampered file fails."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
import sqlalchemy as sa
from sqlmodel import select

from govkit.access.roles import SYSTEM, Principal, Role
from govkit.acknowledgements import chain
from govkit.acknowledgements.models import Acknowledgement
from govkit.checkpoints import service
from govkit.checkpoints.file_format import canonical, parse
from govkit.checkpoints.proof_adapter import ProofChecker, ProofSealer
from govkit.checkpoints.sealing import Verdict
from govkit.checkpoints.verification import verify_file
from govkit.db import Database
from govkit.errors import Forbidden, GovkitError, NotAuthenticated
from govkit.jobs.inprocess import InProcessQueue
from govkit.proof.demo_pki import DemoPki, create_demo_pki
from govkit.settings import Settings
from tests.checkpoints.chain_helpers import append_records, chain_ids, rewrite
from tests.checkpoints.conftest import PUBLIC_URL, proof_settings
from tests.proof_pki import LocalTsa

LEGAL = Principal(role=Role.LEGAL, subject="test:legal")


def make(db: Database, settings: Settings, sealer: ProofSealer, **given: object) -> service.Checkpoint:
    jobs = InProcessQueue(db, settings)
    try:
        made = service.make_checkpoint(db=db, actor=LEGAL, sealer=sealer, settings=settings, jobs=jobs, **given)  # type: ignore[arg-type]
    finally:
        jobs.close()
    assert made is not None
    return made


def file_of(db: Database, settings: Settings, checkpoint_id: int) -> bytes:
    return service.published_file(db=db, settings=settings, checkpoint_id=checkpoint_id).data


def lines(verdicts: tuple[Verdict, ...]) -> list[str]:
    return [("ok " if v.ok else "FAILED ") + v.line for v in verdicts]


def test_a_checkpoint_holds_then_names_the_record_rewritten_after_it(
    db: Database, sealed: Settings, sealer: ProofSealer, checker: ProofChecker, tsa: LocalTsa
) -> None:
    append_records(db, 9)
    issued = tsa.issued
    made = make(db, sealed, sealer)
    assert tsa.issued == issued + 1 and made.timestamped_at is not None and made.timestamp_authority == tsa.url
    assert made.record_count == 9 and made.url == f"{PUBLIC_URL}/public/chain/checkpoints/{made.id}.json"
    assert made.requested_by == LEGAL.label and made.trigger == "demand"
    data = file_of(db, sealed, made.id)
    append_records(db, 3)

    report = verify_file(db=db, data=data, checker=checker)
    assert report.ok, lines(report.verdicts)
    signature, timestamp, content, anchored = report.verdicts
    assert "demo sealing" in signature.line and "govkit test TSA" in timestamp.line
    assert "12 records" in content.line and "9 records" in anchored.line

    target = chain_ids(db)[4]  # the fifth record, before the checkpoint
    rewrite(db, target)
    assert chain.verify(db).ok  # the plain check passes: every hash was recomputed
    report = verify_file(db=db, data=data, checker=checker)
    assert not report.ok
    assert [v.ok for v in report.verdicts] == [True, True, True, False]
    with db.reading() as session:
        code = session.exec(select(Acknowledgement.verification_code).where(Acknowledgement.id == target)).one()
    assert f"record {target} (verification code {code}, number 5 in the chain)" in report.verdicts[3].line


def test_tampered_files_fail(
    db: Database,
    sealed: Settings,
    sealer: ProofSealer,
    checker: ProofChecker,
    demo_pki: DemoPki,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    append_records(db, 3)
    made = make(db, sealed, sealer)
    document = json.loads(file_of(db, sealed, made.id))

    # the body changed and its SHA-256 with it: the signature and the timestamp no longer cover it
    forged = json.loads(json.dumps(document))
    forged["body"]["made_at"] = "2020-01-01T00:00:00.000000Z"
    forged["body_sha256"] = hashlib.sha256(canonical(forged["body"])).hexdigest()
    report = verify_file(db=db, data=json.dumps(forged).encode(), checker=checker)
    signature, timestamp, _, _ = report.verdicts
    assert not signature.ok and "modified" in signature.line
    assert not timestamp.ok and "other data" in timestamp.line

    # one byte of the signature changed
    raw = bytearray(base64.b64decode(document["signature"]))
    raw[-5] ^= 0x01
    broken = {**document, "signature": base64.b64encode(bytes(raw)).decode()}
    assert not verify_file(db=db, data=json.dumps(broken).encode(), checker=checker).verdicts[0].ok

    # the certificate shown in the file replaced by another one (it is not what the signature checks)
    swapped = {**document, "certificate": "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"}
    verdict = verify_file(db=db, data=json.dumps(swapped).encode(), checker=checker).verdicts[0]
    assert not verdict.ok and "another's" in verdict.line

    # signed by a sealing certificate nobody configured as trusted
    other_pki = create_demo_pki(tmp_path_factory.mktemp("other-pki"))
    stranger = make(db, proof_settings(other_pki, None), ProofSealer(proof_settings(other_pki, None)))
    verdicts = verify_file(db=db, data=file_of(db, sealed, stranger.id), checker=checker).verdicts
    assert not verdicts[0].ok and "not trusted" in verdicts[0].line
    assert verdicts[1].ok and "none" in verdicts[1].line  # no TSA: said so, the time is govkit's


def test_who_may_make_and_read_checkpoints(db: Database, sealed: Settings, sealer: ProofSealer) -> None:
    jobs = InProcessQueue(db, sealed)
    try:
        for actor, refusal in (
            (Principal(role=None), NotAuthenticated),
            (Principal(role=Role.SCHOOL_ADMIN, subject="a", organisation_id=1, organisation_code="imt-bs"), Forbidden),
            (Principal(role=Role.MEMBER, subject="m", organisation_id=1, person_id=1), Forbidden),
        ):
            with pytest.raises(refusal):
                service.make_checkpoint(db=db, actor=actor, sealer=sealer, settings=sealed, jobs=jobs)
            with pytest.raises(refusal):
                service.checkpoints(db=db, actor=actor, settings=sealed)
        auditor = Principal(role=Role.AUDITOR, subject="test:auditor")
        made = service.make_checkpoint(db=db, actor=auditor, sealer=sealer, settings=sealed, jobs=jobs)
    finally:
        jobs.close()
    assert made is not None and made.requested_by == auditor.label
    assert service.checkpoints(db=db, actor=auditor, settings=sealed)[0].id == made.id


def test_the_schedule_makes_none_while_the_chain_stands_still(
    db: Database, sealed: Settings, sealer: ProofSealer
) -> None:
    append_records(db, 2)
    first = make(db, sealed, sealer, trigger="schedule")
    assert first.trigger == "schedule" and first.requested_by is None
    jobs = InProcessQueue(db, sealed)
    try:
        again = service.make_checkpoint(
            db=db, actor=SYSTEM, sealer=sealer, settings=sealed, jobs=jobs, trigger="schedule"
        )
        assert again is None
        append_records(db, 1)
        moved = service.make_checkpoint(
            db=db, actor=SYSTEM, sealer=sealer, settings=sealed, jobs=jobs, trigger="schedule"
        )
        assert moved is not None and moved.record_count == first.record_count + 1
        on_demand = service.make_checkpoint(db=db, actor=SYSTEM, sealer=sealer, settings=sealed, jobs=jobs)
        assert on_demand is not None and on_demand.head_hash == moved.head_hash  # on demand: always
    finally:
        jobs.close()


def test_an_unreachable_tsa_makes_no_checkpoint(
    db: Database, sealed: Settings, sealer: ProofSealer, tsa: LocalTsa
) -> None:
    before = len(service.checkpoints(db=db, actor=LEGAL, settings=sealed))
    tsa.down = True
    try:
        with pytest.raises(
            GovkitError, match="No checkpoint made: the time-stamping authority did not answer"
        ) as refused:
            make(db, sealed, sealer)
    finally:
        tsa.down = False
    assert "\n" not in refused.value.message
    assert len(service.checkpoints(db=db, actor=LEGAL, settings=sealed)) == before


def test_checkpoints_are_append_only(db: Database, sealed: Settings, sealer: ProofSealer) -> None:
    made = make(db, sealed, sealer)
    with db.transaction() as session:
        session.execute(
            sa.text(
                "INSERT INTO checkpoint_sending (checkpoint_id, recipient, attempted_at, status)"
                " VALUES (:id, 'x@imt.test', CURRENT_TIMESTAMP, 'kept')"
            ),
            {"id": made.id},
        )
    for statement in (
        "UPDATE chain_checkpoint SET head_hash = 'x'",
        "DELETE FROM chain_checkpoint",
        "UPDATE checkpoint_sending SET status = 'sent'",
        "DELETE FROM checkpoint_sending",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as session:
            session.execute(sa.text(statement))
    assert parse(file_of(db, sealed, made.id)).state.count == made.record_count


def test_a_broken_chain_is_not_anchored(db: Database, sealed: Settings, sealer: ProofSealer) -> None:
    append_records(db, 3)
    with db.transaction() as session:  # a link broken (not a consistent rewrite): nothing is signed over it
        if db.dialect == "sqlite":
            session.execute(sa.text("DROP TRIGGER acknowledgement_append_only"))
        else:
            session.execute(sa.text("ALTER TABLE acknowledgement DISABLE TRIGGER acknowledgement_append_only"))
        session.execute(
            sa.text("UPDATE acknowledgement SET previous_hash = :h WHERE id = :id"),
            {"h": "0" * 64, "id": chain_ids(db)[1]},
        )
    with pytest.raises(GovkitError, match=f"broken at record {chain_ids(db)[1]}: no checkpoint made"):
        make(db, sealed, sealer)
