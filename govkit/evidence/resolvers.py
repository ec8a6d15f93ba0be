"""GraphQL entry point of the evidence file: map input, call the service, map output."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from govkit.evidence import service
from govkit.evidence.export import to_json
from govkit.evidence.types import EvidenceFile
from govkit.resolving import Info


@strawberry.type
class EvidenceQuery:
    @strawberry.field(
        description="A person's evidence file on a date (legal staff; a school's administration for its own "
        "persons): per regulation, the version in force, the acknowledgement and its chain proof; each export "
        "is written to the audit log"
    )
    async def evidence(
        self,
        info: Info,
        school: str,
        person: Annotated[str, strawberry.argument(description="The person's external id")],
        date: Annotated[dt.date, strawberry.argument(description="The date in question")],
    ) -> EvidenceFile:
        found = await info.context.call(
            service.evidence_file,
            school=school,
            person=person,
            day=date,
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        return EvidenceFile.of(to_json(found, info.context.settings.public_url))
