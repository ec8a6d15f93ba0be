"""Schema extensions: user-facing error codes, and HTTP 401 when authentication is missing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from govkit.errors import GovkitError, NotAuthenticated

WWW_AUTHENTICATE = 'Bearer realm="govkit"'
log = logging.getLogger("govkit.graphql")


def camel_path(path: str) -> str:
    """'websites.public_site' → 'websites.publicSite', as the GraphQL input spells it."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), path)


def original(error: GraphQLError) -> BaseException | None:
    return error.original_error


def is_user_error(error: GraphQLError) -> bool:
    """Errors meant for the user: our own, and GraphQL's syntax and validation errors."""
    return error.original_error is None or isinstance(error.original_error, GovkitError)


class GovkitErrors(SchemaExtension):
    """Give each GovkitError its code and problems; answer 401 when authentication is needed."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        unauthenticated = False
        for error in errors:
            exc = error.original_error
            if isinstance(exc, GovkitError):
                extensions = exc.extensions()
                for problem in extensions.get("problems", []):
                    problem["path"] = camel_path(problem["path"])
                error.extensions = {**(error.extensions or {}), **extensions}
                unauthenticated = unauthenticated or isinstance(exc, NotAuthenticated)
        context = self.execution_context.context
        response = getattr(context, "response", None)
        if unauthenticated and response is not None:
            response.status_code = 401
            response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log errors that are not meant for the user, with their traceback."""
    for error in errors:
        if not is_user_error(error):
            log.error("unexpected error in %s", error.path, exc_info=error.original_error)
