"""GraphQL types of the chain checkpoints."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.checkpoints import service


@strawberry.type(description="One attempt at e-mailing a checkpoint to one recipient")
class CheckpointSending:
    recipient: str
    attempted_at: datetime
    status: str = strawberry.field(description="sent, kept (no SMTP server), refused (5xx), failed (tried again)")
    smtp_code: int | None
    smtp_answer: str | None = strawberry.field(description="The SMTP server's answer")


@strawberry.type(
    description="A signed checkpoint of the acknowledgement chain: its first recordCount records end at headHash. "
    "Its file (url, public) lets anyone prove later that the chain still holds them unchanged"
)
class ChainCheckpoint:
    id: strawberry.ID
    record_count: int
    last_record_id: int | None
    head_hash: str
    made_at: datetime
    trigger: str = strawberry.field(description="schedule (the daily job) or demand")
    requested_by: str | None = strawberry.field(description="Who asked, for a checkpoint made on demand")
    body_sha256: str = strawberry.field(description="SHA-256 of the signed body (what the timestamp covers)")
    timestamped_at: datetime | None = strawberry.field(
        description="The time-stamping authority's time; null: no TSA configured, the time is govkit's"
    )
    timestamp_authority: str | None
    url: str = strawberry.field(description="The checkpoint's file, public (no personal data)")
    sendings: list[CheckpointSending] = strawberry.field(description="Its e-mailings, oldest first")

    @classmethod
    def of(cls, found: service.Checkpoint) -> ChainCheckpoint:
        return cls(
            id=strawberry.ID(str(found.id)),
            record_count=found.record_count,
            last_record_id=found.last_record_id,
            head_hash=found.head_hash,
            made_at=found.made_at,
            trigger=found.trigger,
            requested_by=found.requested_by,
            body_sha256=found.body_sha256,
            timestamped_at=found.timestamped_at,
            timestamp_authority=found.timestamp_authority,
            url=found.url,
            sendings=[
                CheckpointSending(
                    recipient=s.recipient,
                    attempted_at=s.attempted_at,
                    status=s.status,
                    smtp_code=s.smtp_code,
                    smtp_answer=s.smtp_answer,
                )
                for s in found.sendings
            ],
        )
