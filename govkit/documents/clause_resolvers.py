"""GraphQL entry points of the clause library: read it as of a day with its history; legal staff add
and rename clauses, and add or remove a kind's required clause from a date (with four eyes, a
request a second legal officer approves: ``approve`` of govkit.approvals)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from govkit.approvals import service as approvals
from govkit.approvals.types import Approval
from govkit.documents import clause_service as service
from govkit.documents import required_clauses
from govkit.documents.clause_library import RequiredPeriod
from govkit.documents.clause_models import ClauseDefinitionRevision
from govkit.resolving import Info


@strawberry.type(description="The titles a clause was given, by whom, when and why")
class ClauseTitleRevision:
    title_fr: str
    title_en: str
    reason: str
    recorded_at: datetime
    recorded_by: str

    @classmethod
    def of(cls, r: ClauseDefinitionRevision) -> ClauseTitleRevision:
        return cls(
            title_fr=r.title_fr,
            title_en=r.title_en,
            reason=r.reason,
            recorded_at=r.recorded_at,
            recorded_by=r.recorded_by,
        )


@strawberry.type(description="A clause of the library: its key (what templates mark), titles and their history")
class LibraryClause:
    key: str
    title_fr: str
    title_en: str
    created_at: datetime | None
    created_by: str | None
    required_by: list[str] = strawberry.field(description="The kinds requiring it on the day asked")
    history: list[ClauseTitleRevision] = strawberry.field(description="Every revision of its titles, oldest first")

    @classmethod
    def of(cls, c: service.ClauseEntry) -> LibraryClause:
        return cls(
            key=c.key,
            title_fr=c.title_fr,
            title_en=c.title_en,
            created_at=c.created_at,
            created_by=c.created_by,
            required_by=list(c.required_by),
            history=[ClauseTitleRevision.of(r) for r in c.revisions],
        )


@strawberry.type(description="A period during which a kind requires a clause (valid time), who asked, approved, why")
class RequiredClausePeriod:
    kind: str
    clause: str
    required_from: date | None = strawberry.field(description="From this day; null: from the start (the seed)")
    until: date | None = strawberry.field(description="Until this day (exclusive); null: still required")
    reason: str | None
    recorded_at: datetime | None
    recorded_by: str | None
    approved_by: str | None = strawberry.field(description="The second legal officer (four eyes), if any")
    ended_at: datetime | None = strawberry.field(description="When the removal was recorded")
    ended_by: str | None
    end_reason: str | None
    end_approved_by: str | None

    @classmethod
    def of(cls, p: RequiredPeriod) -> RequiredClausePeriod:
        return cls(
            kind=p.kind,
            clause=p.clause,
            required_from=p.valid_from,
            until=p.valid_to,
            reason=p.reason,
            recorded_at=p.recorded_at,
            recorded_by=p.recorded_by,
            approved_by=p.approved_by,
            ended_at=p.ended_recorded_at,
            ended_by=p.ended_by,
            end_reason=p.end_reason,
            end_approved_by=p.end_approved_by,
        )


@strawberry.type(description="A clause a kind will require from a later day")
class PlannedClause:
    clause: str
    required_from: date


@strawberry.type(description="A kind's required clauses on the day asked, and every period of its history")
class KindRequiredClauses:
    kind: str
    title_fr: str
    title_en: str
    required_clauses: list[str]
    planned: list[PlannedClause]
    history: list[RequiredClausePeriod]

    @classmethod
    def of(cls, k: service.KindRequirement) -> KindRequiredClauses:
        return cls(
            kind=k.kind,
            title_fr=k.title_fr,
            title_en=k.title_en,
            required_clauses=list(k.required),
            planned=[PlannedClause(clause=c, required_from=d) for c, d in k.planned],
            history=[RequiredClausePeriod.of(p) for p in k.periods],
        )


@strawberry.type(description="The clause library on a day (valid time), as known at a moment (recorded time)")
class ClauseLibrary:
    as_of: date
    known_at: datetime | None
    stored: bool = strawberry.field(description="false: no clause in the database, the YAML seed answers")
    clauses: list[LibraryClause]
    kinds: list[KindRequiredClauses]
    changes: list[Approval] = strawberry.field(
        description="The requests to change the required clauses (four eyes), newest first"
    )

    @classmethod
    def of(cls, v: service.LibraryView) -> ClauseLibrary:
        return cls(
            as_of=v.as_of,
            known_at=v.known_at,
            stored=v.stored,
            clauses=[LibraryClause.of(c) for c in v.clauses],
            kinds=[KindRequiredClauses.of(k) for k in v.kinds],
            changes=[Approval.of(a) for a in v.changes],
        )


@strawberry.type(description="A change of the required clauses: made now, or waiting for a second legal officer")
class RequiredClauseChange:
    applied: RequiredClausePeriod | None = strawberry.field(description="The period opened or closed, when made now")
    approval: Approval | None = strawberry.field(description="The request for approval, with four eyes")


async def _clause(info: Info, key: str) -> LibraryClause:
    view = await info.context.call(service.clause_library)
    return next(LibraryClause.of(c) for c in view.clauses if c.key == key)


@strawberry.type
class ClauseLibraryQuery:
    @strawberry.field(
        description="The clause library on asOf (today by default) as known at knownAt: each clause with its "
        "titles' history, each kind's required clauses with their periods, the requests to change them"
    )
    async def clause_library(
        self,
        info: Info,
        as_of: Annotated[date | None, strawberry.argument(description="The day (valid time)")] = None,
        known_at: Annotated[datetime | None, strawberry.argument(description="As known then")] = None,
    ) -> ClauseLibrary:
        return ClauseLibrary.of(await info.context.call(service.clause_library, as_of=as_of, known_at=known_at))


@strawberry.type
class ClauseLibraryMutation:
    @strawberry.mutation(
        description="Add a clause to the library, with its French and English titles and why (legal staff; "
        "audited): root templates may use its key from then on"
    )
    async def add_clause(self, info: Info, key: str, title_fr: str, title_en: str, reason: str) -> LibraryClause:
        await info.context.call(
            service.add_clause,
            key=key,
            title_fr=title_fr,
            title_en=title_en,
            reason=reason,
            action="mutation.addClause",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))  # written with the clause, in its transaction
        return await _clause(info, key.strip())

    @strawberry.mutation(description="Give a clause new titles, with why (legal staff; audited); its key stays")
    async def rename_clause(self, info: Info, key: str, title_fr: str, title_en: str, reason: str) -> LibraryClause:
        await info.context.call(
            service.rename_clause,
            key=key,
            title_fr=title_fr,
            title_en=title_en,
            reason=reason,
            action="mutation.renameClause",
            correlation_id=info.context.correlation_id,
            client_ip=info.context.client_ip,
        )
        info.context.audited.add(str(info.path.key))
        return await _clause(info, key)

    @strawberry.mutation(
        description="Require a clause in a kind from a day, with why (legal staff; audited): rules as of days "
        "before it do not ask for it. With four eyes, a request a second legal officer approves"
    )
    async def add_required_clause(
        self,
        info: Info,
        kind: str,
        clause: str,
        from_: Annotated[date, strawberry.argument(name="from", description="Required from this day")],
        reason: str,
    ) -> RequiredClauseChange:
        return await _change(info, kind, clause, "add", from_, reason)

    @strawberry.mutation(
        description="Stop requiring a clause in a kind from a day, with why (legal staff; audited). With four "
        "eyes, a request a second legal officer approves"
    )
    async def remove_required_clause(
        self,
        info: Info,
        kind: str,
        clause: str,
        from_: Annotated[date, strawberry.argument(name="from", description="No longer required from this day")],
        reason: str,
    ) -> RequiredClauseChange:
        return await _change(info, kind, clause, "remove", from_, reason)


async def _change(info: Info, kind: str, clause: str, action: str, day: date, reason: str) -> RequiredClauseChange:
    outcome = await info.context.call(
        required_clauses.change_required_clause,
        kind=kind,
        clause=clause,
        action=action,
        effective_on=day,
        reason=reason,
        four_eyes=approvals.four_eyes(info.context.settings),
        audit_action=f"mutation.{info.path.key}",
        correlation_id=info.context.correlation_id,
        client_ip=info.context.client_ip,
    )
    info.context.audited.add(str(info.path.key))
    applied = None
    if outcome.period is not None:
        view = await info.context.call(service.clause_library, as_of=day)
        found = (p for k in view.kinds if k.kind == kind for p in k.periods if p.id == outcome.period.id)
        applied = next((RequiredClausePeriod.of(p) for p in found), None)
    return RequiredClauseChange(
        applied=applied, approval=Approval.of(outcome.approval) if outcome.approval is not None else None
    )
