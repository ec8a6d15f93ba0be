"""The clause library for the entry points: read it as of a day (with every title's and required
clause's history), add a clause, rename one (legal staff; audited). Changes to the required
clauses are in govkit.documents.required_clauses (they need a second legal officer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from govkit.access.audit import AuditEvent
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.approvals.models import Approval
from govkit.db import Database, utcnow
from govkit.documents.clause_library import Library, RequiredPeriod, catalogue_on, load_library
from govkit.documents.clause_models import TITLE_LENGTH, ClauseDefinition, ClauseDefinitionRevision
from govkit.documents.kinds import Catalogue, catalogue
from govkit.errors import Conflict, InvalidInput, NotFound
from govkit.timeline import AsOf

#: A clause key: dotted lower-case words (``vss.listening_cell``); at most 56 characters, so that the
#: templates' content-control tag ``clause:<key>`` stays within Word's 64.
KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
KEY_MOST = 56
REASON_LEAST = 10
#: The approvals' action of a change to the required clauses (govkit.documents.required_clauses).
REQUIRED_CLAUSES_ACTION = "documents.required_clauses.change"


def audit(
    session: Session,
    actor: Principal,
    action: str,
    target: dict[str, object],
    detail: str,
    correlation_id: str,
    client_ip: str | None,
) -> None:
    """The audit event of a change, in the change's transaction."""
    session.add(
        AuditEvent(
            correlation_id=correlation_id,
            subject=actor.subject,
            role=actor.role.value if actor.role else None,
            organisation=actor.organisation_code,
            action=action,
            target=target,
            outcome="ok",
            detail=detail[:2000],
            client_ip=client_ip,
        )
    )


def checked_reason(reason: str) -> str:
    why = reason.strip()
    if len(why) < REASON_LEAST:
        raise InvalidInput(
            "Donnez la raison du changement (10 caractères au moins). / Give the reason (10+ characters).",
            key="clause_reason_required",
            params={"least": REASON_LEAST},
        )
    return why[:2000]


def checked_key(key: str) -> str:
    cleaned = key.strip()
    if len(cleaned) > KEY_MOST or not KEY.fullmatch(cleaned):
        raise InvalidInput(
            f"Clause key {key[:80]!r} is not valid: use dotted lower-case words (e.g. vss.listening_cell), "
            f"at most {KEY_MOST} characters.",
            key="clause_key_invalid",
            params={"key": key[:80], "most": KEY_MOST},
        )
    return cleaned


def _title(value: str, language: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > TITLE_LENGTH:
        raise InvalidInput(
            f"The {'French' if language == 'fr' else 'English'} title is required (at most {TITLE_LENGTH} characters).",
            key="clause_title_required",
            params={"language": language, "most": TITLE_LENGTH},
        )
    return cleaned


def existing_clause(session: Session, key: str) -> ClauseDefinition:
    found = session.get(ClauseDefinition, key)
    if found is None:
        raise NotFound(f"No clause {key[:80]!r} in the clause library.", key="no_clause", params={"key": key[:80]})
    return found


def add_clause(
    *,
    db: Database,
    actor: Principal,
    key: str,
    title_fr: str,
    title_en: str,
    reason: str,
    action: str = "clauses.add",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> ClauseDefinitionRevision:
    """Add a clause to the library (legal staff): templates may use its key from now on."""
    authorize(actor, Action.EDIT_CLAUSE_LIBRARY)
    key = checked_key(key)
    fr, en, why = _title(title_fr, "fr"), _title(title_en, "en"), checked_reason(reason)
    with db.transaction() as session:
        if session.get(ClauseDefinition, key) is not None:
            raise Conflict(
                f"The clause {key!r} is in the library already: rename it instead.",
                key="clause_exists",
                params={"key": key},
            )
        now = utcnow()
        session.add(ClauseDefinition(key=key, created_at=now, created_by=actor.label))
        session.flush()
        revision = ClauseDefinitionRevision(
            clause_key=key, title_fr=fr, title_en=en, reason=why, recorded_at=now, recorded_by=actor.label
        )
        session.add(revision)
        audit(session, actor, action, {"clause": key}, f"added: {fr} / {en}", correlation_id, client_ip)
        session.flush()
        return revision


def rename_clause(
    *,
    db: Database,
    actor: Principal,
    key: str,
    title_fr: str,
    title_en: str,
    reason: str,
    action: str = "clauses.rename",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> ClauseDefinitionRevision:
    """Give a clause new titles (legal staff); its key, which templates use, never changes."""
    authorize(actor, Action.EDIT_CLAUSE_LIBRARY)
    fr, en, why = _title(title_fr, "fr"), _title(title_en, "en"), checked_reason(reason)
    with db.transaction() as session:
        existing_clause(session, key)
        current = session.exec(
            select(ClauseDefinitionRevision)
            .where(ClauseDefinitionRevision.clause_key == key)
            .order_by(col(ClauseDefinitionRevision.recorded_at).desc(), col(ClauseDefinitionRevision.id).desc())
        ).first()
        if current is not None and (current.title_fr, current.title_en) == (fr, en):
            raise InvalidInput(
                "These are the clause's titles already: nothing changes.", key="clause_same_titles", params={"key": key}
            )
        revision = ClauseDefinitionRevision(
            clause_key=key, title_fr=fr, title_en=en, reason=why, recorded_by=actor.label
        )
        session.add(revision)
        before = f"{current.title_fr} / {current.title_en}" if current else "?"
        audit(session, actor, action, {"clause": key}, f"{before} -> {fr} / {en}", correlation_id, client_ip)
        session.flush()
        return revision


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseEntry:
    """A clause as the library page shows it: its titles, the kinds requiring it on the day, its
    titles' history (oldest first)."""

    key: str
    title_fr: str
    title_en: str
    created_at: datetime | None
    created_by: str | None
    required_by: tuple[str, ...]
    revisions: tuple[ClauseDefinitionRevision, ...] = ()


@dataclass(frozen=True)
class KindRequirement:
    """A kind's required clauses on the day, and every period any clause was required (its history)."""

    kind: str
    title_fr: str
    title_en: str
    required: tuple[str, ...]
    periods: tuple[RequiredPeriod, ...]
    planned: tuple[tuple[str, date], ...] = ()  # required from a later day


@dataclass(frozen=True)
class LibraryView:
    as_of: date
    known_at: datetime | None
    stored: bool  # False: no clause in the database, the YAML seed answers
    clauses: list[ClauseEntry]
    kinds: list[KindRequirement]
    #: the requests to change the required clauses (govkit.approvals), newest first
    changes: list[Approval] = field(default_factory=list)


def view_of(
    library: Library,
    day: date,
    revisions: list[ClauseDefinitionRevision],
    changes: list[Approval],
    definitions: dict[str, ClauseDefinition],
    known_at: datetime | None = None,
) -> LibraryView:
    required = library.required_on(day)
    planned = library.planned_after(day)
    by_clause: dict[str, list[str]] = {}
    for kind, keys in required.items():
        for key in keys:
            by_clause.setdefault(key, []).append(kind)
    history: dict[str, list[ClauseDefinitionRevision]] = {}
    for r in revisions:
        history.setdefault(r.clause_key, []).append(r)
    clauses = [
        ClauseEntry(
            key=key,
            title_fr=title.fr,
            title_en=title.en,
            created_at=definitions[key].created_at if key in definitions else None,
            created_by=definitions[key].created_by if key in definitions else None,
            required_by=tuple(by_clause.get(key, ())),
            revisions=tuple(history.get(key, ())),
        )
        for key, title in library.titles.items()
    ]
    kinds = [
        KindRequirement(
            kind=key,
            title_fr=spec.title.fr,
            title_en=spec.title.en,
            required=required.get(key, ()),
            periods=tuple(p for p in library.periods if p.kind == key),
            planned=planned.get(key, ()),
        )
        for key, spec in catalogue().kinds.items()
    ]
    return LibraryView(day, known_at, library.stored, clauses, kinds, changes)


def clause_library(
    *, db: Database, actor: Principal, as_of: date | None = None, known_at: datetime | None = None
) -> LibraryView:
    """The library on ``as_of`` (today by default; valid time) as known at ``known_at`` (recorded time):
    the clauses with their titles' history, each kind's required clauses with their periods, and
    the requests to change the required clauses (pending, approved, refused)."""
    authorize(actor, Action.READ_CLAUSE_LIBRARY)
    when = AsOf.of(as_of, known_at)
    with db.reading() as session:
        library = load_library(session.connection(), when)
        revisions_query = select(ClauseDefinitionRevision).order_by(
            col(ClauseDefinitionRevision.recorded_at), col(ClauseDefinitionRevision.id)
        )
        changes_query = (
            select(Approval).where(Approval.action == REQUIRED_CLAUSES_ACTION).order_by(col(Approval.id).desc())
        )
        if when.known_at is not None:
            revisions_query = revisions_query.where(col(ClauseDefinitionRevision.recorded_at) <= when.known_at)
            changes_query = changes_query.where(col(Approval.requested_at) <= when.known_at)
        revisions = list(session.exec(revisions_query))
        changes = list(session.exec(changes_query))
        definitions = {d.key: d for d in session.exec(select(ClauseDefinition))}
    return view_of(library, when.day, revisions, changes, definitions, when.known_at)


def current_catalogue(*, db: Database, actor: Principal, as_of: date | None = None) -> Catalogue:
    """The kinds with the clauses each requires on ``as_of`` (today by default) and the library's
    titles: what the pages and ``documentKinds`` show (public, as the kinds are)."""
    authorize(actor, Action.READ_KINDS)
    with db.reading() as session:
        return catalogue_on(session.connection(), as_of)
