"""Parsing and validation with the schema's limits, each done once per distinct query text.

strawberry's QueryDepthLimiter and MaxAliasesLimiter build a new rule class per request, which
defeats its ValidationCache (the rules are part of the cache key): every request was validated
again. Here the rules are built once with the schema and the result is cached by query text.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules, validate
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule


class ValidatedQueries:
    """A bounded LRU of validation results keyed by query text, for one schema and one rule set."""

    def __init__(self, rules: Sequence[type[ASTValidationRule]], maxsize: int = 512) -> None:
        self.rules = (*specified_rules, *rules, MaybeNullValidationRule, OneOfInputValidationRule)
        self.maxsize = maxsize
        self._results: OrderedDict[str, list[GraphQLError]] = OrderedDict()

    def errors(self, schema: GraphQLSchema, query: str, document: DocumentNode) -> list[GraphQLError]:
        found = self._results.get(query)
        if found is None:
            found = validate(schema, document, self.rules)
            self._results[query] = found
            if len(self._results) > self.maxsize:
                self._results.popitem(last=False)
        else:
            self._results.move_to_end(query)
        return found


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def limit_rules(*, max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    return [depth_rule(max_depth, None), alias_rule(max_aliases)]


def checked_queries(*, max_tokens: int, validated: ValidatedQueries) -> type[SchemaExtension]:
    """The extension that parses (token limit) and validates (every rule) through the caches."""

    class CheckedQueries(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            if context.query is not None:
                context.graphql_document = _parse(context.query, max_tokens)
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            if context.query is not None and context.graphql_document is not None:
                context.pre_execution_errors = validated.errors(
                    context.schema._schema, context.query, context.graphql_document
                )
            yield

    return CheckedQueries
