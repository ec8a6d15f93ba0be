"""A real SMTP server for the notices' tests (aiosmtpd on 127.0.0.1, one for the session), which
collects what it accepts, and can answer some recipients with a temporary (4xx) or permanent (5xx)
refusal; and the in-process job engine wired with a mailer to it."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from govkit.db import Database
from govkit.jobs.inprocess import InProcessQueue
from govkit.notifications.sending import MAILER, mailer
from govkit.settings import Settings
from govkit.tasks import notices as notice_tasks  # noqa: F401 - registers the notices' jobs
from tests.conftest import make_settings

PUBLIC_URL = "http://govkit.test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def notice_id(self) -> int:
        return int(self.message["X-Govkit-Notice"])

    @property
    def text(self) -> str:
        return str(self.message.get_content())


@dataclass
class Collector:
    """The aiosmtpd handler: what was accepted, and the refusals to give (by recipient)."""

    received: list[Received] = field(default_factory=list)
    #: recipient → how many more times to answer 451 (then accept)
    temporary: dict[str, int] = field(default_factory=dict)
    #: recipient → the 5xx answer to give every time
    refuse: dict[str, str] = field(default_factory=dict)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.temporary.clear()
            self.refuse.clear()
            self.connections = 0

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            if address in self.refuse:
                return self.refuse[address]
            if self.temporary.get(address, 0) > 0:
                self.temporary[address] -= 1
                return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Message accepted for delivery"

    def by_notice(self) -> dict[int, list[Received]]:
        found: dict[int, list[Received]] = {}
        with self.lock:
            for r in self.received:
                found.setdefault(r.notice_id, []).append(r)
        return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: Collector


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 for the whole session."""
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, collector)
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The session's SMTP server, emptied for this test."""
    smtp_server.collector.reset()
    return smtp_server


def mail_settings(smtp: SmtpServer | None, **overrides: Any) -> Settings:
    """Settings sending to ``smtp`` (None: no SMTP, the local outbox), with short back-offs."""
    given: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "mail_from": "govkit <govkit@imt.test>",
        "job_retry_base_seconds": 0.05,
        "job_retry_max_seconds": 0.5,
        "smtp_security": "none",
    }
    if smtp is not None:
        given.update(smtp_host=smtp.host, smtp_port=smtp.port)
    return make_settings(**{**given, **overrides})


def queue_for(db: Database, settings: Settings) -> InProcessQueue:
    """The in-process engine with the mailer of ``settings`` (as govkit.composition wires it)."""
    return InProcessQueue(db, settings, extras={MAILER: mailer(settings)})


@pytest.fixture
def settings_smtp(smtp: SmtpServer) -> Settings:
    return mail_settings(smtp)


@pytest.fixture
def jobs(db: Database, settings_smtp: Settings) -> Iterator[InProcessQueue]:
    queue = queue_for(db, settings_smtp)
    yield queue
    queue.close()
