"""Documents over time: the version in force on a date, what govkit knew then, and every version's
period in force — consecutive, never overlapping — on both databases."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.access.roles import SYSTEM
from govkit.days import utc_today
from govkit.db import Database
from govkit.documents import service as documents
from govkit.documents.models import DocumentVersion
from govkit.documents.published import NEVER_IN_FORCE, Period, in_force_at, periods
from govkit.errors import InvalidInput
from tests.ack_helpers import current, republish
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"
PUBLISHED = """query($school: String!, $kind: String, $asOf: Date, $knownAt: DateTime) {
  publishedDocuments(school: $school, language: "fr", kind: $kind, asOf: $asOf, knownAt: $knownAt) {
    id kind version effectiveFrom sha256
  }
}"""
HISTORY = """query($school: String!, $kind: String!, $language: String!) {
  documentHistory(school: $school, kind: $kind, language: $language) {
    id kind language version effectiveFrom effectiveTo emptyPeriod status changeKind changelog
    publishedAt publishedBy sha256 downloadUrl title
  }
}"""


def _day(value: date) -> str:
    return value.isoformat()


def _history(db: Database) -> list[Period]:
    return documents.document_history(db=db, actor=SYSTEM, school=SCHOOL, kind="internal", language="fr")


def test_published_documents_as_of_a_date_before_the_latest_publication_return_the_earlier_version(
    api: Api, db: Database, token: TokenFactory
) -> None:
    first = current(db, SCHOOL)
    starts = max(utc_today(), first.effective_from) + timedelta(days=30)
    second = republish(db, SCHOOL, effective_from=starts)
    member = token("member", SCHOOL, "E00001")

    def in_force(**variables: object) -> list[dict]:
        data = api.data(PUBLISHED, {"school": SCHOOL, "kind": "internal", **variables}, token=member)
        return data["publishedDocuments"]

    # today, and the day before the new version takes effect: the earlier one
    assert [d["version"] for d in in_force()] == [first.number]
    assert [d["id"] for d in in_force(asOf=_day(starts - timedelta(days=1)))] == [str(first.id)]
    # from its effective date on: the new one
    assert [d["id"] for d in in_force(asOf=_day(starts))] == [str(second.id)]
    assert in_force(asOf=_day(starts + timedelta(days=400)))[0]["sha256"] == second.sha256
    # before the first version took effect: nothing was in force
    assert in_force(asOf=_day(_history(db)[-1].effective_from - timedelta(days=1))) == []
    # what govkit knew just before the new version was published: still the earlier one
    before = (second.published_at - timedelta(microseconds=1)).isoformat()
    assert [d["id"] for d in in_force(asOf=_day(starts), knownAt=before)] == [str(first.id)]
    assert [d["id"] for d in in_force(asOf=_day(starts), knownAt=second.published_at.isoformat())] == [str(second.id)]
    # without a kind: every kind in force, the internal regulation among them
    everything = api.data(PUBLISHED, {"school": SCHOOL, "asOf": _day(starts)}, token=member)["publishedDocuments"]
    assert {"internal", "housing"} <= {d["kind"] for d in everything}
    assert [d["id"] for d in everything if d["kind"] == "internal"] == [str(second.id)]


def test_document_history_gives_each_version_its_period_and_says_when_one_was_never_in_force(
    api: Api, db: Database, token: TokenFactory
) -> None:
    first = current(db, SCHOOL)
    starts = max(utc_today(), first.effective_from) + timedelta(days=20)
    overtaken = republish(db, SCHOOL, effective_from=starts)
    latest = republish(db, SCHOOL, effective_from=starts, change_kind="editorial")
    admin = token("school_admin", SCHOOL)
    rows = api.data(HISTORY, {"school": SCHOOL, "kind": "internal", "language": "fr"}, token=admin)["documentHistory"]
    assert [r["version"] for r in rows[:3]] == [latest.number, overtaken.number, first.number]
    newest, middle, earlier = rows[:3]
    assert newest["effectiveFrom"] == _day(starts)
    assert newest["effectiveTo"] is None
    assert newest["status"] == "UPCOMING"
    assert newest["changeKind"] == "editorial"
    assert newest["downloadUrl"].endswith(f"/documents/{latest.sha256}")
    assert newest["publishedBy"] == latest.published_by
    assert (middle["effectiveFrom"], middle["effectiveTo"]) == (_day(starts), _day(starts))
    assert middle["emptyPeriod"] is True
    assert middle["status"] == "NEVER_IN_FORCE"
    assert earlier["effectiveTo"] == _day(starts)
    assert earlier["emptyPeriod"] is False
    assert earlier["status"] == "IN_FORCE"
    assert earlier["sha256"] == first.sha256
    # the version in force on the new versions' day is the last of them, never the one overtaken
    in_force = api.data(PUBLISHED, {"school": SCHOOL, "kind": "internal", "asOf": _day(starts)}, token=admin)[
        "publishedDocuments"
    ]
    assert [d["id"] for d in in_force] == [str(latest.id)]


def test_document_history_refuses_an_unknown_kind_and_another_school(api: Api, token: TokenFactory) -> None:
    admin = token("school_admin", SCHOOL)
    unknown = api.graphql(HISTORY, {"school": SCHOOL, "kind": "charter", "language": "fr"}, token=admin).json()
    assert unknown["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "Unknown document kind 'charter'" in unknown["errors"][0]["message"]
    language = api.graphql(HISTORY, {"school": SCHOOL, "kind": "internal", "language": "de"}, token=admin).json()
    assert "Unknown language 'de'" in language["errors"][0]["message"]
    other = api.graphql(HISTORY, {"school": "telecom-paris", "kind": "internal", "language": "fr"}, token=admin)
    assert other.json()["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND")


# --- the periods: a property of any sequence of versions --------------------------------------------------


def _check_periods(history: list[Period]) -> None:
    """Consecutive and non-overlapping: in taking-over order each period ends where the next begins,
    the last one is open, and the non-empty ones are disjoint and cover every day from the first."""
    ordered = history[::-1]
    for period, following in itertools.pairwise(ordered):
        assert period.effective_to == following.effective_from
        assert period.effective_from <= following.effective_from
    assert ordered[-1].effective_to is None
    spans = [p for p in ordered if not p.empty]
    for period, following in itertools.pairwise(spans):
        assert period.effective_to == following.effective_from  # no gap, no overlap
    assert spans[0].effective_from == ordered[0].effective_from


def _version(number: int, effective_from: date) -> DocumentVersion:
    return DocumentVersion(
        organisation_id=1,
        kind="internal",
        language="fr",
        number=number,
        variant_id=1,
        sha256=f"{number:064x}",
        clauses=[],
        effective_from=effective_from,
        change_kind="substantive",
        changelog="-",
        published_by="test",
    )


START = date(2021, 9, 1)


@settings(max_examples=30, deadline=None)
@given(offsets=st.lists(st.integers(0, 60), min_size=1, max_size=12), probes=st.lists(st.integers(-5, 70), max_size=20))
def test_periods_of_any_sequence_are_consecutive_and_name_the_version_in_force(
    offsets: list[int], probes: list[int]
) -> None:
    versions = [_version(n, START + timedelta(days=o)) for n, o in enumerate(offsets, start=1)]
    assert periods([]) == []
    assert in_force_at([], START) is None
    history = periods(versions)
    assert len(history) == len(versions)
    _check_periods(history)
    for probe in probes:
        day = START + timedelta(days=probe)
        holding = [p.document for p in history if p.in_force_on(day) and not p.empty]
        assert holding == ([found] if (found := in_force_at(versions, day)) else [])
        for p in history:
            assert (p.status(day) == NEVER_IN_FORCE) == p.empty


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(["substantive", "editorial"])), min_size=1, max_size=5
    ),
    probes=st.lists(st.integers(-3, 45), min_size=1, max_size=8),
)
def test_random_publications_give_consecutive_periods_and_the_as_of_answer(
    db: Database, steps: list[tuple[int, str]], probes: list[int]
) -> None:
    assert isinstance(db.bind, sa.Connection)
    savepoint = db.bind.begin_nested()  # each example starts from the demo data
    try:
        latest = _history(db)[0].effective_from
        base = max(utc_today(), latest)
        for offset, change in steps:
            effective = base + timedelta(days=offset)
            if effective < latest:  # a version never takes effect before the one it follows
                with pytest.raises(InvalidInput, match="is before that of version"):
                    republish(db, SCHOOL, change_kind=change, effective_from=effective)
                continue
            republish(db, SCHOOL, change_kind=change, effective_from=effective)
            latest = effective
        history = _history(db)
        _check_periods(history)
        for probe in probes:
            day = base + timedelta(days=probe)
            expected = [p.document.id for p in history if p.in_force_on(day) and not p.empty]
            found = documents.published_documents(
                db=db, actor=SYSTEM, school=SCHOOL, language="fr", kind="internal", as_of=day
            )
            assert [d.id for _org, d in found] == expected
    finally:
        with db.exclusive():
            savepoint.rollback()


def test_a_known_at_without_a_time_zone_is_read_as_utc(db: Database) -> None:
    """A moment without a zone is a UTC moment (GraphQL DateTime values often come without one)."""
    found = documents.published_documents(
        db=db, actor=SYSTEM, school=SCHOOL, kind="internal", known_at=datetime(2000, 1, 1)
    )
    assert found == []
