"""Schema assembly: the root types composed from each domain, with limits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from govkit.acknowledgements.resolvers import AcknowledgementMutation, AcknowledgementQuery
from govkit.approvals.resolvers import ApprovalMutation, ApprovalQuery
from govkit.auth.resolvers import AuditQuery
from govkit.auth.token_resolvers import TokenMutation, TokenQuery
from govkit.checkpoints.resolvers import CheckpointMutation, CheckpointQuery
from govkit.documents.clause_edit_resolvers import ClauseEditMutation, ClauseEditQuery
from govkit.documents.clause_resolvers import ClauseLibraryMutation, ClauseLibraryQuery
from govkit.documents.provision_resolvers import ProvisionMutation, ProvisionQuery
from govkit.documents.resolvers import DocumentMutation, DocumentQuery
from govkit.documents.review_resolvers import TrackedChangeMutation, TrackedChangeQuery
from govkit.evidence.resolvers import EvidenceQuery
from govkit.flows.resolvers import PublicationMutation, WaiverMutation
from govkit.flows.review_resolvers import ReviewMutation, ReviewQuery
from govkit.graphql.execution import PreparedOperations, limit_rules, run_operation
from govkit.jobs.resolvers import JobsQuery
from govkit.notifications.resolvers import NoticesMutation, NoticesQuery
from govkit.organisations.arrangement_resolvers import ArrangementMutation, ArrangementQuery
from govkit.organisations.resolvers import OrganisationMutation, OrganisationQuery
from govkit.privacy.correction_resolvers import CorrectionMutation, CorrectionQuery
from govkit.privacy.hold_resolvers import LegalHoldMutation, LegalHoldQuery
from govkit.rules.parameter_resolvers import RuleParametersMutation, RuleParametersQuery
from govkit.rules.records_resolvers import RecordsMutation, RecordsQuery
from govkit.rules.resolvers import RulesMutation, RulesQuery
from govkit.search.resolvers import ClauseSearchQuery
from govkit.settings import Settings


@strawberry.type(description="Read govkit: organisations, documents, acknowledgements, compliance")
class Query(
    OrganisationQuery,
    ArrangementQuery,
    DocumentQuery,
    ClauseLibraryQuery,
    ClauseEditQuery,
    TrackedChangeQuery,
    AcknowledgementQuery,
    RulesQuery,
    RecordsQuery,
    RuleParametersQuery,
    EvidenceQuery,
    AuditQuery,
    TokenQuery,
    JobsQuery,
    NoticesQuery,
    CheckpointQuery,
    ApprovalQuery,
    ReviewQuery,
    ProvisionQuery,
    ClauseSearchQuery,
    CorrectionQuery,
    LegalHoldQuery,
):
    pass


@strawberry.type(description="Change govkit; every mutation is authorised by role and organisation")
class Mutation(
    OrganisationMutation,
    ArrangementMutation,
    DocumentMutation,
    ClauseLibraryMutation,
    ClauseEditMutation,
    TrackedChangeMutation,
    PublicationMutation,
    WaiverMutation,
    AcknowledgementMutation,
    RulesMutation,
    RecordsMutation,
    RuleParametersMutation,
    TokenMutation,
    NoticesMutation,
    CheckpointMutation,
    ApprovalMutation,
    ReviewMutation,
    ProvisionMutation,
    CorrectionMutation,
    LegalHoldMutation,
):
    pass


class GovkitSchema(strawberry.Schema):
    """strawberry's schema, executed by govkit.graphql.execution (limits, errors, audit)."""

    def __init__(self, *, settings: Settings) -> None:
        super().__init__(query=Query, mutation=Mutation, config=StrawberryConfig(auto_camel_case=True))
        rules = limit_rules(max_depth=settings.graphql_max_depth, max_aliases=settings.graphql_max_aliases)
        if not settings.is_dev:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.operations = PreparedOperations(self._schema, rules, max_tokens=settings.graphql_max_tokens)

    async def execute(  # strawberry's signature
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        return await run_operation(
            schema=self._schema,
            operations=self.operations,
            executor_class=self.execution_context_class,
            query=query,
            variable_values=variable_values,
            context=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=operation_extensions,
        )

    def execute_sync(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError("govkit's resolvers are async: use `await schema.execute(...)`.")


def build_schema(settings: Settings) -> GovkitSchema:
    """The schema with its limits; in prod, no introspection and masked unexpected errors."""
    return GovkitSchema(settings=settings)


def export_sdl() -> str:
    """The schema in SDL, as checked in at schema.graphql."""
    return build_schema(Settings(env="dev")).as_str() + "\n"
