"""The arrangements of the generated schools (bench/schools.py): shared with another school, group-level.

- **Shared**: schools ``25k + 7`` and ``25k + 8`` share one equality referent post (20 %) and one
  listening cell, held by the first, with an ``arrangement_member`` row for each school (as
  ``recordCommitment`` with ``members`` stores them); neither records its own. A pair is made only
  when both schools are generated.
- **Group-level**: the head office holds two arrangements schools join by agreement. The reporting
  platform the group chose (planned in 2021, in place from September 2022, an external provider's)
  is joined by about 70 % of the schools (``EXEMPLARY`` among them), from the rentrée 2022 or
  later; about 4 % joined and then opted out on 1 January 2024 (``BROKEN`` among them), a third of
  those with a platform of their own. The listening cell of a medical and psychological provider
  (in place from 2023) is joined by about a quarter of the schools, besides their own cell.
  Schools out of the platform record one of their own half of the time.

School ``n`` draws from its own random generator, so it is the same whatever the number of schools.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import NamedTuple

from bench.school_rows import AS_OF, BROKEN, BY, EXEMPLARY, Rows, at, commitment_row

__all__ = ["PAIRED", "GroupArrangements", "group_arrangements", "join_group", "paired_with", "share_with_partner"]

#: The commitment types a school of a shared pair holds with its partner, not on its own.
PAIRED = ("equality_referent", "listening_cell")
PLATFORM = ("reporting_platform", "Plateforme de signalement du groupe")
PROVIDER_CELL = ("listening_cell", "Cellule d'écoute médico-psychologique (prestataire du groupe)")
OPTED_OUT_ON = date(2024, 1, 1)


def paired_with(i: int, n: int) -> int | None:
    """The index of the school sharing arrangements with school ``i`` among ``n``, if any."""
    first = i - i % 25 + 7
    if i % 25 not in (7, 8) or first + 1 >= n:
        return None
    return first + 1 if i == first else first


def share_with_partner(rows: Rows, org_id: int, partner_id: int, i: int) -> None:
    """The shared referent post and listening cell of a pair, held by the school ``org_id`` (the first)."""
    since = date(2021, 9 + i % 4, 1)
    recorded = at(since + timedelta(days=20))
    for type_, title, capacity in (
        ("equality_referent", f"Référent·e égalité partagé·e (paire {i})", {"time_share_percent": 20}),
        ("listening_cell", f"Cellule d'écoute commune (paire {i})", {"members": 6}),
    ):
        record = rows.add(
            "commitment",
            **commitment_row(org_id, type_, "in_place", title, since, None, recorded, how="shared", capacity=capacity),
        )
        for member in (org_id, partner_id):
            member_row(rows, record, member, "member", since, recorded)


class GroupArrangements(NamedTuple):
    """The ids of the head office's group arrangements (the records memberships name)."""

    platform: int
    provider_cell: int


def group_arrangements(rows: Rows, office: int) -> GroupArrangements:
    """The head office's group arrangements: the reporting platform (planned, then in place) and a
    provider's listening cell."""
    type_, title = PLATFORM
    provider = "Prestataire de signalement retenu par le groupe (marché 2022)"
    platform = rows.add(
        "commitment",
        **commitment_row(office, type_, "planned", title, date(2021, 11, 1), None, at(date(2021, 11, 15)), how="group"),
    )
    rows.add(  # a later status of the same arrangement: its members follow it
        "commitment",
        **commitment_row(
            office,
            type_,
            "in_place",
            title,
            date(2022, 9, 1),
            None,
            at(date(2022, 9, 5)),
            how="group",
            provider=provider,
        ),
    )
    type_, title = PROVIDER_CELL
    cell = rows.add(
        "commitment",
        **commitment_row(
            office,
            type_,
            "in_place",
            title,
            date(2023, 1, 1),
            None,
            at(date(2022, 12, 1)),
            how="group",
            provider="Cabinet de psychologues conventionné",
            capacity={"hours_per_year": 400},
        ),
    )
    return GroupArrangements(platform, cell)


def join_group(rows: Rows, group: GroupArrangements, org_id: int, code: str, seed: int) -> None:
    """Whether school ``code`` joins (and perhaps leaves) the group's arrangements, and its own platform."""
    rnd = random.Random(f"{seed}:{code}:arrangements")
    draw = 0.0 if code == EXEMPLARY else 0.99 if code == BROKEN else rnd.random()
    if draw < 0.7 or draw > 0.96:  # joined the platform, from the rentrée 2022 or a later month
        joined = date(2022, 9, 1) if draw < 0.4 else date(2022 + rnd.randrange(2), 1 + rnd.randrange(12), 1)
        recorded = at(joined + timedelta(days=rnd.randrange(1, 60)))
        if draw < 0.7:
            member_row(rows, group.platform, org_id, "member", joined, recorded)
        else:  # and left it: the member period is closed, an opted-out period follows
            left_recorded = at(OPTED_OUT_ON - timedelta(days=15))
            member_row(rows, group.platform, org_id, "member", joined, recorded, OPTED_OUT_ON, left_recorded)
            member_row(rows, group.platform, org_id, "opted_out", OPTED_OUT_ON, left_recorded)
            if code != BROKEN and rnd.random() < 1 / 3:
                own_platform(rows, org_id, OPTED_OUT_ON)
    elif rnd.random() < 0.5:
        own_platform(rows, org_id, date(2021 + rnd.randrange(3), 1 + rnd.randrange(12), 1))
    if code != BROKEN and rnd.random() < 0.25:
        joined = date(2023, 1 + rnd.randrange(12), 1)
        member_row(rows, group.provider_cell, org_id, "member", joined, at(joined))


def own_platform(rows: Rows, org_id: int, since: date) -> None:
    rows.add(
        "commitment",
        **commitment_row(
            org_id,
            "reporting_platform",
            "in_place",
            "Plateforme de signalement de l'école",
            since,
            None,
            at(min(since, AS_OF)),
            how="external",
            provider="Éditeur de la plateforme",
        ),
    )


def member_row(
    rows: Rows,
    commitment_id: int,
    organisation_id: int,
    role: str,
    since: date | None,
    recorded: datetime,
    until: date | None = None,
    ended_recorded: datetime | None = None,
) -> None:
    rows.add(
        "arrangement_member",
        commitment_id=commitment_id,
        organisation_id=organisation_id,
        role=role,
        valid_from=since,
        valid_from_precision="month" if since else None,
        valid_to=until,
        date_source=None,
        source_quote=None,
        recorded_at=recorded,
        recorded_by=BY,
        ended_recorded_at=ended_recorded,
    )
