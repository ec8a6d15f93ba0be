"""Organisations, profiles and commitments: every read and write, authorised here.

Reads answer as of a day, as known at a moment (``when: AsOf``; None: today, everything recorded):
the profile revision in effect, the commitments in effect (govkit.organisations.commitments), the
campuses open. Writes never edit: a profile change is a new revision valid from a day, a commitment
is a new record, a correction a new record superseding the one it corrects.
"""

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
from govkit.access.scoped import authorize_some
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.errors import (
    Conflict,
    Forbidden,
    GovkitError,
    InvalidInput,
    Problem,
    ProblemList,
)
from govkit.organisations.commitment_records import CommitmentInput, record_commitment
from govkit.organisations.commitments import in_effect as commitments_in_effect
from govkit.organisations.lookup import organisation_by_code, organisation_for
from govkit.organisations.models import Campus, Commitment, Organisation, ProfileRevision
from govkit.organisations.profile import SchoolProfile, merge_profile
from govkit.organisations.revisions import profiles_in_effect
from govkit.organisations.vocabulary import (
    OrganisationType,
)
from govkit.timeline import AsOf, Precision, in_effect_at, known_by, period_start

__all__ = [
    "CommitmentInput",
    "Dating",
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
    *, db: Database, actor: Principal, organisation_ids: Sequence[int], when: AsOf | None = None
) -> dict[int, list[Campus]]:
    """The campuses of each organisation open as of ``when`` (today by default; a campus whose
    opening date is unknown counts as open)."""
    authorize(actor, Action.READ_DIRECTORY)
    when = when or AsOf.today()
    result: dict[int, list[Campus]] = defaultdict(list)
    with db.reading() as session:
        rows = session.exec(
            select(Campus)
            .where(
                col(Campus.organisation_id).in_(organisation_ids),
                known_by(col(Campus.recorded_at), when),
                in_effect_at(col(Campus.valid_from), col(Campus.valid_to), when.day),
            )
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
    *, db: Database, actor: Principal, organisation_ids: Sequence[int], when: AsOf | None = None
) -> dict[int, ProfileRevision | Exception | None]:
    """The profile revision of each organisation in effect as of ``when`` (today by default), or the
    refusal for that organisation."""
    allowed = [i for i in organisation_ids if is_allowed(actor, Action.READ_PROFILE, organisation_id=i)]
    result: dict[int, ProfileRevision | Exception | None] = {
        i: None if i in allowed else _refusal(actor, Action.READ_PROFILE, i) for i in organisation_ids
    }
    if not allowed:
        return result
    with db.reading() as session:
        result.update(profiles_in_effect(session, allowed, when))
    return result


def current_commitments(
    session: Session, organisation_ids: Sequence[int], when: AsOf | None = None
) -> dict[int, list[Commitment]]:
    """The commitments in effect per organisation as of ``when`` (today by default)."""
    return commitments_in_effect(session, organisation_ids, when or AsOf.today())


def commitments_by_organisation(
    *,
    db: Database,
    actor: Principal,
    organisation_ids: Sequence[int],
    history: bool = False,
    when: AsOf | None = None,
) -> dict[int, list[Commitment] | Exception]:
    """The commitments in effect as of ``when`` of each organisation, or with ``history`` every
    record known then, newest first (superseded ones too); or the refusal for that organisation."""
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
                    .where(
                        col(Commitment.organisation_id).in_(allowed),
                        known_by(col(Commitment.recorded_at), when or AsOf.today()),
                    )
                    .order_by(col(Commitment.id).desc())
                ).all()
                grouped: dict[int, list[Commitment]] = defaultdict(list)
                for c in rows:
                    grouped[c.organisation_id].append(c)
            else:
                grouped = current_commitments(session, allowed, when)
        for i in allowed:
            result[i] = grouped.get(i, [])
    return result


# --- writes ------------------------------------------------------------------


def _check_references(session: Session, organisation: Organisation, profile: SchoolProfile, day: date) -> None:
    problems = ProblemList()
    campus_codes = set(
        session.exec(
            select(Campus.code).where(
                Campus.organisation_id == organisation.id,
                in_effect_at(col(Campus.valid_from), col(Campus.valid_to), day),
            )
        ).all()
    )
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


@dataclass(frozen=True)
class Dating:
    """When a profile change became true: from ``valid_from`` (today by default), known to
    ``precision``, dated by ``source`` (a passage, a document, a person)."""

    valid_from: date | None = None
    precision: Precision = Precision.DAY
    source: str | None = None

    def start(self) -> date:
        """The first day of the period (``valid_from`` itself for a day)."""
        return period_start(self.valid_from or utc_today(), self.precision)


def write_profile(
    session: Session,
    organisation: Organisation,
    profile: SchoolProfile,
    *,
    author: str,
    sources: dict[str, Any] | None = None,
    dating: Dating | None = None,
) -> ProfileRevision:
    """Store ``profile`` as the next revision, valid from ``dating`` (today by default), unless it
    equals the revision in effect on that day."""
    dating = dating or Dating()
    valid_from = dating.start()
    _check_references(session, organisation, profile, valid_from)
    organisation_id = stored_id(organisation)
    base = profiles_in_effect(session, [organisation_id], AsOf(valid_from)).get(organisation_id)
    digest = profile.sha256()
    if base is not None and base.sha256 == digest:
        return base
    last = session.exec(
        select(sa.func.max(ProfileRevision.revision)).where(ProfileRevision.organisation_id == organisation_id)
    ).one()
    revision = ProfileRevision(
        organisation_id=organisation_id,
        revision=(last or 0) + 1,
        data=profile.model_dump(mode="json"),
        sources=sources or {},
        sha256=digest,
        created_by=author,
        valid_from=valid_from,
        valid_from_precision=dating.precision.value,
        date_source=dating.source,
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


def update_profile(
    *, db: Database, actor: Principal, code: str, patch: dict[str, Any], dating: Dating | None = None
) -> ProfileRevision:
    """Apply a top-level patch to the profile in effect on ``dating``'s day (today by default): a new
    revision valid from that day when it changes. Revisions valid later keep their own values."""
    authorize_some(actor, Action.UPDATE_PROFILE)
    dating = dating or Dating()
    if dating.valid_from is not None and dating.valid_from > utc_today():
        raise InvalidInput(
            "La date de validité ne peut pas être dans le futur ; rien n'a été enregistré. "
            "/ validFrom cannot be in the future; nothing was saved."
        )
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.UPDATE_PROFILE, code)
        organisation_id = stored_id(organisation)
        current = profiles_in_effect(session, [organisation_id], AsOf(dating.start())).get(organisation_id)
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
        return write_profile(session, organisation, profile, author=actor.label, dating=dating)
