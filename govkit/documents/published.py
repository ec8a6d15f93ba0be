"""Published documents: a variant put in force for its school from a date (the documents' part of
govkit.flows.publication), the documents in force on a date, a document's history, and
downloads by hash."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access.policy import Action, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.documents.clause_index import index_document_version
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.documents.review_models import TrackedChangeReview
from govkit.documents.root_templates import check_change, check_language, root_version
from govkit.documents.variants import variant_for
from govkit.errors import Conflict, InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_for
from govkit.timeline import AsOf, known_by


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60]


@dataclass(frozen=True)
class Publication:
    """A variant put in force: the new version of its school's document, the one it follows."""

    document: DocumentVersion
    previous: DocumentVersion | None
    school: str


def put_in_force(
    session: Session,
    *,
    actor: Principal,
    variant_id: int | str,
    effective_from: date | None = None,
    change_kind: str | None = None,
    changelog: str | None = None,
) -> Publication:
    """Put a variant in force for its school from a date, as the next version of that document, in
    the caller's transaction (govkit.flows.publication: with its campaign, after the chain's lock)."""
    variant = variant_for(session, actor, Action.PUBLISH_VARIANT, variant_id)
    template, version = root_version(session, variant.root_template_version_id)
    effective = effective_from or utc_today()
    previous = session.exec(
        select(DocumentVersion)
        .where(
            DocumentVersion.organisation_id == variant.organisation_id,
            DocumentVersion.kind == template.kind,
            DocumentVersion.language == template.language,
        )
        .order_by(col(DocumentVersion.number).desc())
        .limit(1)
    ).first()
    kind_of_change = change_kind or (version.change_kind if previous else "substantive") or "substantive"
    note = check_change(kind_of_change, changelog or version.changelog or "Nouvelle version.")
    if previous is None and kind_of_change != "substantive":
        raise InvalidInput("The first version of a school's document is a substantive change.")
    if previous is not None:
        if previous.sha256 == variant.sha256:
            raise Conflict(
                f"This variant is already in force as version {previous.number} "
                f"since {previous.effective_from:%Y-%m-%d}."
            )
        if effective < previous.effective_from:
            raise InvalidInput(
                f"The effective date {effective:%Y-%m-%d} is before that of version {previous.number} "
                f"({previous.effective_from:%Y-%m-%d})."
            )
    document = DocumentVersion(
        organisation_id=variant.organisation_id,
        kind=template.kind,
        language=template.language,
        number=(previous.number + 1) if previous else 1,
        variant_id=stored_id(variant),
        sha256=variant.sha256,
        clauses=variant.clauses,
        effective_from=effective,
        change_kind=kind_of_change,
        changelog=note,
        published_by=actor.label,
    )
    session.add(document)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict("Another version of this document was published at the same time: reload and retry.") from exc
    index_document_version(session, document)  # searchable from this commit on
    org = session.get(Organisation, variant.organisation_id)
    assert org is not None
    return Publication(document=document, previous=previous, school=org.code)


def in_force_order(document: DocumentVersion) -> tuple[date, int]:
    """The order in which the versions of one document take over: by effective date, then number."""
    return (document.effective_from, document.number)


#: A version's standing on a day (``Period.status``).
IN_FORCE = "in_force"
SUPERSEDED = "superseded"
UPCOMING = "upcoming"
NEVER_IN_FORCE = "never_in_force"


@dataclass(frozen=True)
class Period:
    """A version of a school's document with its period in force: from its effective date to
    ``effective_to`` (exclusive: the effective date of the version that follows it; None while none
    does). A version followed by another from the same day was never in force: its period is empty."""

    document: DocumentVersion
    effective_to: date | None

    @property
    def effective_from(self) -> date:
        return self.document.effective_from

    @property
    def empty(self) -> bool:
        """Superseded before it took effect: shown in the history, never in force."""
        return self.effective_to is not None and self.effective_to <= self.effective_from

    @property
    def last_day(self) -> date | None:
        """The last day in force (the day before ``effective_to``); None while no version follows."""
        return None if self.effective_to is None else self.effective_to - timedelta(days=1)

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def status(self, day: date) -> str:
        """``never_in_force``, ``upcoming``, ``in_force`` or ``superseded`` on ``day``."""
        if self.empty:
            return NEVER_IN_FORCE
        if day < self.effective_from:
            return UPCOMING
        return IN_FORCE if self.in_force_on(day) else SUPERSEDED


def periods(versions: Iterable[DocumentVersion]) -> list[Period]:
    """The versions of one document (a school's kind in one language) with their periods, newest first.

    On a day D the version in force is the one with the greatest effective date on or before D (of
    those, the highest number): each version is in force from its effective date to that of the next
    one in that order, so the periods are consecutive and never overlap."""
    ordered = sorted(versions, key=in_force_order)
    following: list[date | None] = [d.effective_from for d in ordered[1:]]
    return [Period(d, to) for d, to in zip(ordered, [*following, None], strict=False)][::-1]


def in_force_at(versions: Iterable[DocumentVersion], day: date) -> DocumentVersion | None:
    """The version of one document in force on ``day`` (None before the first one takes effect)."""
    return max((d for d in versions if d.effective_from <= day), key=in_force_order, default=None)


def published_documents(
    *,
    db: Database,
    actor: Principal,
    school: str,
    language: str | None = None,
    kind: str | None = None,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> list[tuple[Organisation, DocumentVersion]]:
    """The documents in force at a school on a date (today by default), one per kind and language:
    for each, the version with the greatest effective date on or before that day (of those, the
    highest number). ``known_at``: only the versions published by then (what govkit knew; UTC when
    it gives no time zone)."""
    authorize_some(actor, Action.READ_PUBLISHED)
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    when = AsOf.of(as_of, known_at)
    with db.reading() as session:
        org = organisation_for(session, actor, Action.READ_PUBLISHED, school)
        current = in_force_documents(session, organisation_id=stored_id(org), when=when, language=language, kind=kind)
    return [(org, d) for d in current]


def in_force_documents(
    session: Session, *, organisation_id: int, when: AsOf, language: str | None = None, kind: str | None = None
) -> list[DocumentVersion]:
    """The documents in force at an organisation as of ``when`` (one per kind and language, in the
    catalogue's order of kinds), for a caller already authorised (``published_documents``, and the
    public addresses of govkit.documents.public)."""
    query = select(DocumentVersion).where(
        DocumentVersion.organisation_id == organisation_id,
        DocumentVersion.effective_from <= when.day,
        known_by(DocumentVersion.published_at, when),
    )
    if language is not None:
        query = query.where(DocumentVersion.language == check_language(language))
    if kind is not None:
        query = query.where(DocumentVersion.kind == catalogue().kind(kind).key)
    found: dict[tuple[str, str], list[DocumentVersion]] = {}
    for row in session.exec(query).all():
        found.setdefault((row.kind, row.language), []).append(row)
    current = [d for versions in found.values() if (d := in_force_at(versions, when.day)) is not None]
    order = list(catalogue().kinds)
    return sorted(current, key=lambda d: (order.index(d.kind) if d.kind in order else 99, d.language))


@dataclass(frozen=True)
class History:
    """A school's document of one kind in one language: its versions with their periods, newest first,
    and the number of the root template version each was rendered from."""

    organisation: Organisation
    kind: str
    language: str
    periods: list[Period]
    root_versions: dict[int, int]

    def in_force_on(self, day: date) -> Period | None:
        return next((p for p in self.periods if not p.empty and p.in_force_on(day)), None)


def histories(
    *, db: Database, actor: Principal, school: str | None = None, kind: str | None = None, language: str | None = None
) -> list[History]:
    """The histories of a school's documents (``school``), or of every school the caller may read,
    optionally of one kind and language: one query, in the catalogue's order of kinds, then by
    language and school."""
    authorize_some(actor, Action.READ_PUBLISHED)
    query = (
        select(DocumentVersion, Organisation, RootTemplateVersion.number)
        .join(Organisation, col(Organisation.id) == DocumentVersion.organisation_id)
        .join(Variant, col(Variant.id) == DocumentVersion.variant_id)
        .join(RootTemplateVersion, col(RootTemplateVersion.id) == Variant.root_template_version_id)
    )
    with db.reading() as session:
        if school is not None:  # first: a caller naming another school is refused whatever else they give
            org = organisation_for(session, actor, Action.READ_PUBLISHED, school)
            query = query.where(DocumentVersion.organisation_id == org.id)
        if kind is not None:
            query = query.where(DocumentVersion.kind == catalogue().kind(kind).key)
        if language is not None:
            query = query.where(DocumentVersion.language == check_language(language))
        rows = session.exec(query).all()
    found: dict[tuple[str, str, str], tuple[Organisation, list[DocumentVersion], dict[int, int]]] = {}
    for document, org, root_number in rows:
        if school is None and not is_allowed(actor, Action.READ_PUBLISHED, organisation_id=org.id):
            continue
        _org, versions, roots = found.setdefault((document.kind, document.language, org.code), (org, [], {}))
        versions.append(document)
        roots[stored_id(document)] = root_number
    order = {key: i for i, key in enumerate(catalogue().kinds)}
    return [
        History(org, kind_key, language_key, periods(versions), roots)
        for (kind_key, language_key, _code), (org, versions, roots) in sorted(
            found.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0][1], item[0][2])
        )
    ]


def document_history(*, db: Database, actor: Principal, school: str, kind: str, language: str) -> list[Period]:
    """Every version of a school's document of ``kind`` in ``language``, newest first, each with its
    period in force (``periods``)."""
    found = histories(db=db, actor=actor, school=school, kind=kind, language=language)
    return found[0].periods if found else []


@dataclass(frozen=True)
class Download:
    data: bytes
    media_type: str
    filename: str


def download(*, db: Database, actor: Principal, sha256: str) -> Download:
    """The bytes of a stored document, if the actor may read something that refers to them."""
    authorize_some(actor, Action.READ_PUBLISHED)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidInput(
            "A document is identified by the 64 hexadecimal characters of its SHA-256.", key="bad_sha256"
        )
    with db.reading() as session:
        names: list[str] = []
        for document, org in session.exec(
            select(DocumentVersion, Organisation)
            .join(Organisation, col(Organisation.id) == DocumentVersion.organisation_id)
            .where(DocumentVersion.sha256 == sha256)
        ).all():
            if is_allowed(actor, Action.READ_PUBLISHED, organisation_id=org.id):
                names.append(
                    f"{slug(catalogue().kind(document.kind).title.get(document.language))}-{org.code}"
                    f"-v{document.number}-{document.language}.docx"
                )
        if not names:
            for variant, org in session.exec(
                select(Variant, Organisation)
                .join(Organisation, col(Organisation.id) == Variant.organisation_id)
                .where(Variant.sha256 == sha256)
            ).all():
                if is_allowed(actor, Action.READ_VARIANTS, organisation_id=org.id):
                    names.append(f"variant-{org.code}-{variant.id}.docx")
        if not names and is_allowed(actor, Action.READ_ROOT_TEMPLATES):
            for version, template in session.exec(
                select(RootTemplateVersion, RootTemplate)
                .join(RootTemplate, col(RootTemplate.id) == RootTemplateVersion.root_template_id)
                .where(RootTemplateVersion.sha256 == sha256)
            ).all():
                names.append(f"trame-{slug(template.kind)}-v{version.number}-{template.language}.docx")
            for review in session.exec(select(TrackedChangeReview).where(TrackedChangeReview.sha256 == sha256)):
                names.append(review.filename)  # an upload with tracked changes, as sent
        blob = session.get(Blob, sha256) if names else None
    if blob is None:
        # the same answer whether the file does not exist or may not be read: no probing
        raise NotFound(f"No document {sha256} that you may read.", key="no_document")
    return Download(data=blob.data, media_type=blob.media_type, filename=names[0])
