"""The campaign benchmark's organisations, documents and campaigns: the IMT schools and their history.

For each school and each acknowledged kind, a history of published French versions (one root
template version, variant and blob each) and their campaigns: the latest version's campaign is
open (some past their deadline, some not), the older ones are closed. A few hundred rows,
inserted with SQLAlchemy Core.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from bench.common import ROOT  # noqa: F401 - puts the project on sys.path
from govkit.acknowledgements.models import Campaign, CampaignPopulation
from govkit.db import Database
from govkit.demo.dataset import read_dataset
from govkit.demo.loader import _organisations
from govkit.documents.kinds import catalogue
from govkit.documents.models import Blob, DocumentVersion, RootTemplate, RootTemplateVersion, Variant
from govkit.organisations.models import ProfileRevision
from govkit.organisations.revisions import latest_revisions
from govkit.organisations.vocabulary import OrganisationType

#: Published French versions per acknowledged kind and school (the last one's campaign is open).
VERSIONS = {"internal": 6, "study": 5, "housing": 4, "equality_annex": 5}
#: Age in days of each kind's latest version: open campaigns past their deadline (30 days) and not.
LATEST_AGE = {"internal": 45, "study": 10, "housing": 60, "equality_annex": 5}
VERSION_SPACING = 300  # days between two versions of a kind
DEADLINE_DAYS = 30
#: Relative sizes of the schools (others weigh 1).
AUTHOR = "govkit bench"


@dataclass(frozen=True)
class Version:
    id: int
    campaign_id: int
    school: str
    organisation_id: int
    kind: str
    number: int
    published_at: datetime
    closed_at: datetime | None
    populations: frozenset[str]
    sha256: str
    wording: str


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def create_schools(engine: sa.Engine) -> dict[str, tuple[int, list[str]]]:
    """Create the demo organisations (no persons); school code → (id, codes of its residences)."""
    dataset, _ = read_dataset()
    with Database(engine).transaction() as session:
        organisations = _organisations(session, dataset)
        return {
            item.code: (organisations[item.code].id, [r.code for r in item.profile.housing.residences])  # type: ignore[misc]
            for item in sorted(dataset.organisations, key=lambda o: o.code)
            if item.type is OrganisationType.SCHOOL
        }


def model_table(model: type[SQLModel]) -> sa.Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def documents_and_campaigns(engine: sa.Engine, schools: dict[str, tuple[int, list[str]]], today: date) -> list[Version]:
    kinds = catalogue().kinds
    blobs: list[dict[str, Any]] = []
    roots: list[dict[str, Any]] = []
    root_versions: list[dict[str, Any]] = []
    variants: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    campaigns: list[dict[str, Any]] = []
    campaign_populations: list[dict[str, Any]] = []
    versions: list[Version] = []
    root_version_ids: dict[tuple[str, int], int] = {}

    def blob(text: str) -> str:
        data = text.encode()
        digest = hashlib.sha256(data).hexdigest()
        blobs.append({"sha256": digest, "size": len(data), "media_type": "application/octet-stream", "data": data})
        return digest

    def published(kind: str, number: int, school_index: int) -> datetime:
        age = LATEST_AGE[kind] + (VERSIONS[kind] - number) * VERSION_SPACING + school_index % 3
        moment = datetime.combine(today - timedelta(days=age), datetime.min.time(), tzinfo=UTC)
        return moment + timedelta(hours=9 + school_index)

    for kind, count in VERSIONS.items():
        assert kinds[kind].acknowledgement, kind
        root_id = len(roots) + 1
        roots.append({"id": root_id, "kind": kind, "language": "fr"})
        for number in range(1, count + 1):
            first = published(kind, number, 0) - timedelta(days=7)
            root_version_ids[kind, number] = len(root_versions) + 1
            root_versions.append(
                {
                    "id": len(root_versions) + 1,
                    "root_template_id": root_id,
                    "number": number,
                    "sha256": blob(f"bench root template {kind} fr {number}"),
                    "filename": f"{kind}-fr-{number}.docx",
                    "report": {},
                    "clauses": list(kinds[kind].required_clauses),
                    "uploaded_at": first,
                    "uploaded_by": AUTHOR,
                    "published_at": first,
                    "published_by": AUTHOR,
                    "change_kind": "substantive",
                    "changelog": f"version {number}",
                }
            )
    with engine.begin() as conn:
        revisions: dict[int, int] = dict(
            conn.execute(latest_revisions(ProfileRevision.organisation_id, ProfileRevision.id)).all()
        )
    for school_index, (code, (org_id, residences)) in enumerate(schools.items()):
        for kind, count in VERSIONS.items():
            populations = frozenset(p.value for p in kinds[kind].populations)
            if populations == {"resident"} and not residences:
                continue  # no residences, no housing regulation
            for number in range(1, count + 1):
                at = published(kind, number, school_index)
                closed = published(kind, number + 1, school_index) if number < count else None
                sha = blob(f"bench document {code} {kind} fr {number}")
                variant_id = len(variants) + 1
                variants.append(
                    {
                        "id": variant_id,
                        "inputs_sha256": sha256_hex(f"inputs {code} {kind} fr {number}"),
                        "root_template_version_id": root_version_ids[kind, number],
                        "organisation_id": org_id,
                        "profile_revision_id": revisions[org_id],
                        "sha256": sha,
                        "clauses": list(kinds[kind].required_clauses),
                        "rendered_at": at - timedelta(hours=1),
                        "rendered_by": AUTHOR,
                    }
                )
                document_id = len(documents) + 1
                documents.append(
                    {
                        "id": document_id,
                        "organisation_id": org_id,
                        "kind": kind,
                        "language": "fr",
                        "number": number,
                        "variant_id": variant_id,
                        "sha256": sha,
                        "clauses": list(kinds[kind].required_clauses),
                        "effective_from": at.date(),
                        "change_kind": "substantive",
                        "changelog": f"version {number}",
                        "published_at": at,
                        "published_by": AUTHOR,
                    }
                )
                campaign_id = len(campaigns) + 1
                campaigns.append(
                    {
                        "id": campaign_id,
                        "organisation_id": org_id,
                        "document_version_id": document_id,
                        "kind": kind,
                        "change_kind": "substantive",
                        "opened_at": at,
                        "deadline": at.date() + timedelta(days=DEADLINE_DAYS),
                        "closed_at": closed,
                        "continues_campaign_id": None,
                    }
                )
                campaign_populations += [{"campaign_id": campaign_id, "population": p} for p in sorted(populations)]
                title = kinds[kind].title.get("fr")
                versions.append(
                    Version(
                        document_id,
                        campaign_id,
                        code,
                        org_id,
                        kind,
                        number,
                        at,
                        closed,
                        populations,
                        sha,
                        f"J'atteste avoir pris connaissance du document « {title} » (version {number}) et m'engage "
                        "à le respecter.",
                    )
                )
    with engine.begin() as conn:
        for model, rows in (
            (Blob, blobs),
            (RootTemplate, roots),
            (RootTemplateVersion, root_versions),
            (Variant, variants),
            (DocumentVersion, documents),
            (Campaign, campaigns),
            (CampaignPopulation, campaign_populations),
        ):
            conn.execute(sa.insert(model_table(model)), rows)
    return sorted(versions, key=lambda v: (v.published_at, v.id))
