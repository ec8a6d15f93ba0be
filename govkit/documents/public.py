"""The documents anybody may read, without an account: the versions in force of the public kinds
(GOVKIT_PUBLIC_KINDS) at their public addresses, and every published version of those kinds by its
SHA-256 (govkit.documents.addresses).

Public by design: no caller, no token. What is public is decided here, once — a kind in
``Addresses.public``, a version that was published (put in force at a school) — and nothing else
is ever served: not a variant merely rendered, not a root template, not a kind left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from govkit.db import Database, stored_id
from govkit.documents.addresses import Addresses, file_name
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion
from govkit.documents.published import in_force_documents
from govkit.documents.renditions import defer_conversion
from govkit.errors import NotFound
from govkit.jobs.queue import JobQueue
from govkit.organisations.models import Organisation
from govkit.timeline import AsOf

#: An organisation's code (as the demo data and imports write them).
_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class PublicVersion:
    """A published version of a public kind, with its school and the same document in force today
    in each language (``in_force``: language → version)."""

    school: Organisation
    document: DocumentVersion
    in_force: dict[str, DocumentVersion]

    @property
    def title(self) -> str:
        return catalogue().kind(self.document.kind).title.get(self.document.language)

    @property
    def current(self) -> bool:
        """Whether this is the version in force today."""
        today = self.in_force.get(self.document.language)
        return today is not None and today.id == self.document.id

    def file_name(self, fmt: str) -> str:
        d = self.document
        return file_name(school=self.school.code, kind=d.kind, language=d.language, version=d.number, fmt=fmt)


def _school(session: Session, code: str) -> Organisation:
    school = (
        session.exec(select(Organisation).where(Organisation.code == code)).first() if _CODE.fullmatch(code) else None
    )
    if school is None:
        raise NotFound(f"No school {code[:64]!r}: see the schools' codes in the GraphQL query `organisations`.")
    return school


def _in_force(session: Session, school: Organisation, kind: str | None = None) -> list[DocumentVersion]:
    return in_force_documents(session, organisation_id=stored_id(school), when=AsOf.today(), kind=kind)


def _check_public(addresses: Addresses, kind: str) -> None:
    if not addresses.is_public(kind):
        raise NotFound(f"The documents of kind {kind!r} are not public (GOVKIT_PUBLIC_KINDS).")


def in_force(*, db: Database, addresses: Addresses, school: str, kind: str, language: str) -> PublicVersion:
    """The version in force today of a school's public document of ``kind`` in ``language``."""
    _check_public(addresses, kind)
    with db.reading() as session:
        org = _school(session, school)
        current = {d.language: d for d in _in_force(session, org, kind)}
    document = current.get(language)
    if document is None:
        title = catalogue().kind(kind).title.get(language)
        raise NotFound(f"{org.name} has no {title!r} in force in {language!r}.")
    return PublicVersion(org, document, current)


def version(*, db: Database, addresses: Addresses, sha256: str) -> PublicVersion:
    """The published version of a public kind whose .docx has this SHA-256 (its latest publication,
    should the same bytes have been published twice)."""
    with db.reading() as session:
        rows = session.exec(
            select(DocumentVersion, Organisation)
            .join(Organisation, col(Organisation.id) == DocumentVersion.organisation_id)
            .where(DocumentVersion.sha256 == sha256)
            .order_by(col(DocumentVersion.published_at).desc(), col(DocumentVersion.id).desc())
        ).all()
        found = next(((d, o) for d, o in rows if addresses.is_public(d.kind)), None)
        if found is None:
            # the same answer for a version never published and one of a kind that is not public
            raise NotFound(f"No public document with SHA-256 {sha256}.")
        document, org = found
        current = {d.language: d for d in _in_force(session, org, document.kind)}
    return PublicVersion(org, document, current)


def index(*, db: Database, addresses: Addresses, school: str) -> tuple[Organisation, list[DocumentVersion]]:
    """A school and its public documents in force today (in the catalogue's order, then language)."""
    with db.reading() as session:
        org = _school(session, school)
        return org, [d for d in _in_force(session, org) if addresses.is_public(d.kind)]


def docx(*, db: Database, found: PublicVersion) -> bytes:
    """The stored .docx of a public version (found by ``in_force`` or ``version``)."""
    with db.reading() as session:
        blob = session.get(Blob, found.document.sha256)
    if blob is None:  # a published version's bytes are never deleted: the database was damaged
        raise NotFound(f"The file of {found.title!r} version {found.document.number} is missing.")
    return blob.data


def convert_later(*, db: Database, jobs: JobQueue, found: PublicVersion) -> None:
    """Queue the conversion of a public version whose PDF is not there yet (once: by its key)."""
    with db.transaction() as session:
        defer_conversion(session, jobs, [found.document.sha256])
