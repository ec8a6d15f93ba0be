"""GraphQL entry points of the bearer tokens: who holds one, and revoking one (legal staff)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from govkit.auth import token_admin
from govkit.resolving import Info, build


@strawberry.type(description="A bearer token as govkit knows it: its role grant (the token's text is never kept)")
class Token:
    id: strawberry.ID
    name: str
    subject: str
    role: str
    school: str | None
    person: str | None = strawberry.field(description="The person's external id (member tokens)")
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str = strawberry.field(description="active, revoked or expired")
    scopes: list[str] = strawberry.field(
        description="Named scopes beyond the role (persons:read: an intranet token sees persons' names and e-mails)"
    )

    @classmethod
    def from_info(cls, info: token_admin.TokenInfo) -> Token:
        return build(cls, info, status=info.status(), scopes=info.scopes.split())


@strawberry.type
class TokenRevocation:
    token: Token
    already_revoked: bool = strawberry.field(description="The token was revoked before: nothing changed")


@strawberry.type
class TokenQuery:
    @strawberry.field(description="The bearer tokens, oldest first: the active ones, or all (legal staff)")
    async def tokens(
        self,
        info: Info,
        role: str | None = None,
        school: str | None = None,
        include_inactive: bool = False,
    ) -> list[Token]:
        found = await info.context.call(
            token_admin.list_tokens, role=role, school=school, include_inactive=include_inactive
        )
        return [Token.from_info(t) for t in found]


@strawberry.type
class TokenMutation:
    @strawberry.mutation(
        description="Revoke a bearer token: from now on it answers HTTP 401, in every server process (legal staff)"
    )
    async def revoke_token(self, info: Info, id: strawberry.ID) -> TokenRevocation:
        revocation = await info.context.call(
            token_admin.revoke_token,
            token=str(id),  # the service authorises the caller before it reads the id
            by_name=False,
            action="mutation.revokeToken",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))  # written with the revocation, in its transaction
        return TokenRevocation(token=Token.from_info(revocation.token), already_revoked=revocation.already_revoked)
