"""E-mailing a checkpoint to the recipients of GOVKIT_CHECKPOINT_RECIPIENTS (the data protection
officer, the auditors): one message each, the file attached, through the notices' SMTP client
(govkit.notifications.sending: one connection for all). Each attempt is a row of
``checkpoint_sending``: to whom, when, and the server's answer. Without an SMTP server the message
is recorded as ``kept`` (the file stays at its public address). A recipient served (sent, kept)
or refused (5xx) is not tried again; one that failed (no answer, 4xx) is, by the job's retries,
up to GOVKIT_MAIL_ATTEMPTS attempts."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from sqlmodel import col, select

from govkit.checkpoints.models import ChainCheckpoint, CheckpointSending
from govkit.checkpoints.service import file_of
from govkit.checkpoints.vocabulary import public_url
from govkit.db import Database, stored_id, utcnow
from govkit.notifications.sending import Mailer, Outgoing
from govkit.settings import Settings

SUBJECT = "Point de contrôle de la chaîne des visas n° {id} / Acknowledgement chain checkpoint no. {id}"
TEXT = """\
(English below)

Vous recevez ce point de contrôle de la chaîne des visas de govkit parce que votre adresse est
configurée pour le recevoir (délégué à la protection des données, auditeurs). Conservez la pièce
jointe : elle atteste que la chaîne comptait {count} visas le {made_at} (UTC), se terminant par
l'empreinte {head}. Elle est signée par le cachet de govkit{stamped_fr}.
Plus tard, `govkit audit verify --checkpoint {name}` prouve que la chaîne contient toujours tous
ces visas, inchangés, ou nomme le premier visa réécrit. Le fichier ne contient aucune donnée
personnelle. Il est aussi publié à l'adresse {url}

You receive this checkpoint of govkit's acknowledgement chain because your address is configured
to receive them (data protection officer, auditors). Keep the attachment: it states that the
chain held {count} acknowledgements on {made_at} (UTC), ending with the hash {head}. It is signed
with govkit's seal{stamped_en}.
Later, `govkit audit verify --checkpoint {name}` proves that the chain still holds all of them,
unchanged, or names the first record rewritten. The file holds no personal data. It is also
published at {url}
"""


def file_name(checkpoint_id: int) -> str:
    return f"govkit-chain-checkpoint-{checkpoint_id}.json"


def compose(mailer: Mailer, settings: Settings, row: ChainCheckpoint, recipient: str, number: int) -> Outgoing:
    """The message to ``recipient``: the text in French and English, the file attached."""
    checkpoint_id = stored_id(row)
    message = EmailMessage(policy=SMTP)
    message["From"] = mailer.mail_from
    message["To"] = recipient
    message["Subject"] = SUBJECT.format(id=checkpoint_id)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"checkpoint-{checkpoint_id}", domain=mailer.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Govkit-Checkpoint"] = str(checkpoint_id)
    stamped = row.timestamped_at is not None
    message.set_content(
        TEXT.format(
            count=row.record_count,
            made_at=row.made_at.strftime("%Y-%m-%d %H:%M:%S"),
            head=row.head_hash,
            name=file_name(checkpoint_id),
            url=public_url(settings.public_url, checkpoint_id),
            stamped_fr=f" et horodatée par {row.timestamp_authority}" if stamped else "",
            stamped_en=f" and timestamped by {row.timestamp_authority}" if stamped else "",
        )
    )
    message.add_attachment(
        file_of(row, settings), maintype="application", subtype="json", filename=file_name(checkpoint_id)
    )
    return Outgoing(number, recipient, message.as_bytes())


def send(*, db: Database, mailer: Mailer, settings: Settings, checkpoint_id: int) -> list[str]:
    """Send checkpoint ``checkpoint_id`` to the recipients not served yet; the recipients to try
    again (failed, attempts left): the job raises for them, so that the engine retries."""
    with db.reading() as session:
        row = session.get(ChainCheckpoint, checkpoint_id)
        if row is None:
            return []
        past = session.exec(
            select(CheckpointSending).where(col(CheckpointSending.checkpoint_id) == checkpoint_id)
        ).all()
    done = {s.recipient for s in past if s.status != "failed"}
    tries = {r: sum(1 for s in past if s.recipient == r) for r in settings.checkpoint_recipients}
    due = [
        r for r in dict.fromkeys(settings.checkpoint_recipients) if r not in done and tries[r] < settings.mail_attempts
    ]
    if not due:
        return []
    messages = [compose(mailer, settings, row, recipient, n) for n, recipient in enumerate(due)]
    answers = mailer.send_all(messages) if mailer.uses_smtp else None
    rows = []
    for m in messages:
        if answers is None:
            status, code, text = "kept", None, "no SMTP server configured: kept (the file is published)"
        else:
            given = answers[m.message_id]
            status = "sent" if given.delivered else "refused" if given.refused else "failed"
            code, text = given.code, given.text
        rows.append(
            CheckpointSending(
                checkpoint_id=checkpoint_id, recipient=m.recipient, status=status, smtp_code=code, smtp_answer=text
            )
        )
    with db.transaction() as session:
        session.add_all(rows)
    return [r.recipient for r in rows if r.status == "failed" and tries[r.recipient] + 1 < settings.mail_attempts]
