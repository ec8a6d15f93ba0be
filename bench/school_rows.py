"""The rows of one generated school for the rules benchmark: its profile, commitments and persons.

Also what every part of the generator shares: the day evaluated (``AS_OF``), the two known
schools (``EXEMPLARY``, ``BROKEN``) and ``Rows``, the rows of every table with their next ids.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from govkit.acknowledgements import chain
from govkit.organisations.profile import SchoolProfile

#: The day `govkit check --as-of` evaluates the generated schools on.
AS_OF = date(2025, 6, 30)
EXEMPLARY = "school-0000"
BROKEN = "school-0001"
PERSONS_PER_SCHOOL = 12
BY = "govkit bench generator"

#: Commitment types a school is expected to hold, with the rules' accepted status.
SCHOOL_COMMITMENTS = [
    ("equality_charter", "Charte Égalité FH dans l'ESR"),
    ("equality_referent", "Référent égalité"),
    ("vss_action_plan", "Plan d'action VSS"),
    ("intranet_vss_section", "Rubrique VSS de l'intranet"),
    ("public_equality_section", "Rubrique égalité du site"),
    ("communication_plan", "Plan de communication"),
    ("network_membership", "Adhésion à la CPED"),
    ("listening_cell", "Cellule d'écoute"),
    ("reporting_channel", "Plateforme de signalement"),
    ("vss_protocol", "Protocole de gestion des VSS"),
    ("regulation_vss_amendment", "Toilettage du règlement"),
]
ENGLISH_KINDS = ("internal", "study", "housing", "equality_annex")
POPULATION_MIX = [
    ("student",),
    ("student",),
    ("student", "resident"),
    ("apprentice",),
    ("doctoral_student", "staff"),
    ("staff",),
    ("staff",),
    ("adjunct",),
    ("student",),
    ("student", "resident"),
    ("contractor",),
    ("staff",),
]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Rows:
    """The rows of every table, and the next id of each."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    chain_head: tuple[int | None, str] = (None, chain.GENESIS_HASH)  # the last acknowledgement and its hash

    def add(self, table: str, **values: Any) -> int:
        self.ids[table] += 1
        values.setdefault("id", self.ids[table])
        self.tables[table].append(values)
        return values["id"]

    def link(self, table: str, **values: Any) -> None:  # tables keyed on their columns
        self.tables[table].append(values)


def school_profile(i: int, rnd: random.Random, code: str) -> tuple[dict[str, Any], str, bool | None]:
    exemplary, broken = code == EXEMPLARY, code == BROKEN
    residences = None if broken else (True if exemplary else rnd.choice([True, True, False, None]))
    data: dict[str, Any] = {
        "official_name": f"École d'ingénieurs n° {i}",
        "short_name": f"EI{i}",
        "address": {"street": f"{i} rue des Écoles", "postal_code": f"{10000 + i % 80000:05d}", "city": "Ville"},
        "director": {"name": f"Direction {i}", "role": "Directrice"},
        "languages": ["fr", "en"] if exemplary or rnd.random() < 0.7 else ["fr"],
        "websites": {"public_site": f"https://{code}.example.org"},
    }
    if not broken and (exemplary or rnd.random() < 0.85):
        data["equality_referent"] = {
            "name": f"Référente {i}",
            "email": f"egalite@{code}.example.org",
            "appointed_on": date(2021, 1 + i % 12, 1).isoformat(),
            "time_share_percent": 50.0 if exemplary else rnd.choice([20.0, 30.0, 50.0, 100.0, None]),
        }
    if exemplary or rnd.random() < 0.8:
        data["reporting_channel"] = {
            "kind": rnd.choice(["platform", "email", "form"]),
            "url": f"https://signalement.{code}.example.org",
            "anonymous": True if exemplary else rnd.choice([True, True, False, None]),
        }
    if exemplary or rnd.random() < 0.75:
        data["listening_cell"] = {"kind": rnd.choice(["internal", "external", "shared", "mixed"])}
    if residences is not None:
        data["housing"] = {"has_residences": residences}
        if residences:
            data["housing"]["residences"] = [
                {"code": "maisel", "name": f"MAISEL {i}", "campus": "main", "managed_by": "school", "places": 300}
            ]
    profile = SchoolProfile.model_validate(data)
    return profile.model_dump(mode="json"), profile.sha256(), residences


def school_commitments(rows: Rows, org_id: int, code: str, rnd: random.Random, shared: tuple[str, ...] = ()) -> None:
    """The school's own commitments, but for the types ``shared`` with another school. ``BROKEN``'s
    charter, referent and action plan are only planned: recorded, none in place, so missing."""
    exemplary, broken = code == EXEMPLARY, code == BROKEN
    for type_, title in SCHOOL_COMMITMENTS:
        if type_ in shared:
            continue
        if broken and type_ in ("equality_charter", "equality_referent", "vss_action_plan"):
            rows.add(
                "commitment",
                **commitment_row(
                    org_id, type_, "planned", title, date(2023, 9, 1), None, at(AS_OF - timedelta(days=400))
                ),
            )
            continue
        draw = 0.0 if exemplary else rnd.random()
        if draw > 0.93:
            continue  # nothing recorded
        effective = date(2019 + rnd.randrange(5), 1 + rnd.randrange(12), 1)
        recorded = at(effective) if effective <= AS_OF else at(AS_OF - timedelta(days=30))
        if draw > 0.85:  # only planned, or in progress
            status = rnd.choice(["planned", "in_progress"])
            rows.add("commitment", **commitment_row(org_id, type_, status, title, None, None, recorded))
            continue
        if draw > 0.75:  # a record superseded by a newer one
            rows.add(
                "commitment",
                **commitment_row(org_id, type_, "in_progress", title, None, None, recorded - timedelta(days=200)),
            )
        status = "lapsed" if 0.70 < draw <= 0.75 else "in_place"
        expires = date(2024, 12, 31) if 0.65 < draw <= 0.70 else None  # expired by AS_OF
        rows.add("commitment", **commitment_row(org_id, type_, status, title, effective, expires, recorded))


def commitment_row(
    org_id: int,
    type_: str,
    status: str,
    title: str,
    effective: date | None,
    expires: date | None,
    recorded: datetime,
    *,
    how: str = "own",
    provider: str | None = None,
    capacity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A commitment record: the organisation's own, or an arrangement (``how``: shared, group, external)."""
    return {
        "organisation_id": org_id,
        "type": type_,
        "status": status,
        "title": title,
        "effective_on": effective,
        "date_precision": "month" if effective else None,
        "expires_on": expires,
        "evidence_url": None,
        "note": None,
        "source_quote": None,
        "recorded_at": recorded,
        "recorded_by": BY,
        "how": how,
        "provider": provider,
        "capacity": capacity,
    }


def school_persons(
    rows: Rows, org_id: int, code: str, residences: bool | None, rnd: random.Random
) -> list[tuple[int, set[str], bool]]:
    people = []
    for n, mix in enumerate(POPULATION_MIX[:PERSONS_PER_SCHOOL]):
        populations = tuple(p for p in mix if p != "resident" or residences)
        departed = code != EXEMPLARY and rnd.random() < 0.08
        person = rows.add(
            "person",
            organisation_id=org_id,
            external_id=f"{code}-{n:03d}",
            given_name=f"Prénom{n}",
            family_name=f"Nom{org_id}",
            email=f"p{n}@{code}.example.org",
            status="departed" if departed else "active",
            entry_date=date(2020 + rnd.randrange(4), 9, 1),
            departure_date=date(2024, 7, 1) if departed else None,
            residence_code="maisel" if "resident" in populations else None,
            preferred_language=rnd.choice(["fr", "fr", "en"]),
            created_at=at(date(2021, 6, 1)),
            updated_at=at(date(2021, 6, 1)),
        )
        for population in populations:
            rows.add("person_population", person_id=person, population=population)  # an open period
        people.append((person, set(populations), departed))
    return people


def organisation_row(code: str, type_: str, name: str, parent: int | None) -> dict[str, Any]:
    return {
        "code": code,
        "type": type_,
        "name": name,
        "short_name": name[:60],
        "parent_id": parent,
        "source_quote": None,
        "created_at": at(date(2021, 1, 4)),
    }


def profile_revision(rows: Rows, org_id: int, revision: int, data: dict[str, Any], sha: str, when: datetime) -> int:
    return rows.add(
        "profile_revision",
        organisation_id=org_id,
        revision=revision,
        data=data,
        sources={},
        sha256=sha,
        created_at=when,
        created_by=BY,
        valid_from=when.date(),  # valid from the day it was recorded, as revision 0007 backfills
        valid_from_precision="day",
    )
