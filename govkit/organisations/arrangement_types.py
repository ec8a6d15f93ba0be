"""GraphQL types of arrangements: a shared, group or external arrangement once, with its members."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

import strawberry

from govkit.organisations import arrangements, models
from govkit.organisations.types import (
    ArrangementHow,
    Commitment,
    CommitmentStatus,
    CommitmentType,
    DatePrecision,
    MemberRole,
)
from govkit.resolving import Batch
from govkit.timeline import AsOf


@lru_cache(maxsize=256)
def arrangements_batch(when: AsOf | None) -> Batch[int, list[arrangements.ArrangementView]]:
    """The arrangements of organisations as of ``when`` (one DataLoader per request and date)."""
    return Batch(partial(arrangements.arrangements_by_organisation, when=when), "organisation_ids", list)


@strawberry.type(description="One capacity for every school an arrangement serves (a shared 20 % post counts once)")
class Capacity:
    time_share_percent: float | None
    members: int | None
    budget_eur: int | None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Capacity | None:
        if not data:
            return None
        return cls(
            time_share_percent=data.get("time_share_percent"),
            members=data.get("members"),
            budget_eur=data.get("budget_eur"),
        )


@strawberry.input(description="The capacity of a shared or group arrangement (a shared 20 % post counts once)")
class CapacityInput:
    time_share_percent: float | None = None
    members: int | None = strawberry.field(default=None, description="e.g. the number of trained volunteers")
    budget_eur: int | None = None

    def to_dict(self) -> dict[str, Any] | None:
        data = {
            k: v
            for k, v in (
                ("time_share_percent", self.time_share_percent),
                ("members", self.members),
                ("budget_eur", self.budget_eur),
            )
            if v is not None
        }
        return data or None


@strawberry.type(description="A period during which an organisation is served by an arrangement, or has opted out")
class ArrangementMember:
    id: strawberry.ID
    organisation: str = strawberry.field(description="Organisation code")
    name: str
    role: MemberRole
    valid_from: date | None
    valid_from_precision: DatePrecision | None
    valid_to: date | None = strawberry.field(description="The day it ended (exclusive); null: open")
    date_source: str | None = strawberry.field(description="What records it: the agreement, the reason to opt out")
    recorded_at: datetime
    recorded_by: str

    @classmethod
    def from_model(cls, period: models.ArrangementMember, organisation: models.Organisation) -> ArrangementMember:
        return cls(
            id=strawberry.ID(str(period.id)),
            organisation=organisation.code,
            name=organisation.name,
            role=MemberRole(period.role),
            valid_from=period.valid_from,
            valid_from_precision=DatePrecision(period.valid_from_precision) if period.valid_from_precision else None,
            valid_to=period.valid_to,
            date_source=period.date_source,
            recorded_at=period.recorded_at,
            recorded_by=period.recorded_by,
        )


@strawberry.type(description="A shared, group or external arrangement on the day asked, once, with its members")
class Arrangement:
    id: strawberry.ID = strawberry.field(description="The id of its record in effect (joinArrangement takes it)")
    how: ArrangementHow
    type: CommitmentType
    status: CommitmentStatus
    title: str
    holder: str = strawberry.field(description="The code of the organisation holding the record")
    holder_name: str
    provider: str | None
    capacity: Capacity | None
    members: list[ArrangementMember] = strawberry.field(description="The organisations it serves on the day")
    opted_out: list[ArrangementMember] = strawberry.field(description="The schools that opted out, from when")
    membership: ArrangementMember | None = strawberry.field(
        description="For Organisation.arrangements: that organisation's own period (null for the holder)"
    )
    record: Commitment

    @classmethod
    def from_view(
        cls, view: arrangements.ArrangementView, day: date | None = None, organisation_id: int | None = None
    ) -> Arrangement:
        record = view.record
        own = next(
            (p for p in (*view.members, *view.opted_out) if organisation_id and p.organisation.id == organisation_id),
            None,
        )
        return cls(
            id=strawberry.ID(str(record.id)),
            how=ArrangementHow(record.how),
            type=CommitmentType(record.type),
            status=CommitmentStatus(record.status),
            title=record.title,
            holder=view.holder.code,
            holder_name=view.holder.name,
            provider=record.provider,
            capacity=Capacity.from_dict(record.capacity),
            members=[ArrangementMember.from_model(p.period, p.organisation) for p in view.members],
            opted_out=[ArrangementMember.from_model(p.period, p.organisation) for p in view.opted_out],
            membership=ArrangementMember.from_model(own.period, own.organisation) if own else None,
            record=Commitment.from_model(record, day),
        )
