"""Schema assembly: the root types composed from each domain, with limits."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from govkit.acknowledgements.resolvers import AcknowledgementMutation, AcknowledgementQuery
from govkit.auth.resolvers import AuditQuery
from govkit.documents.resolvers import DocumentMutation, DocumentQuery
from govkit.graphql.extensions import AuditAndLimits, GovkitErrors, log_unexpected
from govkit.graphql.validation import ValidatedQueries, checked_queries, limit_rules
from govkit.organisations.resolvers import OrganisationMutation, OrganisationQuery
from govkit.rules.resolvers import RulesMutation, RulesQuery
from govkit.settings import Settings


@strawberry.type(description="Read govkit: organisations, documents, acknowledgements, compliance")
class Query(OrganisationQuery, DocumentQuery, AcknowledgementQuery, RulesQuery, AuditQuery):
    pass


@strawberry.type(description="Change govkit; every mutation is authorised by role and organisation")
class Mutation(OrganisationMutation, DocumentMutation, AcknowledgementMutation, RulesMutation):
    pass


class GovkitSchema(strawberry.Schema):
    """Logs only unexpected errors: a refused or invalid request is not a server fault."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_unexpected(errors)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with its limits; in prod, no introspection and masked unexpected errors."""
    rules = limit_rules(max_depth=settings.graphql_max_depth, max_aliases=settings.graphql_max_aliases)
    if not settings.is_dev:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        checked_queries(max_tokens=settings.graphql_max_tokens, validated=ValidatedQueries(rules)),
        GovkitErrors,
        AuditAndLimits,
    ]

    return GovkitSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def export_sdl() -> str:
    """The schema in SDL, as checked in at schema.graphql."""
    return build_schema(Settings(env="dev")).as_str() + "\n"
