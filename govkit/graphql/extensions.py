"""Schema extensions: user-facing error codes, and HTTP 401 when authentication is missing."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio.to_thread
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from govkit.errors import Forbidden, GovkitError, NotAuthenticated

WWW_AUTHENTICATE = 'Bearer realm="govkit"'
log = logging.getLogger("govkit.graphql")


def camel_path(path: str) -> str:
    """'websites.public_site' → 'websites.publicSite', as the GraphQL input spells it."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), path)


def is_user_error(error: GraphQLError) -> bool:
    """Errors meant for the user: our own, and GraphQL's syntax and validation errors."""
    return error.original_error is None or isinstance(error.original_error, GovkitError)


class GovkitErrors(SchemaExtension):
    """Give each GovkitError its code and problems; answer 401 when authentication is needed;
    in production, replace unexpected errors by a stable message with the request's reference."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        context = self.execution_context.context
        settings = getattr(context, "settings", None)
        correlation = getattr(context, "correlation_id", "-")
        unauthenticated = False
        processed: list[GraphQLError] = []
        for error in errors:
            exc = error.original_error
            if isinstance(exc, GovkitError):
                extensions = exc.extensions()
                for problem in extensions.get("problems", []):
                    problem["path"] = camel_path(problem["path"])
                error.extensions = {**(error.extensions or {}), **extensions}
                unauthenticated = unauthenticated or isinstance(exc, NotAuthenticated)
                processed.append(error)
            elif not is_user_error(error) and settings is not None and not settings.is_dev:
                log.error("unexpected error %s in %s", correlation, error.path, exc_info=exc)
                processed.append(
                    GraphQLError(
                        f"Internal error: the details were logged on the server (reference {correlation}).",
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "INTERNAL", "reference": correlation},
                    )
                )
            else:
                processed.append(error)
        if errors and result is not None:
            result.errors = processed
        response = getattr(context, "response", None)
        if unauthenticated and response is not None:
            response.status_code = 401
            response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log errors that are not meant for the user, with their traceback."""
    for error in errors:
        if not is_user_error(error):
            log.error("unexpected error in %s", error.path, exc_info=error.original_error)


#: Mutations that cost the most, limited per identity.
RATE_LIMITED = frozenset({"acknowledge", "uploadRootTemplateVersion", "importPersons", "recordPaperAcknowledgement"})


def _root_fields(document: Any, operation_name: str | None) -> tuple[str | None, list[Any]]:
    from graphql import OperationDefinitionNode

    for definition in getattr(document, "definitions", []):
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            return definition.operation.value, list(definition.selection_set.selections)
    return None, []


class AuditAndLimits(SchemaExtension):
    """Rate-limits costly mutations per identity (HTTP 429), and writes every mutation and refusal
    to the audit log."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        limiter = getattr(context, "limiter", None)
        operation, fields = _root_fields(self.execution_context.graphql_document, self.execution_context.operation_name)
        if operation == "mutation" and limiter is not None:
            names = {getattr(f.name, "value", "") for f in fields}
            if names & RATE_LIMITED:
                wait = limiter.take(context.actor.subject)
                if wait > 0:
                    response = getattr(context, "response", None)
                    if response is not None:
                        response.status_code = 429
                        response.headers["Retry-After"] = limiter.retry_after(wait)
                    message = f"Too many requests: try again in {limiter.retry_after(wait)} s."
                    raise GraphQLError(
                        message, extensions={"code": RateLimited.code}, original_error=RateLimited(message)
                    )
        yield

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        context = self.execution_context.context
        if not hasattr(context, "db"):
            return
        from graphql import GraphQLError as _Error
        from graphql.utilities import value_from_ast_untyped

        operation, fields = _root_fields(self.execution_context.graphql_document, self.execution_context.operation_name)
        result = self.execution_context.result
        errors: list[_Error] = list(getattr(result, "errors", None) or [])
        variables = self.execution_context.variables or {}
        entries = []
        for node in fields:
            name = getattr(getattr(node, "name", None), "value", None)
            if name is None or name.startswith("__"):
                continue
            key = node.alias.value if getattr(node, "alias", None) else name
            mine = [e for e in errors if e.path and e.path[0] == key] or (
                [e for e in errors if not e.path] if operation == "mutation" else []
            )
            refused = any(
                isinstance(e.original_error, Forbidden | NotAuthenticated | RateLimited)
                or (e.extensions or {}).get("code") == RateLimited.code
                for e in mine
            )
            if operation != "mutation" and not refused:
                continue
            outcome = "refused" if refused else "error" if mine else "ok"
            if outcome == "ok" and key in getattr(context, "audited", ()):
                continue
            arguments = {}
            for argument in getattr(node, "arguments", []) or []:
                try:
                    arguments[argument.name.value] = value_from_ast_untyped(argument.value, variables)
                except Exception:
                    arguments[argument.name.value] = None
            detail = "; ".join(e.message for e in mine)[:500] or None
            entries.append((f"{operation}.{name}", outcome, arguments, detail))
        if not entries:
            return
        from govkit.auth import audit

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


class RateLimited(GovkitError):
    code = "RATE_LIMITED"
