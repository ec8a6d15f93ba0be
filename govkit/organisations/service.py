"""Organisations, profiles and commitments: every read and write, authorised here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, unknown
from govkit.db import Database, stored_id
from govkit.errors import (
    Conflict,
    Forbidden,
    GovkitError,
    InvalidInput,
    NotFound,
    Problem,
    ProblemList,
)
from govkit.organisations.models import Campus, Commitment, Organisation, ProfileRevision
from govkit.organisations.profile import SchoolProfile, merge_profile
from govkit.organisations.revisions import latest_profile, latest_profiles
from govkit.organisations.vocabulary import (
    CommitmentStatus,
    CommitmentType,
    DatePrecision,
    OrganisationType,
)

__all__ = [
    "CommitmentInput",
    "campuses_by_organisation",
    "commitments_by_organisation",
    "current_commitments",
    "get_organisation",
    "list_organisations",
    "organisation_by_code",
    "organisation_for",
    "organisations_by_id",
    "problems_from_validation",
    "profiles_by_organisation",
    "record_commitment",
    "update_profile",
    "write_profile",
]


def problems_from_validation(error: ValidationError, prefix: str = "") -> list[Problem]:
    """Turn pydantic errors into (path, message) pairs a person can act on."""
    problems = []
    for item in error.errors():
        path = ".".join(str(p) for p in (prefix, *item["loc"]) if p != "")
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(path or "(root)", message))
    return problems


def organisation_by_code(session: Session, code: str) -> Organisation:
    """The organisation with this code, or NotFound listing the known codes (the directory is public)."""
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        raise _unknown_code(session, code)
    return organisation


def organisation_for(session: Session, actor: Principal, action: Action, code: str) -> Organisation:
    """The organisation a caller names, once they may do ``action`` there (access.scoped): an unknown
    code is NOT_FOUND to a caller acting everywhere, and their refusal to one scoped to their own."""
    authorize_some(actor, action)
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        unknown(actor, action, _unknown_code(session, code))
    authorize(actor, action, organisation_id=organisation.id)
    return organisation


def _unknown_code(session: Session, code: str) -> NotFound:
    known = session.exec(select(Organisation.code).order_by(Organisation.code)).all()
    return NotFound(f"No organisation with code {code!r}. Known codes: {', '.join(known)}.")


# --- reads -------------------------------------------------------------------


def list_organisations(*, db: Database, actor: Principal, type: OrganisationType | None = None) -> list[Organisation]:
    authorize(actor, Action.READ_DIRECTORY)
    with db.reading() as session:
        query = select(Organisation).order_by(
            sa.case({"group": 0, "head_office": 1}, value=Organisation.type, else_=2),
            Organisation.name,
        )
        if type is not None:
            query = query.where(Organisation.type == type.value)
        return list(session.exec(query).all())


def get_organisation(*, db: Database, actor: Principal, code: str) -> Organisation:
    authorize(actor, Action.READ_DIRECTORY)
    with db.reading() as session:
        return organisation_by_code(session, code)


def organisations_by_id(*, db: Database, actor: Principal, ids: Sequence[int]) -> dict[int, Organisation]:
    authorize(actor, Action.READ_DIRECTORY)
    with db.reading() as session:
        rows = session.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    return {o.id: o for o in rows if o.id is not None}


def campuses_by_organisation(
    *, db: Database, actor: Principal, organisation_ids: Sequence[int]
) -> dict[int, list[Campus]]:
    authorize(actor, Action.READ_DIRECTORY)
    result: dict[int, list[Campus]] = defaultdict(list)
    with db.reading() as session:
        rows = session.exec(
            select(Campus)
            .where(col(Campus.organisation_id).in_(organisation_ids))
            .order_by(col(Campus.organisation_id), col(Campus.name))
        ).all()
    for campus in rows:
        result[campus.organisation_id].append(campus)
    return result


def _refusal(actor: Principal, action: Action, organisation_id: int) -> GovkitError:
    """The error ``authorize`` raises for this refused (actor, action, organisation)."""
    try:
        authorize(actor, action, organisation_id=organisation_id)
    except GovkitError as exc:
        return exc
    return Forbidden("Refused.")  # pragma: no cover - only called for refused pairs


def profiles_by_organisation(
    *, db: Database, actor: Principal, organisation_ids: Sequence[int]
) -> dict[int, ProfileRevision | Exception | None]:
    """The current profile revision of each organisation, or the refusal for that organisation."""
    allowed = [i for i in organisation_ids if is_allowed(actor, Action.READ_PROFILE, organisation_id=i)]
    result: dict[int, ProfileRevision | Exception | None] = {
        i: None if i in allowed else _refusal(actor, Action.READ_PROFILE, i) for i in organisation_ids
    }
    if not allowed:
        return result
    with db.reading() as session:
        result.update(latest_profiles(session, allowed))
    return result


def current_commitments(session: Session, organisation_ids: Sequence[int]) -> dict[int, list[Commitment]]:
    """The latest record of each (type, title) per organisation: the commitments in force."""
    rows = session.exec(
        select(Commitment)
        .where(col(Commitment.organisation_id).in_(organisation_ids))
        .order_by(
            col(Commitment.organisation_id), col(Commitment.type), col(Commitment.title), col(Commitment.id).desc()
        )
    ).all()
    result: dict[int, list[Commitment]] = defaultdict(list)
    seen: set[tuple[int, str, str]] = set()
    for commitment in rows:
        key = (commitment.organisation_id, commitment.type, commitment.title.casefold())
        if key not in seen:
            seen.add(key)
            result[commitment.organisation_id].append(commitment)
    return result


def commitments_by_organisation(
    *, db: Database, actor: Principal, organisation_ids: Sequence[int], history: bool = False
) -> dict[int, list[Commitment] | Exception]:
    allowed = [i for i in organisation_ids if is_allowed(actor, Action.READ_COMMITMENTS, organisation_id=i)]
    result: dict[int, list[Commitment] | Exception] = {}
    for i in organisation_ids:
        if i not in allowed:
            result[i] = _refusal(actor, Action.READ_COMMITMENTS, i)
    if allowed:
        with db.reading() as session:
            if history:
                rows = session.exec(
                    select(Commitment)
                    .where(col(Commitment.organisation_id).in_(allowed))
                    .order_by(col(Commitment.id).desc())
                ).all()
                grouped: dict[int, list[Commitment]] = defaultdict(list)
                for c in rows:
                    grouped[c.organisation_id].append(c)
            else:
                grouped = current_commitments(session, allowed)
        for i in allowed:
            result[i] = grouped.get(i, [])
    return result


# --- writes ------------------------------------------------------------------


def _check_references(session: Session, organisation: Organisation, profile: SchoolProfile) -> None:
    problems = ProblemList()
    campus_codes = set(session.exec(select(Campus.code).where(Campus.organisation_id == organisation.id)).all())
    for index, residence in enumerate(profile.housing.residences):
        if residence.campus is not None and residence.campus not in campus_codes:
            known = ", ".join(sorted(campus_codes)) or "none recorded"
            problems.add(
                f"housing.residences.{index}.campus",
                f"unknown campus {residence.campus!r} (campuses of {organisation.code}: {known})",
            )
    if profile.equality_referent and profile.equality_referent.shared_with:
        codes = set(profile.equality_referent.shared_with)
        found = set(session.exec(select(Organisation.code).where(col(Organisation.code).in_(codes))).all())
        for index, code in enumerate(profile.equality_referent.shared_with):
            if code not in found:
                problems.add(f"equality_referent.shared_with.{index}", f"unknown organisation {code!r}")
            elif code == organisation.code:
                problems.add(f"equality_referent.shared_with.{index}", "an organisation cannot share with itself")
    problems.raise_if_any(f"The profile of {organisation.code} refers to unknown things.")


def write_profile(
    session: Session,
    organisation: Organisation,
    profile: SchoolProfile,
    *,
    author: str,
    sources: dict[str, Any] | None = None,
) -> ProfileRevision:
    """Store ``profile`` as the next revision unless it equals the current one."""
    _check_references(session, organisation, profile)
    current = latest_profile(session, stored_id(organisation))
    digest = profile.sha256()
    if current is not None and current.sha256 == digest:
        return current
    revision = ProfileRevision(
        organisation_id=stored_id(organisation),
        revision=(current.revision + 1) if current else 1,
        data=profile.model_dump(mode="json"),
        sources=sources or {},
        sha256=digest,
        created_by=author,
    )
    session.add(revision)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(
            f"The profile of {organisation.code} was changed by someone else at the same time: "
            "reload it and apply your change again."
        ) from exc
    return revision


def update_profile(*, db: Database, actor: Principal, code: str, patch: dict[str, Any]) -> ProfileRevision:
    """Apply a top-level patch to an organisation's profile; a new revision when it changes."""
    authorize_some(actor, Action.UPDATE_PROFILE)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.UPDATE_PROFILE, code)
        current = latest_profile(session, stored_id(organisation))
        base = SchoolProfile.model_validate(current.data) if current else None
        if base is None and not {"official_name", "short_name"} <= set(patch):
            patch = {"official_name": organisation.name, "short_name": organisation.short_name, **patch}
        try:
            profile = merge_profile(base, patch)
        except ValidationError as exc:
            raise InvalidInput(
                f"The profile of {code} is not valid; nothing was saved.",
                problems=problems_from_validation(exc),
            ) from exc
        except ValueError as exc:
            raise InvalidInput(f"{exc}; nothing was saved.") from exc
        return write_profile(session, organisation, profile, author=actor.label)


@dataclass(frozen=True)
class CommitmentInput:
    organisation_code: str
    type: CommitmentType
    status: CommitmentStatus
    title: str
    effective_on: date | None = None
    date_precision: DatePrecision | None = None
    expires_on: date | None = None
    evidence_url: str | None = None
    note: str | None = None
    source_quote: str | None = None


def _validate_commitment(data: CommitmentInput) -> None:
    problems = ProblemList()
    title = data.title.strip()
    if not title:
        problems.add("title", "must not be empty")
    elif len(title) > 300:
        problems.add("title", "must be at most 300 characters")
    if data.effective_on and data.expires_on and data.expires_on < data.effective_on:
        problems.add("expiresOn", "must not be before effectiveOn")
    if data.date_precision and not data.effective_on:
        problems.add("datePrecision", "is only meaningful with effectiveOn")
    if data.evidence_url is not None:
        url = data.evidence_url.strip()
        if not url.lower().startswith(("http://", "https://")) or " " in url or len(url) > 500:
            problems.add("evidenceUrl", "must be an http:// or https:// address without spaces")
    if data.note is not None and len(data.note) > 4000:
        problems.add("note", "must be at most 4000 characters")
    if data.status is CommitmentStatus.IN_PLACE and data.effective_on and data.effective_on > date.today():
        problems.add("effectiveOn", "a commitment in place cannot start in the future")
    problems.raise_if_any("The commitment is not valid; nothing was saved.")


def record_commitment(*, db: Database, actor: Principal, data: CommitmentInput) -> Commitment:
    """Append a commitment record; it supersedes earlier records of the same type and title."""
    authorize_some(actor, Action.RECORD_COMMITMENT)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_COMMITMENT, data.organisation_code)
        _validate_commitment(data)
        commitment = Commitment(
            organisation_id=stored_id(organisation),
            type=data.type.value,
            status=data.status.value,
            title=data.title.strip(),
            effective_on=data.effective_on,
            date_precision=(data.date_precision or (DatePrecision.DAY if data.effective_on else None)),
            expires_on=data.expires_on,
            evidence_url=data.evidence_url.strip() if data.evidence_url else None,
            note=data.note,
            source_quote=data.source_quote,
            recorded_by=actor.label,
        )
        session.add(commitment)
        session.flush()
        return commitment
