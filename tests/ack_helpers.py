"""Helpers for acknowledgement tests: publish new versions without the renderer, principals."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import anyio
from sqlmodel import col, select

from govkit.access.roles import SYSTEM, Principal, Role
from govkit.acknowledgements import deliveries
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.campaigns import CampaignPolicy
from govkit.acknowledgements.deliveries import Channel
from govkit.acknowledgements.models import Person
from govkit.acknowledgements.receipts import Receipt
from govkit.acknowledgements.recorder import Recorder, build_recorder
from govkit.db import Database, stored_id
from govkit.documents import service as documents
from govkit.documents.addresses import DOCX
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.flows.publication import publish_variant
from govkit.organisations.models import Organisation
from govkit.organisations.revisions import latest_profile

_serial = itertools.count(1)


def member(db: Database, school: str, external_id: str) -> Principal:
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        person = session.exec(
            select(Person).where(Person.organisation_id == org.id, Person.external_id == external_id)
        ).one()
    return Principal(
        role=Role.MEMBER,
        subject=f"test:{school}:{external_id}",
        organisation_id=org.id,
        organisation_code=school,
        person_id=person.id,
        auth_method="govkit_token",
    )


def admin(db: Database, school: str) -> Principal:
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
    return Principal(
        role=Role.SCHOOL_ADMIN, subject=f"test:admin:{school}", organisation_id=org.id, organisation_code=school
    )


def publish_minimal_internal(db: Database, school: str) -> DocumentVersion:
    """A minimal French internal regulation uploaded, published and rendered for ``school``, then put
    in force there (its campaign opens): the real path, renderer included."""
    from govkit.composition import render_pool
    from tests.conftest import make_settings
    from tests.docx_factory import minimal_docx

    pool = render_pool(make_settings())
    upload = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=pool,
        kind="internal",
        language="fr",
        filename="t.docx",
        data=minimal_docx(),
        max_bytes=10**7,
    )
    assert upload.version is not None
    documents.publish_root_template_version(
        db=db,
        actor=SYSTEM,
        version_id=upload.version.id,
        change_kind="substantive",
        changelog="Essai",  # type: ignore[arg-type]
    )
    summary = documents.render_variants(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=[school]
    )
    return publish_variant(db=db, actor=SYSTEM, variant_id=summary.variants[0][1].id)  # type: ignore[arg-type]


def current(db: Database, school: str, kind: str = "internal", language: str = "fr") -> DocumentVersion:
    rows = documents.published_documents(db=db, actor=SYSTEM, school=school, language=language)
    return next(d for _org, d in rows if d.kind == kind)


def republish(
    db: Database,
    school: str,
    kind: str = "internal",
    change_kind: str = "substantive",
    language: str = "fr",
    policy: CampaignPolicy | None = None,
    clauses: list[str] | None = None,
    effective_from: date | None = None,
    data: bytes | None = None,
) -> DocumentVersion:
    """A new version of a school's document, from made-up bytes (the campaign logic does not read
    them), or from ``data`` (a .docx)."""
    with db.transaction() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        previous = session.exec(
            select(DocumentVersion)
            .where(
                DocumentVersion.organisation_id == org.id,
                DocumentVersion.kind == kind,
                DocumentVersion.language == language,
            )
            .order_by(col(DocumentVersion.number).desc())
        ).first()
        root = session.exec(
            select(RootTemplateVersion)
            .join(RootTemplate, RootTemplate.id == RootTemplateVersion.root_template_id)  # type: ignore[arg-type]
            .where(
                RootTemplate.kind == kind,
                RootTemplate.language == language,
                col(RootTemplateVersion.published_at).is_not(None),
            )
        ).first()
        revision = latest_profile(session, stored_id(org))
        assert root is not None
        assert revision is not None
        media_type = DOCX if data is not None else "application/octet-stream"
        data = data if data is not None else f"made-up document {next(_serial)} {school} {kind}".encode()
        digest = hashlib.sha256(data).hexdigest()
        session.add(Blob(sha256=digest, size=len(data), media_type=media_type, data=data))
        variant = Variant(
            inputs_sha256=hashlib.sha256(b"inputs" + data).hexdigest(),
            root_template_version_id=root.id,  # type: ignore[arg-type]
            organisation_id=org.id,  # type: ignore[arg-type]
            profile_revision_id=revision.id,  # type: ignore[arg-type]
            sha256=digest,
            clauses=clauses if clauses is not None else (previous.clauses if previous else []),
            rendered_by="test",
        )
        session.add(variant)
        session.flush()
        variant_id = variant.id
    return publish_variant(
        db=db,
        actor=SYSTEM,
        variant_id=variant_id,
        effective_from=effective_from,
        change_kind=change_kind,  # type: ignore[arg-type]
        changelog=f"{change_kind} change for the tests",
        policy=policy,
    )


def someone(db: Database, school: str, population: str, *, only: bool = True, skip: int = 0) -> str:
    """The external id of an active person of ``population`` (holding no other population if ``only``)."""
    from govkit.acknowledgements.models import PersonPopulation

    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == school)).one()
        people = session.exec(
            select(Person).where(Person.organisation_id == org.id, Person.status == "active").order_by(col(Person.id))
        ).all()
        held: dict[int, set[str]] = {}
        for pid, pop in session.exec(
            select(PersonPopulation.person_id, PersonPopulation.population).where(
                col(PersonPopulation.valid_to).is_(None)
            )
        ).all():
            held.setdefault(pid, set()).add(pop)
    matches = [
        p.external_id
        for p in people
        if population in held.get(p.id, set())  # type: ignore[arg-type]
        and (not only or held[p.id] == {population})
    ]  # type: ignore[index]
    return matches[skip]


def deliver(db: Database, actor: Principal, document_version_id: int | str | None, channel: Channel = "page") -> None:
    """Record that version ``document_version_id`` was delivered to the member ``actor``, the way their
    page does when they open it (/ui/me/documents/{id}): proof of display, before acknowledging it.
    Nothing for an id that is no number, a version of another school, or a caller who is no member."""
    try:
        version = int(document_version_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return
    deliveries.record_delivery(db=db, actor=actor, document_version_id=version, channel=channel)


def sha256_of(db: Database, document_version_id: int | str | None) -> str:
    """The SHA-256 of a document version (of none: a made-up one, for the refusals that come first)."""
    try:
        version = int(document_version_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "0" * 64
    with db.reading() as session:
        found = session.get(DocumentVersion, version)
    return found.sha256 if found is not None else "0" * 64


def acknowledge(*, db: Database, shown: bool = True, **given: Any) -> Receipt:
    """``service.acknowledge`` from a test's thread, through the recorder ``build_recorder`` makes for ``db``.

    ``shown`` (the default): the member opened the version on their page first (``deliver``), and the
    call gives its SHA-256 (unless the test gives ``shown_sha256``), as the page's form does."""
    if shown:
        deliver(db, given["actor"], given.get("document_version_id"))
        given.setdefault("shown_sha256", sha256_of(db, given.get("document_version_id")))
    return _recorded(db, acks.acknowledge, given)


def record_paper_acknowledgement(*, db: Database, **given: Any) -> Receipt:
    """``service.record_paper_acknowledgement`` from a test's thread (see ``acknowledge``)."""
    return _recorded(db, acks.record_paper_acknowledgement, {"db": db, **given})


def _recorded(db: Database, function: Callable[..., Awaitable[Receipt]], given: dict[str, Any]) -> Receipt:
    async def call() -> Receipt:
        recorder: Recorder = build_recorder(db)
        try:
            return await function(recorder=recorder, **given)
        finally:
            await recorder.close()

    return anyio.run(call)
