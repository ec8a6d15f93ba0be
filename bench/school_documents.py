"""The documents of one generated school for the rules benchmark: root templates, published
versions, campaigns and the hash-chained acknowledgements of its persons."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bench.school_rows import BROKEN, BY, ENGLISH_KINDS, EXEMPLARY, Rows, at, digest
from govkit.acknowledgements import chain
from govkit.documents.kinds import catalogue


class Library:
    """The root templates (one published version per kind and language) and the blobs."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.blobs: set[str] = set()
        self.versions: dict[tuple[str, str], int] = {}
        for key, spec in catalogue().kinds.items():
            for language in ("fr", "en"):
                sha = self.blob(f"root template {key} {language}")
                template = rows.add("root_template", kind=key, language=language, created_at=at(date(2020, 9, 1)))
                self.versions[key, language] = rows.add(
                    "root_template_version",
                    root_template_id=template,
                    number=1,
                    sha256=sha,
                    filename=f"{key}.{language}.docx",
                    report={"ok": True},
                    clauses=list(spec.required_clauses),
                    note=None,
                    uploaded_at=at(date(2020, 9, 1)),
                    uploaded_by=BY,
                    published_at=at(date(2020, 9, 2)),
                    published_by=BY,
                    change_kind="substantive",
                    changelog="Première version",
                )

    def blob(self, text: str) -> str:
        data = text.encode()
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self.blobs:
            self.blobs.add(sha)
            self.rows.link(
                "blob",
                sha256=sha,
                size=len(data),
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                data=data,
                created_at=at(date(2020, 9, 1)),
            )
        return sha


@dataclass
class Published:
    id: int
    kind: str
    number: int
    sha256: str
    published: datetime


def publish_documents(
    rows: Rows, library: Library, org_id: int, code: str, profile_id: int, residences: bool | None, rnd: random.Random
) -> list[Published]:
    """Publish the school's documents; return the French versions that open campaigns, in order."""
    exemplary, broken = code == EXEMPLARY, code == BROKEN
    campaigns: list[Published] = []
    for key, spec in catalogue().kinds.items():
        if key == "housing" and residences is False:
            continue
        if not exemplary and not broken and rnd.random() < 0.04:
            continue  # a kind never published
        first = date(2021, 9, 1) + timedelta(days=rnd.randrange(400))
        dates = [first] if rnd.random() < 0.7 else [first, first + timedelta(days=200 + rnd.randrange(600))]
        clauses = list(spec.required_clauses)
        if broken and key == "internal":
            clauses.remove("vss.reporting")
        elif not exemplary and rnd.random() < 0.06:
            clauses.pop(rnd.randrange(len(clauses)))
        english = key in ENGLISH_KINDS and (exemplary or (not broken and rnd.random() < 0.75))
        stale = english and not exemplary and rnd.random() < 0.2  # the English text lags a version behind
        for language in ("fr", "en") if english else ("fr",):
            for number, effective in enumerate(dates[:-1] if language == "en" and stale else dates, start=1):
                published = at(effective - timedelta(days=14), 9 + number)
                sha = library.blob(f"{code} {key} {language} v{number} {','.join(clauses)}")
                variant = rows.add(
                    "variant",
                    inputs_sha256=digest(f"{code}|{key}|{language}|{number}"),
                    root_template_version_id=library.versions[key, language],
                    organisation_id=org_id,
                    profile_revision_id=profile_id,
                    sha256=sha,
                    clauses=clauses,
                    rendered_at=published - timedelta(hours=1),
                    rendered_by=BY,
                )
                version = rows.add(
                    "document_version",
                    organisation_id=org_id,
                    kind=key,
                    language=language,
                    number=number,
                    variant_id=variant,
                    sha256=sha,
                    clauses=clauses,
                    effective_from=effective,
                    change_kind="substantive",
                    changelog=f"Version {number}",
                    published_at=published,
                    published_by=BY,
                )
                if language == "fr" and spec.acknowledgement:
                    campaigns.append(Published(version, key, number, sha, published))
    return campaigns


def open_campaigns(rows: Rows, org_id: int, versions: list[Published]) -> list[tuple[int, Published]]:
    """Open a campaign per French version, closed when the next version opens its own; the open ones."""
    opened: list[tuple[int, Published]] = []
    by_kind: dict[str, list[Published]] = defaultdict(list)
    for v in versions:
        by_kind[v.kind].append(v)
    for kind, published in by_kind.items():
        previous = None
        for index, v in enumerate(published):
            successor = published[index + 1] if index + 1 < len(published) else None
            campaign = rows.add(
                "campaign",
                organisation_id=org_id,
                document_version_id=v.id,
                kind=kind,
                change_kind="substantive",
                opened_at=v.published,
                deadline=v.published.date() + timedelta(days=30),
                closed_at=successor.published if successor else None,
                continues_campaign_id=None,
            )
            for population in catalogue().kind(kind).populations:
                rows.link("campaign_population", campaign_id=campaign, population=population.value)
            previous = (campaign, v)
        assert previous is not None
        opened.append(previous)
    return opened


class Chain:
    """Acknowledgements with their hashes, appended in id order as the service does."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.last = chain.GENESIS_HASH
        self.last_id: int | None = None

    def acknowledge(self, person: int, org_id: int, campaign: int, version: Published, when: datetime) -> None:
        ack_id = self.rows.ids["acknowledgement"] + 1
        code = f"BNCH-{ack_id:06X}"
        wording = f"J'ai pris connaissance de la version {version.number} du document ({version.kind})."
        values: dict[str, Any] = {
            "id": ack_id,
            "person_id": person,
            "organisation_id": org_id,
            "document_version_id": version.id,
            "campaign_id": campaign,
            "method": "electronic",
            "document_sha256": version.sha256,
            "wording": wording,
            "acknowledged_at": when,
            "auth_method": "oidc",
            "recorded_by": BY,
            "reason": None,
            "carried_from_id": None,
            "client_ip": None,
            "user_agent": None,
            **chain.personal(wording=wording, recorded_by=BY, reason=None, client_ip=None, user_agent=None),
            "verification_code": code,
            "shown_at": when - timedelta(minutes=5),  # opened on their page first (proof of display)
            "shown_via": "page",
            "previous_hash": self.last,
        }
        values["record_hash"] = chain.record_hash(self.last, values)
        self.rows.add(
            "document_delivery",
            person_id=person,
            document_version_id=version.id,
            sha256=version.sha256,
            channel="page",
            displayed_by=None,
            delivered_at=values["shown_at"],
        )
        self.rows.add("acknowledgement", **values)
        self.last, self.last_id = values["record_hash"], ack_id
