"""The periodic tasks (reminders, retention of client data, the nightly rule run), deferred and run
by the in-process engine on both databases; their schedules as the workers read them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

import govkit.tasks  # noqa: F401 - registers the tasks
from govkit.acknowledgements import chain
from govkit.acknowledgements.campaigns import new_code
from govkit.acknowledgements.models import Acknowledgement, Campaign, Person, WebhookDelivery
from govkit.acknowledgements.sealing import SEAL_PENDING
from govkit.checkpoints import vocabulary as checkpoints
from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.documents.models import DocumentVersion
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.models import InProcessJob
from govkit.jobs.registry import registered_tasks
from govkit.notifications import vocabulary as notices
from govkit.rules.models import RuleRun
from govkit.tasks import reminders, retention, rules
from tests.acknowledgements.test_webhooks import Receiver, running_receiver
from tests.conftest import make_settings


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


def run_job(db: Database, name: str, *, key: str | None = None, **settings: Any) -> InProcessJob:
    """Defer the task ``name`` (no arguments, as its schedule does), let the in-process engine run
    it and the jobs it defers; its job."""
    queue = InProcessQueue(db, make_settings(job_retry_base_seconds=0.05, **settings))
    try:
        with db.transaction() as session:
            job_id = queue.defer(session, name, key=key)
        queue.drain(timeout=60)
    finally:
        queue.close()
    with db.reading() as session:
        job = session.get(InProcessJob, job_id)
    assert job is not None
    return job


def test_the_schedules() -> None:
    crons = {name: spec.cron for name, spec in registered_tasks().items() if spec.cron}
    assert crons == {
        reminders.REMIND: "0 6 * * *",
        reminders.ERASE_CLIENT_DATA: "30 3 * * *",
        rules.RUN_RULES: "0 2 * * *",
        notices.BRING_UP_TO_DATE: "15 6 * * *",  # the e-mail notices, after the webhook reminders
        checkpoints.MAKE: "5 0 * * *",  # the chain's checkpoint, each day anchored once it is over
        SEAL_PENDING: "* * * * *",  # the PDF receipts not sealed yet
        retention.RUN: "45 3 * * *",  # the erasure of what is due (issue 20)
    }


def test_the_daily_reminders_are_delivered_by_their_own_jobs(db: Database, receiver: Receiver) -> None:
    with db.reading() as session:
        open_campaigns = len(session.exec(select(Campaign.id).where(col(Campaign.closed_at).is_(None))).all())
    job = run_job(db, reminders.REMIND, webhook_urls=[receiver.url])
    assert (job.status, job.attempts) == ("succeeded", 1)
    with db.reading() as session:
        reminded = session.exec(select(WebhookDelivery).where(WebhookDelivery.event == "campaign.reminder")).all()
        delivery_jobs = session.exec(select(InProcessJob).where(InProcessJob.task_name == "webhooks.deliver")).all()
    assert 0 < len(reminded) <= open_campaigns  # the campaigns with persons still to acknowledge
    assert {d.status for d in reminded} == {"delivered"}
    assert sorted(j.key for j in delivery_jobs) == sorted(f"webhook:{d.id}" for d in reminded)  # type: ignore[type-var]
    assert len(receiver.received) == len(reminded)
    # the next morning: nothing due yet (reminders every GOVKIT_REMINDER_INTERVAL_DAYS)
    assert run_job(db, reminders.REMIND, webhook_urls=[receiver.url]).status == "succeeded"
    assert len(receiver.received) == len(reminded)


def acknowledgement(person: Person, document_version_id: int, days_ago: int) -> Acknowledgement:
    """A paper acknowledgement recorded ``days_ago`` days ago, with client data."""
    wording = "Lu et approuvé."
    return Acknowledgement(
        person_id=person.id,  # type: ignore[arg-type]
        organisation_id=person.organisation_id,
        document_version_id=document_version_id,
        method="paper",
        document_sha256="0" * 64,
        wording=wording,
        acknowledged_at=utcnow() - timedelta(days=days_ago),
        auth_method="paper",
        recorded_by="test",
        client_ip="192.0.2.7",
        user_agent="test agent",
        **chain.personal(
            wording=wording, recorded_by="test", reason=None, client_ip="192.0.2.7", user_agent="test agent"
        ),
        verification_code=new_code(),
        previous_hash="",
        record_hash="",
    )


def test_client_data_is_erased_after_the_retention_period(db: Database) -> None:
    with db.transaction() as session:
        person = session.exec(select(Person).order_by(col(Person.id))).first()
        assert person is not None
        found = session.exec(
            select(DocumentVersion.id).where(DocumentVersion.organisation_id == person.organisation_id).limit(2)
        ).all()
        documents = [d for d in found if d is not None]
        records = [acknowledgement(person, documents[0], 400), acknowledgement(person, documents[1], 10)]
        ids = [a.id for a in chain.append_many(session, records)]
    job = run_job(db, reminders.ERASE_CLIENT_DATA, client_data_retention_days=365)
    assert job.status == "succeeded"
    with db.reading() as session:
        rows = session.exec(select(Acknowledgement).where(col(Acknowledgement.id).in_(ids))).all()
        kept = {a.id: (a.client_ip, a.user_agent) for a in rows}
    assert kept == {ids[0]: (None, None), ids[1]: ("192.0.2.7", "test agent")}


def test_the_nightly_rule_run(db: Database) -> None:
    with db.reading() as session:
        before = len(session.exec(select(RuleRun.id)).all())
    job = run_job(db, rules.RUN_RULES, key="rules:nightly")
    assert (job.status, job.attempts) == ("succeeded", 1)
    with db.reading() as session:
        runs = session.exec(select(RuleRun).order_by(col(RuleRun.id))).all()
    assert len(runs) == before + 1
    assert runs[-1].as_of == utc_today()
    assert runs[-1].findings > 0  # the demo schools have findings
