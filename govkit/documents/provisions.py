"""Local provisions: a school's own text at the provision places of its documents.

The school's administration proposes a text in French and English for a place of a kind
(kinds.yaml ``provision_places``); legal staff approve it, or send it back with a comment; the
school may revise it and propose again. Every step records who and when, in the revision and in
the audit log (in the same transaction). The latest approved revision is what the school's next
variants print at that place (``approved_paragraphs``, read by govkit.documents.variants); other
schools' variants never see it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from govkit.access import audit
from govkit.access.policy import Action, authorize
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, given_id, unknown
from govkit.db import Database, stored_id, utcnow
from govkit.documents.kinds import KindSpec, ProvisionPlace, catalogue
from govkit.documents.provision_models import LocalProvision, LocalProvisionRevision
from govkit.documents.provision_text import paragraphs_of
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for

MIN_COMMENT = 5


@dataclass(frozen=True)
class ProvisionState:
    """A school's provision at one place: its revisions (newest first), the approved one in force."""

    school: str
    kind: str
    place: ProvisionPlace
    provision_id: int | None
    revisions: list[LocalProvisionRevision] = field(default_factory=list)

    @property
    def approved(self) -> LocalProvisionRevision | None:
        return next((r for r in self.revisions if r.decision == "approved"), None)

    @property
    def pending(self) -> LocalProvisionRevision | None:
        latest = self.revisions[0] if self.revisions else None
        return latest if latest is not None and latest.decision is None else None

    @property
    def status(self) -> str:
        """none, proposed (awaiting review), approved or sent_back: of the latest revision."""
        if not self.revisions:
            return "none"
        return self.revisions[0].decision or "proposed"


def _audit(
    session: Session, actor: Principal, action: str, correlation_id: str, client_ip: str | None, **target: Any
) -> None:
    audit.add(session, actor=actor, action=action, correlation_id=correlation_id, target=target, client_ip=client_ip)


def _revisions(session: Session, provision_ids: Iterable[int]) -> dict[int, list[LocalProvisionRevision]]:
    found: dict[int, list[LocalProvisionRevision]] = {}
    ids = list(provision_ids)
    if not ids:
        return found
    query = (
        select(LocalProvisionRevision)
        .where(col(LocalProvisionRevision.provision_id).in_(ids))
        .order_by(col(LocalProvisionRevision.number).desc())
    )
    for revision in session.exec(query).all():
        found.setdefault(revision.provision_id, []).append(revision)
    return found


def _states(session: Session, org: Organisation, kinds: list[KindSpec]) -> list[ProvisionState]:
    rows = session.exec(select(LocalProvision).where(LocalProvision.organisation_id == stored_id(org))).all()
    by_place = {(p.kind, p.place): p for p in rows}
    revisions = _revisions(session, [stored_id(p) for p in rows])
    states = []
    for spec in kinds:
        for place in spec.provision_places:
            row = by_place.get((spec.key, place.key))
            states.append(
                ProvisionState(
                    org.code,
                    spec.key,
                    place,
                    None if row is None else stored_id(row),
                    [] if row is None else revisions.get(stored_id(row), []),
                )
            )
    return states


def school_provisions(*, db: Database, actor: Principal, school: str, kind: str | None = None) -> list[ProvisionState]:
    """Every provision place of every kind (or of ``kind``) at ``school``, with its revisions."""
    authorize_some(actor, Action.READ_PROVISIONS)
    with db.reading() as session:
        org = organisation_for(session, actor, Action.READ_PROVISIONS, school)
        kinds = [catalogue().kind(kind)] if kind else list(catalogue().kinds.values())
        return _states(session, org, kinds)


def pending_provisions(*, db: Database, actor: Principal) -> list[ProvisionState]:
    """Every provision whose latest revision awaits legal staff's review, by school (legal staff)."""
    authorize(actor, Action.REVIEW_PROVISION)
    with db.reading() as session:
        latest = {}
        for revision in session.exec(select(LocalProvisionRevision).order_by(col(LocalProvisionRevision.number))):
            latest[revision.provision_id] = revision
        waiting = [pid for pid, r in latest.items() if r.decision is None]
        rows = session.exec(select(LocalProvision).where(col(LocalProvision.id).in_(waiting))).all()
        orgs = {stored_id(o): o for o in session.exec(select(Organisation)).all()}
        revisions = _revisions(session, waiting)
        states = []
        for row in rows:
            spec = catalogue().kinds.get(row.kind)
            place = next((p for p in spec.provision_places if p.key == row.place), None) if spec else None
            if place is None:  # a place no longer declared: nothing to render it into
                continue
            states.append(
                ProvisionState(
                    orgs[row.organisation_id].code, row.kind, place, stored_id(row), revisions[stored_id(row)]
                )
            )
        return sorted(states, key=lambda s: (s.school, s.kind, s.place.key))


def propose_provision(
    *,
    db: Database,
    actor: Principal,
    school: str,
    kind: str,
    place: str,
    text_fr: str,
    text_en: str,
    action: str = "provisions.propose",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> LocalProvisionRevision:
    """The school's administration proposes its text (French and English) for a place: a new revision
    awaiting legal staff's review (refused while an earlier one still awaits it)."""
    authorize_some(actor, Action.PROPOSE_PROVISION)
    with db.transaction() as session:
        org = organisation_for(session, actor, Action.PROPOSE_PROVISION, school)
        spec = catalogue().kind(kind)
        spec.provision_place(place)
        paragraphs_of(text_fr, "fr")
        paragraphs_of(text_en, "en")
        row = session.exec(
            select(LocalProvision).where(
                LocalProvision.organisation_id == stored_id(org),
                LocalProvision.kind == kind,
                LocalProvision.place == place,
            )
        ).first()
        if row is None:
            row = LocalProvision(organisation_id=stored_id(org), kind=kind, place=place, created_by=actor.label)
            session.add(row)
            session.flush()
        previous = _revisions(session, [stored_id(row)]).get(stored_id(row), [])
        if previous and previous[0].decision is None:
            raise InvalidInput(
                f"Revision {previous[0].number} of this provision awaits legal staff's review: "
                "wait for their decision before proposing again.",
                key="provision_pending",
                params={"number": previous[0].number},
            )
        revision = LocalProvisionRevision(
            provision_id=stored_id(row),
            number=(previous[0].number + 1) if previous else 1,
            text_fr=text_fr.strip(),
            text_en=text_en.strip(),
            proposed_by=actor.label,
        )
        session.add(revision)
        session.flush()
        _audit(
            session,
            actor,
            action,
            correlation_id,
            client_ip,
            school=org.code,
            kind=kind,
            place=place,
            revision=revision.number,
        )
        return revision


def _pending_revision(
    session: Session, actor: Principal, revision_id: int | str
) -> tuple[LocalProvision, LocalProvisionRevision]:
    revision = session.get(LocalProvisionRevision, given_id(actor, Action.REVIEW_PROVISION, revision_id, "revision"))
    if revision is None:
        unknown(
            actor,
            Action.REVIEW_PROVISION,
            NotFound(f"No provision revision {revision_id}.", key="no_provision_revision", params={"id": revision_id}),
        )
    row = session.get(LocalProvision, revision.provision_id)
    assert row is not None
    authorize(actor, Action.REVIEW_PROVISION, organisation_id=row.organisation_id)
    if revision.decision is not None:
        raise InvalidInput(
            f"Revision {revision.number} was already decided ({revision.decision} by {revision.decided_by}).",
            key="provision_decided",
            params={"number": revision.number},
        )
    return row, revision


def decide_provision(
    *,
    db: Database,
    actor: Principal,
    revision_id: int | str,
    approve: bool,
    comment: str | None = None,
    action: str = "provisions.review",
    correlation_id: str = "-",
    client_ip: str | None = None,
) -> LocalProvisionRevision:
    """Legal staff approve a proposed revision (its text goes into the school's next variants) or send
    it back with a comment (the school revises it and proposes again). The single way a provision
    is decided: a second pair of eyes (govkit.approvals) can be routed through here."""
    authorize_some(actor, Action.REVIEW_PROVISION)
    said = (comment or "").strip()
    with db.transaction() as session:
        row, revision = _pending_revision(session, actor, revision_id)
        if not approve and len(said) < MIN_COMMENT:
            raise InvalidInput(
                f"Say why the provision is sent back (a comment of {MIN_COMMENT} characters or more).",
                key="provision_comment_needed",
            )
        if approve:  # the text is checked again, as it will be printed
            paragraphs_of(revision.text_fr, "fr")
            paragraphs_of(revision.text_en, "en")
        revision.decision = "approved" if approve else "sent_back"
        revision.decided_by = actor.label
        revision.decided_at = utcnow()
        revision.comment = said[:4000] or None
        session.add(revision)
        org = session.get(Organisation, row.organisation_id)
        _audit(
            session,
            actor,
            action,
            correlation_id,
            client_ip,
            school=org.code if org else None,
            kind=row.kind,
            place=row.place,
            revision=revision.number,
            decision=revision.decision,
        )
        session.flush()
        return revision


def approved_paragraphs(
    session: Session, organisation_ids: list[int], kind: str, language: str
) -> dict[int, dict[str, list[str]]]:
    """The paragraphs of each school's approved provisions of ``kind`` in ``language``, by place (for
    rendering; the caller has authorised the render). Places no longer declared are left out."""
    places = {p.key for p in catalogue().kind(kind).provision_places}
    rows = session.exec(
        select(LocalProvision).where(
            col(LocalProvision.organisation_id).in_(organisation_ids), LocalProvision.kind == kind
        )
    ).all()
    if not rows:
        return {}
    approved: dict[int, LocalProvisionRevision] = {}
    query = (
        select(LocalProvisionRevision)
        .where(
            col(LocalProvisionRevision.provision_id).in_([stored_id(r) for r in rows]),
            LocalProvisionRevision.decision == "approved",
        )
        .order_by(col(LocalProvisionRevision.number))
    )
    for revision in session.exec(query).all():
        approved[revision.provision_id] = revision  # the latest approved wins
    found: dict[int, dict[str, list[str]]] = {}
    for row in rows:
        chosen = approved.get(stored_id(row))
        if chosen is None or row.place not in places:
            continue
        text = chosen.text_fr if language == "fr" else chosen.text_en
        found.setdefault(row.organisation_id, {})[row.place] = paragraphs_of(text, language)
    return found
