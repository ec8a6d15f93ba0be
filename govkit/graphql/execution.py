"""One GraphQL operation, from its text to its result, as plain functions.

The operation is prepared once per distinct text and operation name: parsed under the token
limit, validated with every rule (the schema's depth, alias and introspection limits among
them), its type and root fields found, and whether it asks for public fields only. Then, per
request: an anonymous caller who asks for more is told to authenticate (govkit.graphql.access),
before the rate limit of costly mutations, execution by graphql-core on strawberry's schema,
the user-facing shape of errors, and the audit log.

This replaces strawberry's SchemaExtension hooks, which cost more per request than executing a
small query (an execution context, a context manager per hook and per extension, a middleware
manager, each time); the behaviour is the same (tests/graphql/test_graphql_http.py).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard, cast

import anyio.to_thread
from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe

from govkit.access import audit
from govkit.access.policy import AUTHENTICATION_REQUIRED
from govkit.errors import Forbidden, GovkitError, NotAuthenticated
from govkit.graphql.access import anonymous_may_ask, public_fields, root_fields

log = logging.getLogger("govkit.graphql")
_SNAKE = re.compile(r"_([a-z0-9])")

WWW_AUTHENTICATE = 'Bearer realm="govkit"'

#: Mutations that cost the most, limited per identity.
RATE_LIMITED = frozenset(
    {"acknowledge", "uploadRootTemplateVersion", "importPersons", "recordPaperAcknowledgement"}
    | {"requestCorrection"}  # issue 20: a member's request for the correction of their data
)

#: strawberry's check of awaitables, faster than graphql-core's (typed as returning a bool, which
#: graphql-core's signature wants as a TypeGuard).
IS_AWAITABLE = cast(Callable[[Any], TypeGuard[Awaitable[Any]]], optimized_is_awaitable)

#: Every operation type, when the caller does not restrict them (GET restricts to queries).
ALL_OPERATION_TYPES = frozenset(OperationType)


class RateLimited(GovkitError):
    code = "RATE_LIMITED"


@dataclass(frozen=True)
class Operation:
    """What a query text and operation name give, whoever sends them."""

    document: DocumentNode | None  # None: the text does not parse (``errors`` says why)
    errors: tuple[GraphQLError, ...]  # syntax or validation errors: the operation is not executed
    kind: OperationType | None  # None: no operation by that name
    fields: tuple[FieldNode, ...]  # the root fields, in order, fragments included
    limited: bool  # a mutation with a rate-limited root field
    public: bool = False  # a query of public root fields only: anonymous callers may send it


def _definition(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


def limit_rules(*, max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """The schema's limits as validation rules (strawberry's, built once, not per request)."""
    return [depth_rule(max_depth, None), alias_rule(max_aliases)]


class PreparedOperations:
    """A bounded LRU of prepared operations for one schema and one rule set."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: Sequence[type[ASTValidationRule]],
        *,
        max_tokens: int,
        maxsize: int = 512,
    ) -> None:
        self.schema = schema
        self.rules = (*specified_rules, *rules, MaybeNullValidationRule, OneOfInputValidationRule)
        self.max_tokens = max_tokens
        self.maxsize = maxsize
        self.public = public_fields(schema)
        self._operations: OrderedDict[tuple[str, str | None], Operation] = OrderedDict()

    def get(self, query: str, operation_name: str | None) -> Operation:
        key = (query, operation_name)
        found = self._operations.get(key)
        if found is not None:
            self._operations.move_to_end(key)
            return found
        found = self._prepare(query, operation_name)
        self._operations[key] = found
        if len(self._operations) > self.maxsize:
            self._operations.popitem(last=False)
        return found

    def _prepare(self, query: str, operation_name: str | None) -> Operation:
        try:
            # an empty selection set is a syntax error (graphql-core 3.3 allows it by default, and
            # strawberry's depth rule fails on it)
            document = parse(query, max_tokens=self.max_tokens, allow_empty_selection_sets=False)
        except GraphQLError as error:
            return Operation(None, (error,), None, (), False)
        definition = _definition(document, operation_name)
        if definition is None:
            return Operation(document, (), None, (), False)
        kind = OperationType(definition.operation.value)
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        fields = root_fields(definition, fragments)
        errors = tuple(validate(self.schema, document, self.rules))
        limited = kind is OperationType.MUTATION and any(f.name.value in RATE_LIMITED for f in fields)
        public = anonymous_may_ask(definition.operation.value, fields, self.public)
        return Operation(document, errors, kind, fields, limited, public)


async def run_operation(
    *,
    schema: GraphQLSchema,
    operations: PreparedOperations,
    executor_class: Any,
    query: str | None,
    variable_values: dict[str, Any] | None,
    context: Any,
    root_value: Any,
    operation_name: str | None,
    allowed_operation_types: Iterable[OperationType] | None,
    operation_extensions: dict[str, Any] | None,
) -> ExecutionResult:
    """Prepare (cached), check, execute; then shape errors and audit. Raises strawberry's
    MissingQueryError, CannotGetOperationTypeError and InvalidOperationTypeError (HTTP 400)."""
    if not query:
        raise MissingQueryError
    operation = operations.get(query, operation_name)
    if operation.document is None:
        result = ExecutionResult(data=None, errors=list(operation.errors))
    else:
        if operation.kind is None:
            raise CannotGetOperationTypeError(operation_name)
        allowed = ALL_OPERATION_TYPES if allowed_operation_types is None else allowed_operation_types
        if operation.kind not in allowed:
            raise InvalidOperationTypeError(operation.kind)
        refusal = None
        if not operation.errors:  # who calls first; then, for costly mutations, how often
            refusal = anonymous_refusal(context, operation)
            if refusal is None and operation.limited:
                refusal = rate_limit(context)
        if operation.errors:
            result = ExecutionResult(data=None, errors=list(operation.errors))
        elif refusal is not None:
            result = ExecutionResult(data=None, errors=[refusal])
        else:
            try:
                done = await await_maybe(
                    execute(
                        schema,
                        operation.document,
                        root_value=root_value,
                        context_value=context,
                        variable_values=variable_values,
                        operation_name=operation_name,
                        is_awaitable=IS_AWAITABLE,
                        executor_class=executor_class,
                        operation_extensions=operation_extensions,
                    )
                )
                result = ExecutionResult(data=done.data, errors=done.errors)
            except Exception as exc:  # an error of the operation, answered as GraphQL
                error = exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
                result = ExecutionResult(data=None, errors=[error])
    await audit_operation(context, operation, result, variable_values or {})
    shape_errors(result, context)
    return result


def anonymous_refusal(context: Any, operation: Operation) -> GraphQLError | None:
    """UNAUTHENTICATED (HTTP 401, see shape_errors) for an anonymous caller whose operation asks
    for more than public fields, before anything it names is looked up (govkit.graphql.access)."""
    actor = getattr(context, "actor", None)
    if operation.public or (actor is not None and actor.is_authenticated):
        return None
    return GraphQLError(
        AUTHENTICATION_REQUIRED,
        extensions={"code": NotAuthenticated.code},
        original_error=NotAuthenticated(AUTHENTICATION_REQUIRED),
    )


def rate_limit(context: Any) -> GraphQLError | None:
    """Take a token from the caller's bucket; the error to answer (HTTP 429) when there is none."""
    limiter = getattr(context, "limiter", None)
    if limiter is None:
        return None
    wait = limiter.take(context.actor.subject)
    if wait <= 0:
        return None
    response = getattr(context, "response", None)
    if response is not None:
        response.status_code = 429
        response.headers["Retry-After"] = limiter.retry_after(wait)
    message = f"Too many requests: try again in {limiter.retry_after(wait)} s."
    return GraphQLError(message, extensions={"code": RateLimited.code}, original_error=RateLimited(message))


def camel_path(path: str) -> str:
    """'websites.public_site' → 'websites.publicSite', as the GraphQL input spells it."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), path)


def is_user_error(error: GraphQLError) -> bool:
    """Errors meant for the user: our own, GraphQL's syntax and validation errors, and the values
    that cannot be coerced to their type (graphql-core wraps the error that says why: a type's
    own, or a scalar's ValueError)."""
    original = error.original_error
    if isinstance(original, GraphQLError):
        return original.original_error is None or isinstance(original.original_error, GovkitError | ValueError)
    return original is None or isinstance(original, GovkitError)


def shape_errors(result: ExecutionResult, context: Any) -> None:
    """Give each GovkitError its code and problems; answer 401 when authentication is needed;
    log unexpected errors and, in production, replace them by a stable message with the request's
    reference."""
    if not result.errors:
        return
    settings = getattr(context, "settings", None)
    correlation = getattr(context, "correlation_id", "-")
    unauthenticated = False
    shaped: list[GraphQLError] = []
    for error in result.errors:
        exc = error.original_error
        if isinstance(exc, GovkitError):
            extensions = exc.extensions()
            for problem in extensions.get("problems", []):
                problem["path"] = camel_path(problem["path"])
            error.extensions = {**(error.extensions or {}), **extensions}
            unauthenticated = unauthenticated or isinstance(exc, NotAuthenticated)
            shaped.append(error)
        elif is_user_error(error):
            shaped.append(error)
        else:
            log.error("unexpected error %s in %s", correlation, error.path, exc_info=exc)
            if settings is not None and not settings.is_dev:
                shaped.append(
                    GraphQLError(
                        f"Internal error: the details were logged on the server (reference {correlation}).",
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "INTERNAL", "reference": correlation},
                    )
                )
            else:
                shaped.append(error)
    result.errors = shaped
    response = getattr(context, "response", None)
    if unauthenticated and response is not None:
        response.status_code = 401
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE


def _refused(errors: list[GraphQLError]) -> bool:
    return any(
        isinstance(e.original_error, Forbidden | NotAuthenticated | RateLimited)
        or (e.extensions or {}).get("code") == RateLimited.code
        for e in errors
    )


async def audit_operation(
    context: Any, operation: Operation, result: ExecutionResult, variables: dict[str, Any]
) -> None:
    """Write each mutation's root field, and each refused query field, to the audit log."""
    if not hasattr(context, "db") or operation.kind is None:
        return
    mutation = operation.kind is OperationType.MUTATION
    errors = list(result.errors or [])
    if not mutation and not errors:
        return
    entries = []
    for node in operation.fields:
        name = node.name.value
        if name.startswith("__"):
            continue
        key = node.alias.value if node.alias else name
        mine = [e for e in errors if e.path and e.path[0] == key]
        if not mine:  # the operation's own errors (syntax, validation, refusals before execution)
            mine = [e for e in errors if not e.path]
        refused = _refused(mine)
        if not mutation and not refused:
            continue
        outcome = "refused" if refused else "error" if mine else "ok"
        if outcome == "ok" and key in getattr(context, "audited", ()):
            continue  # the service wrote it in its own transaction
        arguments = {}
        for argument in node.arguments or ():
            try:
                arguments[argument.name.value] = value_from_ast_untyped(argument.value, variables)
            except Exception:  # an argument that cannot be read is recorded as unknown
                arguments[argument.name.value] = None
        detail = "; ".join(e.message for e in mine)[:500] or None
        entries.append((f"{operation.kind.value}.{name}", outcome, arguments, detail))
    if not entries:
        return

    def write() -> None:
        for action, outcome, arguments, detail in entries:
            audit.record(
                context.db,
                actor=context.actor,
                action=action,
                outcome=outcome,
                correlation_id=context.correlation_id,
                target=audit.summarise(arguments),
                detail=detail,
                client_ip=context.client_ip,
            )

    await anyio.to_thread.run_sync(write)
