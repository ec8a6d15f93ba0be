"""The one "latest profile" query (govkit.organisations.revisions) against a plain Python oracle,
over generated revision histories, on both databases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.db import Database, stored_id
from govkit.organisations.models import Organisation, ProfileRevision
from govkit.organisations.revisions import latest_profile, latest_profiles, latest_revision_numbers, latest_revisions

START = datetime(2024, 1, 1, tzinfo=UTC)
_serial = itertools.count()

#: For each generated organisation, the days (after START) its revisions 1, 2, … were recorded.
HISTORIES = st.lists(st.lists(st.integers(0, 30), max_size=4).map(sorted), min_size=1, max_size=4)


def _store(db: Database, histories: list[list[int]]) -> dict[int, list[datetime]]:
    """New organisations with these histories: their id → the moments of revisions 1, 2, …"""
    stored: dict[int, list[datetime]] = {}
    with db.transaction() as session:
        for days in histories:
            code = f"latest-{next(_serial)}"
            organisation = Organisation(code=code, type="school", name=code, short_name=code)
            session.add(organisation)
            session.flush()
            moments = [START + timedelta(days=d, hours=n) for n, d in enumerate(days)]
            for number, moment in enumerate(moments, start=1):
                session.add(
                    ProfileRevision(
                        organisation_id=stored_id(organisation),
                        revision=number,
                        data={"revision": number},
                        sha256=f"{number:064d}",
                        created_at=moment,
                        created_by="test",
                    )
                )
            stored[stored_id(organisation)] = moments
    return stored


def _oracle(moments: list[datetime], as_of: datetime | None, else_first: bool) -> int | None:
    recorded = [n for n, m in enumerate(moments, start=1) if as_of is None or m <= as_of]
    if recorded:
        return recorded[-1]
    return 1 if else_first and moments else None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=HISTORIES, as_of_day=st.none() | st.integers(-1, 31), else_first=st.booleans())
def test_the_latest_revision_as_of_a_moment_is_the_oracles(
    db: Database, histories: list[list[int]], as_of_day: int | None, else_first: bool
) -> None:
    stored = _store(db, histories)
    as_of = None if as_of_day is None else START + timedelta(days=as_of_day, hours=12)
    ids = list(stored)
    expected = {i: n for i, m in stored.items() if (n := _oracle(m, as_of, else_first)) is not None}
    with db.reading() as session:
        numbers = session.execute(
            latest_revision_numbers(organisation_ids=ids, as_of=as_of, else_first=else_first).select()
        ).all()
        rows = session.execute(
            latest_revisions(
                ProfileRevision.organisation_id,
                ProfileRevision.data,
                organisation_ids=ids,
                as_of=as_of,
                else_first=else_first,
            )
        ).all()
        current = latest_profiles(session, ids)
        one = {i: latest_profile(session, i) for i in ids}
    assert dict(numbers) == expected
    assert {i: data["revision"] for i, data in rows} == expected
    everything = {i: n for i, m in stored.items() if (n := _oracle(m, None, False)) is not None}
    assert {i: r.revision for i, r in current.items()} == everything
    assert {i: r.revision for i, r in one.items() if r is not None} == everything
