"""GraphQL entry points of the flows: map input, call the flow, map output."""

from __future__ import annotations

from datetime import date

import strawberry

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.documents import service as documents
from govkit.documents.types import PublishedDocument
from govkit.flows import publication
from govkit.resolving import Info, Wired

#: Deadlines of the campaigns a publication opens, and the queue of their webhooks' jobs.
CAMPAIGN_POLICY: Wired[CampaignPolicy] = Wired("campaign policy")


@strawberry.type
class PublicationMutation:
    @strawberry.mutation(description="Put a variant in force at its school from a date")
    async def publish_variant(
        self,
        info: Info,
        variant_id: strawberry.ID,
        effective_from: date | None = None,
        change_kind: str | None = None,
        changelog: str | None = None,
    ) -> PublishedDocument:
        document = await info.context.call(
            publication.publish_variant,
            variant_id=variant_id,
            effective_from=effective_from,
            change_kind=change_kind,
            changelog=changelog,
            policy=info.context.wired(CAMPAIGN_POLICY),
        )
        org, *_ = await info.context.call(documents.get_variant, variant_id=document.variant_id)
        return PublishedDocument.from_model(org.code, document, info.context.settings.public_url)
