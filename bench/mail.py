"""Sending reminders through the job engine vs aiosmtplib alone, to the same local SMTP server.

    python bench/mail.py [--quick] [--messages N]

A new PostgreSQL database with one school and N persons (20,000; 5,000 with --quick), each with a
queued reminder rendered from the notices' templates (govkit.notifications); a local SMTP server
(aiosmtpd in a process of its own, discarding what it accepts). Then, alternately, three times:

- govkit: the ``notices.send`` jobs deferred in one transaction, 200 message ids each, as
  ``notices.bring_up_to_date`` defers them, run by one real ``govkit worker --concurrency 2``
  process (started and idle beforehand): each job issues its messages' sign-in links, sends them
  over ONE SMTP connection and records every answer. Time: from the jobs' commit to the last
  message recorded sent (its ``sent_at``).
- baseline: aiosmtplib sending the same messages (same bytes, same recipients) in the same
  batches of 200 per connection, two connections at a time (as the worker's two jobs), and
  nothing else: no database, no links, no records.

The figure is the throughput (messages per second) of each, median of the runs; target: govkit's
≥ 0.5 × the baseline's. Before each govkit run the messages are queued again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosmtplib
import sqlalchemy as sa

from bench.common import SCRATCH, drop_postgres, fresh_database, row, start_worker_process
from govkit.db import Database, create_db_engine, table_of, utcnow
from govkit.jobs.queue import PostgresQueue
from govkit.jobs.registry import import_task_modules
from govkit.models import NoticeMessage, Organisation, Person, SignInLink
from govkit.notifications.rendering import LINK, long_date, render
from govkit.notifications.sending import Mailer
from govkit.notifications.vocabulary import BATCH, SEND, NoticeKind

TARGET = 0.5
LANES = 2  # the worker's concurrency, and the baseline's connections at a time
PUBLIC_URL = "https://govkit.imt.example"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
FAKE_TOKEN = "x" * 43  # a sign-in link's token is 43 characters (secrets.token_urlsafe(32))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_smtp_server(port: int, logs: Path) -> subprocess.Popen[bytes]:
    """aiosmtpd in a process of its own, accepting and discarding every message."""
    log = (logs / "mail-smtpd.log").open("wb")
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"the SMTP server did not start; see {logs}")


def populate(db: Database, count: int) -> list[int]:
    """One school, ``count`` persons and a queued reminder to each (rendered, half in English): their ids."""
    now = utcnow()
    deadline = now.date()
    with db.transaction() as session:
        school = Organisation(code="imt-atlantique", type="school", name="IMT Atlantique", short_name="IMT Atlantique")
        session.add(school)
        session.flush()
        persons = [
            {
                "organisation_id": school.id,
                "external_id": f"p{i:06d}",
                "given_name": f"Prénom{i}",
                "family_name": f"Nom{i}",
                "email": f"person.{i}@imt-atlantique.example",
                "status": "active",
                "preferred_language": "en" if i % 2 else "fr",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        ids = list(session.execute(sa.insert(table_of(Person)).returning(table_of(Person).c.id), persons).scalars())
        texts = {
            language: render(
                NoticeKind.REMINDER,
                language,
                {
                    "given_name": "{given_name}",
                    "family_name": "",
                    "document": "Règlement intérieur" if language == "fr" else "Internal regulations",
                    "version": 2,
                    "school": "IMT Atlantique",
                    "of_school": "d'IMT Atlantique" if language == "fr" else "of IMT Atlantique",
                    "deadline": long_date(deadline, language),
                    "days_left": 14,
                    "step": 1,
                    "steps": 3,
                    "link": LINK,
                },
            )
            for language in ("fr", "en")
        }
        messages = []
        for person_id, person in zip(ids, persons, strict=True):
            text = texts[str(person["preferred_language"])]
            messages.append(
                {
                    "key": f"reminder:bench:{person_id}:1",
                    "organisation_id": school.id,
                    "person_id": person_id,
                    "kind": "reminder",
                    "step": 1,
                    "template": text.template,
                    "language": text.language,
                    "recipient": person["email"],
                    "subject": text.subject,
                    "body": text.body.replace("{given_name}", str(person["given_name"])),
                    "status": "queued",
                    "attempts": 0,
                    "created_at": now,
                }
            )
        table = table_of(NoticeMessage)
        return list(session.execute(sa.insert(table).returning(table.c.id), messages).scalars())


def requeue(db: Database) -> None:
    with db.transaction() as session:
        session.execute(
            sa.update(table_of(NoticeMessage)).values(
                status="queued", attempts=0, sent_at=None, last_attempt_at=None, smtp_code=None, smtp_answer=None
            )
        )
        session.execute(sa.delete(table_of(SignInLink)))
    with db.bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:  # type: ignore[union-attr]
        connection.execute(sa.text("VACUUM ANALYZE notice_message"))
        connection.execute(sa.text("VACUUM ANALYZE sign_in_link"))


def outgoing(db: Database, mailer: Mailer) -> list[tuple[str, bytes]]:
    """The messages as the jobs send them (a link of a real one's length in place of the placeholder)."""
    link = f"{PUBLIC_URL}/ui/signin/link/{FAKE_TOKEN}"
    with db.reading() as session:
        rows = session.execute(sa.select(table_of(NoticeMessage)).order_by(table_of(NoticeMessage).c.id)).all()
    return [
        (
            r.recipient,
            mailer.compose(
                message_id=r.id,
                recipient=r.recipient,
                subject=r.subject,
                body=r.body.replace(LINK, link),
                language=r.language,
            ).data,
        )
        for r in rows
    ]


def raw_throughput(messages: list[tuple[str, bytes]], port: int, sender: str) -> float:
    """aiosmtplib alone: batches of ``BATCH`` per connection, ``LANES`` connections at a time; messages/s."""
    batches = [messages[i : i + BATCH] for i in range(0, len(messages), BATCH)]

    async def lane() -> int:
        sent = 0
        while batches:
            batch = batches.pop()
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False) as client:
                for recipient, data in batch:
                    errors, _ = await client.sendmail(sender, [recipient], data)
                    sent += not errors
        return sent

    async def all_lanes() -> int:
        return sum(await asyncio.gather(*(lane() for _ in range(LANES))))

    started = time.perf_counter()
    sent = asyncio.run(all_lanes())
    elapsed = time.perf_counter() - started
    if sent != len(messages):
        raise RuntimeError(f"aiosmtplib sent {sent} of {len(messages)} messages")
    return len(messages) / elapsed


def start_worker(url: str, port: int, logs: Path, db: Database) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GOVKIT_DATABASE_URL": url,
        "GOVKIT_ENV": "dev",
        "GOVKIT_SECRET_KEY": SECRET,
        "GOVKIT_PUBLIC_URL": PUBLIC_URL,
        "GOVKIT_SMTP_HOST": "127.0.0.1",
        "GOVKIT_SMTP_PORT": str(port),
        "GOVKIT_SMTP_SECURITY": "none",
        "GOVKIT_MAIL_FROM": "govkit <noreply@imt-atlantique.example>",
        "GOVKIT_RENDER_WORKERS": "0",
        "GOVKIT_GRANT_CACHE_SECONDS": "0",
        "GOVKIT_JOB_POLL_SECONDS": "0.5",
    }
    return start_worker_process(db, env, logs / "mail-worker.log", concurrency=LANES)


def engine_throughput(db: Database, ids: list[int], logs: Path) -> float:
    """The ``notices.send`` jobs run by the worker: messages/s from their commit to the last one sent."""
    requeue(db)
    jobs = PostgresQueue()
    with db.transaction() as session:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            jobs.defer(session, SEND, key=f"notices:send:{batch[0]}-{batch[-1]}", message_ids=batch)
    committed = datetime.now(UTC)
    deadline = time.monotonic() + 120 + len(ids) / 50
    table = table_of(NoticeMessage)
    while True:
        with db.reading() as session:
            counts = dict(session.execute(sa.select(table.c.status, sa.func.count()).group_by(table.c.status)).all())
        if counts.get("queued", 0) == 0:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"messages {counts} after the deadline; see {logs}")
        time.sleep(0.1)
    if counts.get("sent") != len(ids):
        raise RuntimeError(f"messages {counts}: not all sent; see {logs}")
    with db.reading() as session:
        last = session.execute(sa.select(sa.func.max(table.c.sent_at))).scalar_one()
    return len(ids) / (last - committed).total_seconds()


def measure(count: int, repeats: int) -> dict[str, list[float]]:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    url = fresh_database("postgresql", "mail")
    engine = create_db_engine(url)
    port = free_port()
    server = start_smtp_server(port, SCRATCH)
    worker = None
    figures: dict[str, list[float]] = {"govkit": [], "raw": []}
    try:
        db = Database(engine)
        import_task_modules(["govkit.tasks"])
        ids = populate(db, count)
        mailer = Mailer(
            host="127.0.0.1",
            port=port,
            username=None,
            password=None,
            security="none",
            timeout=10,
            mail_from="govkit <noreply@imt-atlantique.example>",
        )
        messages = outgoing(db, mailer)
        worker = start_worker(url, port, SCRATCH, db)
        for _ in range(repeats):
            figures["govkit"].append(engine_throughput(db, ids, SCRATCH))
            figures["raw"].append(raw_throughput(messages, port, mailer.envelope_from))
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        engine.dispose()
        drop_postgres(url)
    return figures


def run(quick: bool, messages: int | None = None) -> list[dict]:
    count = messages or (5000 if quick else 20_000)
    measured = measure(count, 1 if quick else 3)
    govkit, raw = statistics.median(measured["govkit"]), statistics.median(measured["raw"])
    ratio = govkit / raw
    return [
        row(
            f"send {count:,} reminders to a local SMTP server: job engine (1 govkit worker, 2 jobs at once) "
            "vs aiosmtplib alone (2 connections at a time)",
            unit="messages/s",
            govkit=govkit,
            baseline=raw,
            baseline_name="aiosmtplib alone",
            ratio=ratio,
            target=f">= {TARGET} (throughput vs aiosmtplib alone)",
            holds=ratio >= TARGET,
            digits=0,
            runs_govkit=[round(v) for v in measured["govkit"]],
            runs_baseline=[round(v) for v in measured["raw"]],
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 messages, one run")
    parser.add_argument("--messages", type=int, default=None, help="this many messages instead")
    args = parser.parse_args()
    results = run(args.quick, args.messages)
    print(json.dumps(results, indent=2))
    raise SystemExit(0 if all(r["holds"] for r in results) else 1)
