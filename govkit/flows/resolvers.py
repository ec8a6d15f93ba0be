"""GraphQL entry points of the flows: map input, call the flow, map output."""

from __future__ import annotations

from datetime import date

import strawberry

from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.approvals.models import Approval as ApprovalRow
from govkit.approvals.types import Approval
from govkit.documents import service as documents
from govkit.documents.types import PublishedDocument
from govkit.flows import publication, waiver_grants
from govkit.resolving import Info, Wired
from govkit.rules.types import Waiver, waiver_of

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


@strawberry.type(description="A waiver: granted now, or waiting for a second legal officer (four eyes)")
class WaiverGrant:
    waiver: Waiver | None = strawberry.field(description="The waiver, when granted now")
    approval: Approval | None = strawberry.field(
        description="The request for a second legal officer's approval: with four eyes, for a rule of severity error"
    )


@strawberry.type
class WaiverMutation:
    @strawberry.mutation(
        description="Waive a finding until a date, with a reason (legal staff). With four eyes (GOVKIT_FOUR_EYES), "
        "a waiver of a rule of severity error is a request a second legal officer approves (approve): then "
        "approval is set and waiver is null. Since issue 19 it returns a WaiverGrant, no longer the Waiver itself."
    )
    async def grant_waiver(
        self, info: Info, rule_id: str, school: str, reason: str, expires_on: date, key: str | None = None
    ) -> WaiverGrant:
        made = await info.context.call(
            waiver_grants.grant,
            settings=info.context.settings,
            rule_id=rule_id,
            school=school,
            reason=reason,
            expires_on=expires_on,
            key=key,
        )
        if isinstance(made, ApprovalRow):
            return WaiverGrant(waiver=None, approval=Approval.of(made))
        return WaiverGrant(waiver=waiver_of(made), approval=None)
