"""The SMTP client of the notices: ``Mailer`` (built once by govkit.composition from the
GOVKIT_SMTP_* settings, handed to the jobs as ``JobDeps.extras[MAILER]``) sends a batch of
messages over ONE connection and returns the server's answer to each.

Without GOVKIT_SMTP_HOST there is no SMTP: the messages are kept in the local outbox.
An answer 2xx is delivered; 5xx is a refusal (the message fails, the others go on); 4xx, a
connection that cannot be opened or that is lost, is temporary (tried again later).
"""

from __future__ import annotations

import binascii
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email import charset
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from govkit.db import utcnow
from govkit.settings import Settings

#: The key of the mailer in ``JobDeps.extras``.
MAILER = "mailer"
#: How much of a server's answer (or of an error) a message keeps.
ANSWER_CHARS = 300
#: Non-ASCII header values as base64 encoded words (quoted-printable's folding is slow).
_UTF8 = charset.Charset("utf-8")
_UTF8.header_encoding = charset.BASE64
CRLF = "\r\n"


@dataclass(frozen=True)
class SmtpAnswer:
    """What the server answered to one message (``code`` None: no answer, the connection failed)."""

    code: int | None
    text: str

    @property
    def delivered(self) -> bool:
        return self.code is not None and 200 <= self.code < 300

    @property
    def refused(self) -> bool:
        """A permanent refusal (5xx): sending it again would not help."""
        return self.code is not None and 500 <= self.code < 600


def answer(code: int | None, text: bytes | str | None) -> SmtpAnswer:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join((text or "").split())
    return SmtpAnswer(code, text[:ANSWER_CHARS])


@dataclass(frozen=True)
class Outgoing:
    """A message ready to go: its id (for the answers), envelope recipient and bytes."""

    message_id: int
    recipient: str
    data: bytes


class Mailer:
    """Sends messages through the configured SMTP server, or keeps them (no server configured)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        security: str,
        timeout: float,
        mail_from: str,
    ) -> None:
        self.host = host.strip()
        self.port = port
        self.username = username
        self._password = password
        self.security = security
        self.timeout = timeout
        self.mail_from = mail_from
        self.envelope_from = parseaddr(mail_from)[1] or mail_from
        name = parseaddr(mail_from)[0]
        self._from_header = formataddr((name, self.envelope_from), charset="utf-8") if name else self.envelope_from
        self.domain = self.envelope_from.rpartition("@")[2] or "localhost"
        self._tls = ssl.create_default_context() if self.host and security != "none" else None

    def __repr__(self) -> str:
        where = f"{self.host}:{self.port} ({self.security})" if self.host else "the local outbox"
        return f"<Mailer to {where}>"

    @property
    def uses_smtp(self) -> bool:
        """False: no SMTP server configured, messages are kept in the local outbox."""
        return bool(self.host)

    def compose(self, *, message_id: int, recipient: str, subject: str, body: str, language: str) -> Outgoing:
        """The e-mail of a notice: one text/plain part, UTF-8 in quoted-printable, CRLF line ends.

        Written here rather than by ``email.message``, whose header folding costs a millisecond
        a message (the sending's largest cost): the headers are few and known, non-ASCII ones
        become RFC 2047 encoded words, and no value may hold a line break."""
        headers = (
            ("From", self._from_header),
            ("To", recipient if recipient.isascii() else Header(recipient, _UTF8).encode()),
            (
                "Subject",
                subject if subject.isascii() else Header(subject, _UTF8, header_name="Subject").encode(linesep=CRLF),
            ),
            ("Date", format_datetime(utcnow())),
            ("Message-ID", make_msgid(idstring=f"notice-{message_id}", domain=self.domain)),
            ("Content-Language", language),
            ("Auto-Submitted", "auto-generated"),
            ("X-Govkit-Notice", str(message_id)),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'text/plain; charset="utf-8"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        )
        lines = []
        for name, value in headers:
            if "\n" in value.replace(CRLF + " ", "") or "\r" in value.replace(CRLF + " ", ""):
                raise ValueError(f"the {name} header of message {message_id} holds a line break")
            lines.append(f"{name}: {value}")
        text = "\n".join(body.splitlines()) + "\n"
        encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
        return Outgoing(message_id, recipient, (CRLF.join(lines) + CRLF + CRLF).encode("ascii") + encoded)

    def send_all(self, messages: Sequence[Outgoing]) -> dict[int, SmtpAnswer]:
        """Send ``messages`` over one connection; the answer to each (never raises for the
        server's or the network's doing: a failure becomes the answer of the messages it hit)."""
        answers: dict[int, SmtpAnswer] = {}
        if not messages:
            return answers
        try:
            client = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            failure = _failure(exc, "connection")
            return {m.message_id: failure for m in messages}
        try:
            for position, message in enumerate(messages):
                try:
                    answers[message.message_id] = self._send_one(client, message)
                except (smtplib.SMTPServerDisconnected, OSError) as exc:
                    failure = _failure(exc, "connection lost")
                    for rest in messages[position:]:
                        answers[rest.message_id] = failure
                    return answers
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
        return answers

    def _connect(self) -> smtplib.SMTP:
        client: smtplib.SMTP
        if self.security == "tls":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if self.security == "starttls":
                client.starttls(context=self._tls)
                client.ehlo()
            if self.username:
                client.login(self.username, self._password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _send_one(self, client: smtplib.SMTP, message: Outgoing) -> SmtpAnswer:
        options: list[str] = []
        if not (message.recipient.isascii() and self.envelope_from.isascii()):
            if not client.has_extn("smtputf8"):
                return answer(553, "the address is not ASCII and the server does not offer SMTPUTF8")
            options = ["SMTPUTF8"]
        code, text = client.mail(self.envelope_from, options)
        if code != 250:
            client.rset()
            return answer(code, text)
        code, text = client.rcpt(message.recipient)
        if code not in (250, 251):
            client.rset()
            return answer(code, text)
        try:
            code, text = client.data(message.data)
        except smtplib.SMTPDataError as exc:
            client.rset()
            return answer(exc.smtp_code, exc.smtp_error)
        return answer(code, text)


def _failure(exc: BaseException, what: str) -> SmtpAnswer:
    """A connection's failure as the answer of the messages it hit (a 5xx greeting or login
    refusal concerns the server, not the message: it stays temporary)."""
    code = getattr(exc, "smtp_code", None)
    detail = getattr(exc, "smtp_error", None) or str(exc) or type(exc).__name__
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    text = f"{what}: {type(exc).__name__}: {detail}" if code is None else f"{what}: {code} {detail}"
    return answer(None, text)


def mailer(settings: Settings) -> Mailer:
    """The process's mailer, from the GOVKIT_SMTP_* settings (build it once: govkit.composition)."""
    return Mailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        security=settings.smtp_security,
        timeout=settings.smtp_timeout_seconds,
        mail_from=settings.mail_from,
    )
