"""Who calls the API: the bearer token of an ``Authorization`` header, for GraphQL and the plain routes.

``Authenticator.principal`` answers from the cache of role grants when it can (no database), and
otherwise in a batch with the other requests waiting for theirs (govkit.batching). A header that
is not ``Bearer <token>``, or a token that cannot be trusted, raises ``AuthenticationFailed``,
answered 401 by govkit.web.errors (and written to the audit log). No header: the anonymous caller.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Request

from govkit.access.roles import ANONYMOUS, Principal
from govkit.auth import service as auth
from govkit.auth.grants import GrantCache
from govkit.auth.tokens import InvalidToken
from govkit.batching import Batcher
from govkit.db import Database
from govkit.settings import Settings


class AuthenticationFailed(Exception):
    """The request's bearer token, or its Authorization header, cannot be trusted."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Authenticator:
    """Bearer tokens to principals, for one application (see the module's documentation)."""

    def __init__(self, *, db: Database, settings: Settings, grants: GrantCache) -> None:
        self.settings = settings
        self.grants = grants
        # concurrent requests share the database work of authentication
        self._batch: Batcher[str, Principal] = Batcher(
            lambda tokens: auth.authenticate_many(db=db, settings=settings, tokens=tokens, grants=grants)
        )

    async def principal(self, authorization: str | None) -> Principal:
        """The caller an ``Authorization`` header stands for (anonymous without one)."""
        if authorization is None or not authorization.strip():
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            known = auth.cached_principal(settings=self.settings, grants=self.grants, token=token.strip())
            return known if known is not None else await self._batch(token.strip())
        except InvalidToken as exc:
            raise AuthenticationFailed(str(exc)) from exc


def authenticator_of(request: Request) -> Authenticator:
    """The application's authenticator (``app.state.authenticator``)."""
    return cast(Authenticator, request.app.state.authenticator)


async def bearer_actor(
    authenticator: Annotated[Authenticator, Depends(authenticator_of)],
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller of a plain route, from its Authorization header."""
    return await authenticator.principal(authorization)


BearerActor = Annotated[Principal, Depends(bearer_actor)]
