"""One ``notices.send`` job: the queued messages of a batch sent over ONE SMTP connection, each
attempt's answer recorded on its message.

1. In a first transaction, each message to a person gets its one-click sign-in link
   (govkit.auth.sign_in_links, stored hashed; the message keeps its placeholder). Without an SMTP
   server the messages, link included, are kept in the local outbox: done.
2. The batch goes over one connection, outside any transaction.
3. A second transaction records each answer: delivered → sent; refused (5xx) → failed, the
   others go on; temporary (4xx, connection) → queued again, or failed once GOVKIT_MAIL_ATTEMPTS
   attempts were made. While some wait for another attempt the job raises (``SendingDeferred``)
   and the engine runs it again with back-off; a message sent or failed is never sent again.

What the job raises names message ids and SMTP codes, never an address or a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from govkit.auth.sign_in_links import issue_many
from govkit.db import Database, stored_id, utcnow
from govkit.jobs.registry import FinalFailure
from govkit.notifications.models import NoticeMessage
from govkit.notifications.rendering import LINK
from govkit.notifications.sending import Mailer, Outgoing
from govkit.notifications.vocabulary import NoticeStatus
from govkit.settings import Settings


class SendingDeferred(Exception):
    """Some messages got a temporary failure and attempts remain: the job runs again later."""


class SendingGaveUp(FinalFailure):
    """Some messages made their last attempt without being delivered: they are failed."""


@dataclass
class SendReport:
    sent: int = 0
    kept: int = 0
    failed: int = 0
    waiting: int = 0


def _queued(session: Session, message_ids: Sequence[int]) -> list[NoticeMessage]:
    return list(
        session.exec(
            select(NoticeMessage)
            .where(col(NoticeMessage.id).in_(list(message_ids)), NoticeMessage.status == NoticeStatus.QUEUED.value)
            .order_by(col(NoticeMessage.id))
        ).all()
    )


def _with_links(session: Session, messages: Sequence[NoticeMessage], settings: Settings) -> list[str]:
    """The messages' bodies with each person's sign-in link in place of its placeholder (the
    links issued together: one statement)."""
    wanted = [m for m in messages if LINK in m.body and m.person_id is not None]
    urls = issue_many(
        session, links=[(m.person_id, m.campaign_id) for m in wanted if m.person_id is not None], settings=settings
    )
    found = {id(m): url for m, url in zip(wanted, urls, strict=True)}
    return [m.body.replace(LINK, found[id(m)]) if id(m) in found else m.body for m in messages]


def send(*, db: Database, mailer: Mailer, settings: Settings, message_ids: Sequence[int]) -> SendReport:
    """Send (or keep) the queued messages among ``message_ids``; see the module's documentation."""
    report = SendReport()
    outgoing: list[Outgoing] = []
    with db.transaction() as session:
        now = utcnow()
        queued = _queued(session, message_ids)
        for message, body in zip(queued, _with_links(session, queued, settings), strict=True):
            if not mailer.uses_smtp:
                message.body, message.status = body, NoticeStatus.KEPT.value
                message.attempts, message.last_attempt_at, message.sent_at = message.attempts + 1, now, now
                session.add(message)
                report.kept += 1
                continue
            outgoing.append(
                mailer.compose(
                    message_id=stored_id(message),
                    recipient=message.recipient,
                    subject=message.subject,
                    body=body,
                    language=message.language,
                )
            )
    if not outgoing:
        return report
    answers = mailer.send_all(outgoing)
    waiting: list[str] = []
    gave_up: list[str] = []
    with db.transaction() as session:
        now = utcnow()
        for message in _queued(session, list(answers)):
            got = answers[stored_id(message)]
            message.attempts += 1
            message.last_attempt_at = now
            message.smtp_code, message.smtp_answer = got.code, got.text
            said = f"{message.id} ({got.code or 'no answer'})"
            if got.delivered:
                message.status, message.sent_at = NoticeStatus.SENT.value, now
                report.sent += 1
            elif got.refused:
                message.status = NoticeStatus.FAILED.value
                report.failed += 1
            elif message.attempts >= settings.mail_attempts:
                message.status = NoticeStatus.FAILED.value
                report.failed += 1
                gave_up.append(said)
            else:
                report.waiting += 1
                waiting.append(said)
            session.add(message)
    if waiting:
        raise SendingDeferred(
            f"{len(waiting)} message(s) not delivered yet, tried again later: {_listed(waiting)}"
            + (f"; {len(gave_up)} failed after their last attempt: {_listed(gave_up)}" if gave_up else "")
        )
    if gave_up:
        raise SendingGaveUp(f"{len(gave_up)} message(s) failed after their last attempt: {_listed(gave_up)}")
    return report


def _listed(items: list[str], shown: int = 10) -> str:
    return ", ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")
