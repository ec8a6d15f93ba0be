"""Checkpoints delivered outside govkit: published without a token (ETag, 304, CORS), e-mailed to
the configured recipients through a real SMTP server (aiosmtpd) with the file attached, made by
the daily job, and asked for through GraphQL."""

from __future__ import annotations

import hashlib
import json

from govkit.access.roles import Role
from govkit.checkpoints import service
from govkit.checkpoints.file_format import parse
from govkit.checkpoints.proof_adapter import ProofChecker, ProofSealer
from govkit.checkpoints.verification import verify_file
from govkit.checkpoints.vocabulary import MAKE, SEALER_KEY
from govkit.db import Database
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.registry import registered_tasks
from govkit.notifications.sending import MAILER, mailer
from govkit.proof.demo_pki import DemoPki
from govkit.settings import Settings
from tests.checkpoints.chain_helpers import append_records
from tests.checkpoints.conftest import PUBLIC_URL, RECIPIENTS, proof_settings
from tests.checkpoints.test_checkpoints import LEGAL, make
from tests.conftest import Api, TokenFactory
from tests.notifications.conftest import SmtpServer
from tests.proof_pki import LocalTsa

LATEST = "/public/chain/checkpoints/latest.json"


def test_checkpoints_are_public_files_with_etags(db: Database, sealed: Settings, sealer: ProofSealer) -> None:
    api = Api(db, sealed)
    assert api.request("GET", LATEST).status_code == 404  # none yet: said so
    append_records(db, 4)
    first = make(db, sealed, sealer)
    append_records(db, 1)
    second = make(db, sealed, sealer)

    latest = api.request("GET", LATEST)  # no token
    assert latest.status_code == 200 and latest.headers["content-type"] == "application/json"
    assert latest.headers["access-control-allow-origin"] == "*"
    assert latest.headers["link"] == f'<{PUBLIC_URL}/public/chain/checkpoints/{second.id}.json>; rel="canonical"'
    assert parse(latest.content).id == second.id
    assert latest.headers["etag"] == f'"{hashlib.sha256(latest.content).hexdigest()}"'
    assert "max-age=300" in latest.headers["cache-control"]

    old = api.request("GET", f"/public/chain/checkpoints/{first.id}.json")
    assert old.status_code == 200 and "immutable" in old.headers["cache-control"]
    assert parse(old.content).state.count == 4
    assert old.headers["content-disposition"] == f'inline; filename="govkit-chain-checkpoint-{first.id}.json"'
    again = api.request(
        "GET", f"/public/chain/checkpoints/{first.id}.json", headers={"If-None-Match": old.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    assert api.request("HEAD", LATEST).status_code == 200

    listed = api.request("GET", "/public/chain/checkpoints/index.json").json()
    assert [c["id"] for c in listed["checkpoints"]][:2] == [second.id, first.id]
    assert listed["checkpoints"][0]["url"] == f"{PUBLIC_URL}/public/chain/checkpoints/{second.id}.json"
    # no personal data: only hashes, counts, ids and times (who asked is not published)
    assert LEGAL.subject not in latest.text and "requested" not in latest.text

    for wrong in ("999999.json", "0.json", "abc.json", "1.json.bak", "-1.json", "1e3.json"):
        answer = api.request("GET", f"/public/chain/checkpoints/{wrong}")
        assert answer.status_code == 404, wrong
        assert answer.headers["cache-control"] == "no-store"


def test_checkpoints_are_emailed_with_the_file_attached(
    db: Database, demo_pki: DemoPki, tsa: LocalTsa, smtp: SmtpServer, checker: ProofChecker
) -> None:
    settings = proof_settings(
        demo_pki, tsa, smtp_host=smtp.host, smtp_port=smtp.port, checkpoint_recipients=[*RECIPIENTS, "nobody@imt.test"]
    )
    smtp.collector.refuse["nobody@imt.test"] = "550 5.1.1 No such mailbox"
    smtp.collector.temporary["auditors@imt.test"] = 1  # busy once: sent on the job's retry
    append_records(db, 3)
    jobs = InProcessQueue(db, settings, extras={MAILER: mailer(settings), SEALER_KEY: ProofSealer(settings)})
    try:
        made = service.make_checkpoint(db=db, actor=LEGAL, sealer=ProofSealer(settings), settings=settings, jobs=jobs)
        jobs.drain(timeout=30)
    finally:
        jobs.close()
    assert made is not None
    received = {r.rcpt_tos[0]: r.message for r in smtp.collector.received}
    assert sorted(received) == sorted(RECIPIENTS)
    message = received["dpo@imt.test"]
    assert message["X-Govkit-Checkpoint"] == str(made.id) and "checkpoint" in message["Subject"]
    assert f"/public/chain/checkpoints/{made.id}.json" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"govkit-chain-checkpoint-{made.id}.json"
    data = attachment.get_content()
    data = data if isinstance(data, bytes) else data.encode()
    assert verify_file(db=db, data=data, checker=checker).ok

    (listed,) = [c for c in service.checkpoints(db=db, actor=LEGAL, settings=settings) if c.id == made.id]
    outcomes = [(s.recipient, s.status, s.smtp_code) for s in listed.sendings]
    assert ("dpo@imt.test", "sent", 250) in outcomes
    assert ("nobody@imt.test", "refused", 550) in outcomes
    assert ("auditors@imt.test", "failed", 451) in outcomes and ("auditors@imt.test", "sent", 250) in outcomes
    assert sum(1 for r, _, _ in outcomes if r == "nobody@imt.test") == 1  # a refusal is not tried again


def test_without_smtp_the_sendings_are_recorded_as_kept(db: Database, demo_pki: DemoPki) -> None:
    settings = proof_settings(demo_pki, None, checkpoint_recipients=RECIPIENTS)
    jobs = InProcessQueue(db, settings, extras={MAILER: mailer(settings)})
    try:
        made = service.make_checkpoint(db=db, actor=LEGAL, sealer=ProofSealer(settings), settings=settings, jobs=jobs)
        jobs.drain(timeout=30)
    finally:
        jobs.close()
    assert made is not None
    (listed,) = [c for c in service.checkpoints(db=db, actor=LEGAL, settings=settings) if c.id == made.id]
    assert sorted((s.recipient, s.status) for s in listed.sendings) == sorted((r, "kept") for r in RECIPIENTS)


def test_the_daily_job_makes_the_checkpoint(db: Database, sealed: Settings) -> None:
    assert registered_tasks()[MAKE].cron == "5 0 * * *"
    append_records(db, 2)
    jobs = InProcessQueue(db, sealed, extras={SEALER_KEY: ProofSealer(sealed)})
    try:
        with db.transaction() as session:
            jobs.defer(session, MAKE, key="checkpoint-test")
        jobs.drain(timeout=30)
    finally:
        jobs.close()
    latest = service.checkpoints(db=db, actor=LEGAL, settings=sealed)[0]
    assert latest.trigger == "schedule" and latest.record_count >= 2 and latest.timestamped_at is not None


def test_graphql_makes_and_lists_checkpoints(db: Database, sealed: Settings, token: TokenFactory) -> None:
    api = Api(db, sealed)
    append_records(db, 2)
    legal = token(Role.LEGAL)
    made = api.data(
        "mutation { makeChainCheckpoint { id recordCount headHash url timestampedAt trigger } }", token=legal
    )
    checkpoint = made["makeChainCheckpoint"]
    assert checkpoint["trigger"] == "demand" and checkpoint["timestampedAt"] is not None
    listed = api.data(
        "{ chainCheckpoints(first: 5) { id requestedBy bodySha256 sendings { recipient } } }", token=token(Role.AUDITOR)
    )
    assert listed["chainCheckpoints"][0]["id"] == checkpoint["id"]
    served = api.request("GET", checkpoint["url"].removeprefix(PUBLIC_URL))
    assert json.loads(served.content)["body"]["chain"]["head_hash"] == checkpoint["headHash"]
    refused = api.graphql("{ chainCheckpoints { id } }", token=token(Role.SCHOOL_ADMIN, "imt-bs"))
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
