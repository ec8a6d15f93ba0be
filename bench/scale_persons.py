"""The campaign benchmark's persons and their acknowledgements, generated row by row for a bulk load.

``persons`` persons spread over the schools, with the populations of the demo mix (students,
apprentices, doctoral students, staff…; residents where the school has residences), some
departed, some who joined in the last days; about ``acknowledgements`` acknowledgements of the
versions that concern each person, in campaign order (older campaigns more complete than open
ones; departed persons acknowledged closed campaigns only, newcomers open ones only).
Acknowledgement hashes are fake but well-formed and chained by position.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench.scale_documents import Version, sha256_hex
from govkit.acknowledgements.chain import GENESIS_HASH
from govkit.demo.persons import FAMILY_NAMES, GIVEN_NAMES, MIX, PREFIX

#: Relative sizes of the schools (others weigh 1).
SCHOOL_WEIGHT = {"imt-atlantique": 1.8, "imt-lille-douai": 1.3, "telecom-paris": 1.2, "imt-mines-albi": 0.7}
DEPARTED_SHARE = 0.06
NEWCOMER_SHARE = 0.03  # joined in the last 25 days: late entries, never overdue
RESIDENT_SHARE = 0.35
OPEN_WEIGHT = 0.7  # an open campaign is less complete than a closed one


class Format:
    """How the raw driver of a backend takes dates and timestamps (as the ORM stores them)."""

    def __init__(self, backend: str) -> None:
        self.backend = backend

    def timestamp(self, value: datetime) -> str:
        if self.backend == "sqlite":  # SQLAlchemy's SQLite storage: naive UTC
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")

    @staticmethod
    def date(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Person:
    id: int
    organisation_id: int
    school: str
    external_id: str
    populations: tuple[str, ...]
    departed: bool
    newcomer: bool
    entry_date: date
    departure_date: date | None
    residence: str | None
    given_name: str
    family_name: str
    language: str


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split by ``weights`` (largest remainders)."""
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def make_persons(
    rng: random.Random, schools: dict[str, tuple[int, list[str]]], total: int, today: date
) -> tuple[list[Person], list[tuple[int, str]]]:
    shares = [share for _, share in MIX]
    cumulative = list(itertools.accumulate(shares))
    people: list[Person] = []
    populations: list[tuple[int, str]] = []
    counts = _split(total, [SCHOOL_WEIGHT.get(code, 1.0) for code in schools])
    for (code, (org_id, residences)), count in zip(schools.items(), counts, strict=True):
        for serial in range(1, count + 1):
            population = MIX[min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(MIX) - 1)][0]
            held = [population.value]
            learner = population.value in ("student", "apprentice")
            residence = None
            if learner and residences and rng.random() < RESIDENT_SHARE:
                held.append("resident")
                residence = rng.choice(residences)
            if population.value == "doctoral_student" and rng.random() < 0.3:
                held.append("staff")
            departed = rng.random() < DEPARTED_SHARE
            newcomer = not departed and rng.random() < NEWCOMER_SHARE
            entry = today - timedelta(days=rng.randint(0, 25) if newcomer else rng.randint(60, 6 * 365))
            person = Person(
                id=len(people) + 1,
                organisation_id=org_id,
                school=code,
                external_id=f"{PREFIX[population]}{serial:06d}",
                populations=tuple(held),
                departed=departed,
                newcomer=newcomer,
                entry_date=entry,
                departure_date=today - timedelta(days=rng.randint(1, 365)) if departed else None,
                residence=residence,
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                language="en" if rng.random() < 0.12 else "fr",
            )
            people.append(person)
            populations += [(person.id, p) for p in held]
    return people, populations


def person_row(p: Person, fmt: Format, null: str | None) -> tuple:
    created = fmt.timestamp(datetime.combine(p.entry_date, datetime.min.time(), tzinfo=UTC))
    return (
        p.id,
        p.organisation_id,
        p.external_id,
        p.given_name,
        p.family_name,
        f"{p.external_id.lower()}@{p.school}.example",
        "departed" if p.departed else "active",
        fmt.date(p.entry_date),
        fmt.date(p.departure_date) if p.departure_date else null,
        p.residence or null,
        p.language,
        created,
        created,
    )


def _eligible(person: Person, version: Version) -> float:
    """The weight of a person's chance of having acknowledged a version (0: never)."""
    if version.organisation_id != person.organisation_id or version.populations.isdisjoint(person.populations):
        return 0.0
    if version.closed_at is None:
        return 0.0 if person.departed else OPEN_WEIGHT
    return 0.0 if person.newcomer else 1.0


def acknowledgement_rows(
    rng: random.Random,
    people: list[Person],
    versions: list[Version],
    target: int,
    today: date,
    fmt: Format,
    null: str | None,
) -> Iterator[tuple]:
    """About ``target`` acknowledgement rows, campaign after campaign, ids and fake hashes in order.

    ``null`` stands for SQL NULL (None for executemany, \\N for COPY).
    """
    # the persons of a school fall into a few profiles, each with its weight for each version
    profiles: dict[tuple, list[Person]] = {}
    for p in people:
        profiles.setdefault((p.organisation_id, p.populations, p.departed, p.newcomer), []).append(p)
    weights = {key: [_eligible(members[0], v) for v in versions] for key, members in profiles.items()}
    total_weight = sum(sum(w) * len(profiles[key]) for key, w in weights.items())
    probability = min(1.0, target / total_weight) if total_weight else 0.0
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    random_ = rng.random
    bits = rng.getrandbits
    serial = 0
    previous = GENESIS_HASH
    client = sha256_hex("no client data")  # and who recorded: fake digests, as the hashes are
    salt = sha256_hex("a fake salt")
    reason = "Visa signé sur papier lors de la journée d'accueil"
    for index, version in enumerate(versions):
        span = max(60, int(((version.closed_at or now) - version.published_at).total_seconds()) - 60)
        moments = sorted(
            fmt.timestamp(version.published_at + timedelta(seconds=rng.randrange(span))) for _ in range(512)
        )
        org, vid, cid, vsha, text = (
            version.organisation_id,
            version.id,
            version.campaign_id,
            version.sha256,
            version.wording,
        )
        wsha = sha256_hex(text)
        paper_by = f"admin:{version.school} (school_admin)"
        member_prefix = f"{version.school}:"
        for key, members in profiles.items():
            chance = weights[key][index] * probability
            if not chance:
                continue
            for p in members:
                if random_() >= chance:
                    continue
                serial += 1
                record = f"{serial:064x}"
                code = f"BNCH-{serial // 100_000_000:04d}-{serial // 10_000 % 10_000:04d}-{serial % 10_000:04d}"
                if serial % 37:
                    yield (
                        serial, p.id, org, vid, cid, "electronic", vsha, text, wsha, moments[bits(9)], "oidc",
                        f"{member_prefix}{p.external_id} (member)", null, null, null, null, client, client, salt, code,
                        previous, record,
                    )  # fmt: skip
                else:
                    yield (
                        serial, p.id, org, vid, cid, "paper", vsha, text, wsha, moments[bits(9)], "paper", paper_by,
                        reason, null, null, null, client, client, salt, code, previous, record,
                    )  # fmt: skip
                previous = record
