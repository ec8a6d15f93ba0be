"""The words of the notices: kinds, statuses, and the names of their jobs."""

from __future__ import annotations

from enum import StrEnum

#: The job creating the due notices and digests (args: ``school_code``), keyed ``notices:<school>``.
BRING_UP_TO_DATE = "notices.bring_up_to_date"
#: The job sending a batch of messages over one SMTP connection (args: ``message_ids``).
SEND = "notices.send"
#: Messages sent by one ``notices.send`` job.
BATCH = 200


class NoticeKind(StrEnum):
    OPENING = "opening"  # a campaign concerns the person (opened, or they joined while it is open)
    REMINDER = "reminder"  # a step of the school's schedule passed, not acknowledged yet
    OVERDUE = "overdue"  # the deadline passed, not acknowledged yet
    DIGEST = "digest"  # to a school administrator: counts, overdue, failed deliveries
    CORRECTION = "correction"  # a correction request (art. 16): to the school's administration; its decision


class NoticeStatus(StrEnum):
    QUEUED = "queued"  # waiting for its sending job (or its next attempt)
    SENT = "sent"  # accepted by the SMTP server
    FAILED = "failed"  # refused (5xx), or out of attempts
    KEPT = "kept"  # no SMTP server configured: kept in the local outbox


def school_key(school_code: str | None) -> str:
    """The key of a school's ``notices.bring_up_to_date`` job (every school: ``notices:*``)."""
    return f"notices:{school_code or '*'}"
