"""Organisations as of a day, as known at a moment: commitments, profiles and campuses answer in
valid time; corrections supersede; "known at" hides what was recorded later. Both databases."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.access.roles import Principal, Role
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.errors import InvalidInput
from govkit.organisations import service
from govkit.organisations.models import Campus, Commitment, Organisation
from govkit.organisations.vocabulary import CommitmentStatus, CommitmentType
from govkit.timeline import AsOf, Precision
from tests.conftest import Api, TokenFactory

LEGAL = Principal(role=Role.LEGAL, subject="test-legal")
START = date(2019, 1, 1)
PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STATUSES = [CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.IN_PLACE, CommitmentStatus.LAPSED]
_serial = itertools.count()


def _school(db: Database) -> Organisation:
    """A new school of its own (the test's transaction is rolled back)."""
    code = f"as-of-{next(_serial)}"
    with db.transaction() as session:
        organisation = Organisation(code=code, type="school", name=f"École {code}", short_name=code)
        session.add(organisation)
        session.flush()
        return organisation


def _record(db: Database, code: str, status: CommitmentStatus, day: date | None, **extra: object) -> Commitment:
    data = service.CommitmentInput(
        organisation_code=code,
        type=CommitmentType.EQUALITY_REFERENT,
        status=status,
        title=str(extra.pop("title", "Référent égalité")),
        effective_on=day,
        **extra,  # type: ignore[arg-type]
    )
    return service.record_commitment(db=db, actor=LEGAL, data=data)


def _answer(db: Database, organisation: Organisation, when: AsOf) -> list[int]:
    """The ids of the commitments in effect as of ``when``."""
    found = service.commitments_by_organisation(
        db=db, actor=LEGAL, organisation_ids=[stored_id(organisation)], when=when
    )[stored_id(organisation)]
    assert not isinstance(found, Exception)
    return [stored_id(c) for c in found]


def _probe_days(*days: date) -> list[date]:
    """Days around each given day, and before and after them all."""
    around = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    return sorted(around | {START - timedelta(days=1), utc_today()})


histories = st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(0, 1800)), min_size=1, max_size=4)


@PROPERTY
@given(history=histories, earlier=st.integers(0, 1800), status=st.sampled_from(STATUSES))
def test_a_commitment_recorded_later_but_valid_earlier_changes_earlier_days_only(
    db: Database, history: list[tuple[CommitmentStatus, int]], earlier: int, status: CommitmentStatus
) -> None:
    organisation = _school(db)
    records = [_record(db, organisation.code, s, START + timedelta(days=d)) for s, d in history]
    late_valid_from = START + timedelta(days=earlier)
    days = _probe_days(late_valid_from, *(r.effective_on for r in records if r.effective_on))
    before = {day: _answer(db, organisation, AsOf(day)) for day in days}
    late = _record(db, organisation.code, status, late_valid_from)
    starts = {stored_id(r): r.effective_on for r in records}
    for day in days:
        after = _answer(db, organisation, AsOf(day))
        if day < late_valid_from:
            assert after == before[day], day  # earlier than the new fact: nothing changes
        elif before[day] and starts[before[day][0]] > late_valid_from:  # type: ignore[operator]
            assert after == before[day], day  # a fact valid later than the new one still answers
        else:
            assert after == [stored_id(late)], day
        # and what govkit knew before recording it is unchanged
        assert (
            _answer(db, organisation, AsOf(day, known_at=late.recorded_at - timedelta(microseconds=1))) == before[day]
        )


@PROPERTY
@given(history=st.lists(st.integers(0, 1800), min_size=1, max_size=4), earlier=st.integers(0, 1800))
def test_a_profile_revision_recorded_later_but_valid_earlier_changes_earlier_days_only(
    db: Database, history: list[int], earlier: int
) -> None:
    organisation = _school(db)
    serial = itertools.count()

    def change(day: date) -> int:
        patch = {"address": {"city": f"Ville {next(serial)}"}}
        dating = service.Dating(day)
        return service.update_profile(db=db, actor=LEGAL, code=organisation.code, patch=patch, dating=dating).revision

    def answer(when: AsOf) -> int | None:
        found = service.profiles_by_organisation(
            db=db, actor=LEGAL, organisation_ids=[stored_id(organisation)], when=when
        )[stored_id(organisation)]
        assert not isinstance(found, Exception)
        return None if found is None else found.revision

    valid_from = {change(START + timedelta(days=d)): START + timedelta(days=d) for d in history}
    late_day = START + timedelta(days=earlier)
    days = _probe_days(late_day, *valid_from.values())
    before = {day: answer(AsOf(day)) for day in days}
    moment = datetime.now(UTC)
    late = change(late_day)
    for day in days:
        after = answer(AsOf(day))
        if day < late_day or (before[day] is not None and valid_from[before[day]] > late_day):
            assert after == before[day], day
        else:
            assert after == late, day
        assert answer(AsOf(day, known_at=moment)) == before[day]


def test_known_at_hides_later_records_and_later_corrections(db: Database) -> None:
    organisation = _school(db)
    first = _record(db, organisation.code, CommitmentStatus.IN_PLACE, date(2021, 1, 1), title="Cellule")
    correction = _record(
        db,
        organisation.code,
        CommitmentStatus.IN_PLACE,
        date(2021, 6, 1),
        title="Cellule d'écoute",
        supersedes=stored_id(first),
        date_source="Plan d'action 2021-2023, p. 12",
    )
    day = date(2022, 1, 1)
    assert _answer(db, organisation, AsOf(day)) == [stored_id(correction)]
    assert _answer(db, organisation, AsOf(date(2021, 3, 1))) == []  # the correction dates it from June
    just_before = correction.recorded_at - timedelta(microseconds=1)
    assert _answer(db, organisation, AsOf(day, known_at=just_before)) == [stored_id(first)]
    assert _answer(db, organisation, AsOf(day, known_at=first.recorded_at - timedelta(seconds=1))) == []
    history = service.commitments_by_organisation(
        db=db, actor=LEGAL, organisation_ids=[stored_id(organisation)], history=True
    )[stored_id(organisation)]
    assert [c.id for c in history] == [correction.id, first.id]  # type: ignore[union-attr]
    assert correction.supersedes_id == first.id and correction.date_source == "Plan d'action 2021-2023, p. 12"


def test_a_correction_must_name_an_uncorrected_record_of_the_same_organisation(db: Database) -> None:
    mine, other = _school(db), _school(db)
    theirs = _record(db, other.code, CommitmentStatus.IN_PLACE, date(2021, 1, 1))
    with pytest.raises(InvalidInput, match="same organisation") as caught:
        _record(db, mine.code, CommitmentStatus.IN_PLACE, date(2021, 1, 1), supersedes=stored_id(theirs))
    assert caught.value.problems[0].path == "supersedes"
    with pytest.raises(InvalidInput, match="same organisation"):
        _record(db, mine.code, CommitmentStatus.IN_PLACE, None, supersedes=10**9)
    fixed = _record(db, other.code, CommitmentStatus.LAPSED, date(2022, 1, 1), supersedes=stored_id(theirs))
    with pytest.raises(InvalidInput, match=f"already corrected by commitment {fixed.id}"):
        _record(db, other.code, CommitmentStatus.IN_PLACE, date(2021, 1, 1), supersedes=stored_id(theirs))
    assert _answer(db, other, AsOf(date(2023, 1, 1))) == [stored_id(fixed)]


def test_an_undated_record_counts_from_the_day_it_was_recorded_and_is_uncertain_before(db: Database) -> None:
    organisation = _school(db)
    dated = _record(db, organisation.code, CommitmentStatus.PLANNED, date(2020, 1, 1))
    undated = _record(db, organisation.code, CommitmentStatus.IN_PLACE, None)
    # in valid time the undated record is the later one (it counts from today)
    assert _answer(db, organisation, AsOf(date(2021, 1, 1))) == [stored_id(undated)]
    from govkit.organisations.commitments import uncertain

    assert uncertain(undated, date(2021, 1, 1)) and not uncertain(undated, utc_today())
    # a dated record meant to replace it is a correction
    fixed = _record(db, organisation.code, CommitmentStatus.IN_PLACE, date(2021, 9, 1), supersedes=stored_id(undated))
    assert _answer(db, organisation, AsOf(date(2021, 1, 1))) == [stored_id(dated)]
    assert _answer(db, organisation, AsOf(utc_today())) == [stored_id(fixed)]


AS_OF = """query($code: String!, $asOf: Date, $knownAt: DateTime) {
  organisation(code: $code, asOf: $asOf, knownAt: $knownAt) {
    asOf knownAt
    profile { revision validFrom validFromPrecision dateSource uncertain address { city } }
    commitments { id status effectiveOn datePrecision validFrom validFromPrecision validTo dateSource
                  recordedAt recordedBy supersedes uncertain }
    commitmentHistory { id }
    campuses { code validFrom validTo uncertain recordedBy }
  }
}"""
RECORD = """mutation($input: RecordCommitmentInput!) {
  recordCommitment(input: $input) { id validFrom validFromPrecision dateSource supersedes uncertain }
}"""
UPDATE = """mutation($code: String!, $patch: SchoolProfilePatch!, $from: Date, $precision: DatePrecision,
                  $source: String) {
  updateSchoolProfile(code: $code, patch: $patch, validFrom: $from, validFromPrecision: $precision,
                      dateSource: $source) { revision validFrom validFromPrecision dateSource uncertain }
}"""


def test_graphql_organisation_as_of_and_known_at(api: Api, token: TokenFactory, db: Database) -> None:
    organisation = _school(db)
    code = organisation.code
    with db.transaction() as session:
        session.add_all(
            [
                Campus(organisation_id=stored_id(organisation), code="old", name="Ancien site", recorded_by="test",
                       valid_from=date(2015, 1, 1), valid_from_precision="year", valid_to=date(2022, 9, 1)),
                Campus(organisation_id=stored_id(organisation), code="new", name="Nouveau site", recorded_by="test",
                       valid_from=date(2022, 9, 1), valid_from_precision="academic_year"),
            ]
        )  # fmt: skip
    legal = token("legal")
    profile = api.data(
        UPDATE,
        {"code": code, "patch": {"address": {"city": "Alès"}}, "from": "2021-05-17", "precision": "YEAR",
         "source": "Plan d'action : « en 2021 »"},
        token=legal,
    )["updateSchoolProfile"]  # fmt: skip
    assert profile == {
        "revision": 1,
        "validFrom": "2021-01-01",
        "validFromPrecision": "YEAR",
        "dateSource": "Plan d'action : « en 2021 »",
        "uncertain": True,
    }
    recorded = api.data(
        RECORD,
        {"input": {"organisation": code, "type": "LISTENING_CELL", "status": "IN_PLACE", "title": "Cellule",
                   "effectiveOn": "2021-10-05", "datePrecision": "ACADEMIC_YEAR", "dateSource": "p. 14"}},
        token=legal,
    )["recordCommitment"]  # fmt: skip
    assert recorded["validFrom"] == "2021-09-01" and recorded["validFromPrecision"] == "ACADEMIC_YEAR"
    assert recorded["dateSource"] == "p. 14" and recorded["supersedes"] is None and recorded["uncertain"] is False

    def ask(as_of: str | None, known_at: str | None = None) -> dict:  # type: ignore[type-arg]
        return api.data(AS_OF, {"code": code, "asOf": as_of, "knownAt": known_at}, token=legal)["organisation"]  # type: ignore[no-any-return]

    in_2020 = ask("2020-06-01")
    assert in_2020["asOf"] == "2020-06-01" and in_2020["knownAt"] is None
    assert in_2020["profile"] is None and in_2020["commitments"] == []
    assert [c["code"] for c in in_2020["campuses"]] == ["old"]
    spring = ask("2022-03-01")
    assert spring["profile"]["uncertain"] is False and spring["profile"]["address"] == {"city": "Alès"}
    (cell,) = spring["commitments"]
    assert cell["uncertain"] is True and cell["effectiveOn"] == cell["validFrom"] == "2021-09-01"
    assert cell["datePrecision"] == cell["validFromPrecision"] == "ACADEMIC_YEAR" and cell["validTo"] is None
    assert ask("2022-08-31")["commitments"][0]["uncertain"] is False  # the academic year's last day
    autumn = ask("2022-09-01")
    assert [(c["code"], c["uncertain"]) for c in autumn["campuses"]] == [("new", True)]
    assert ask("2021-12-30")["profile"]["uncertain"] is True  # dated to 2021: not documented in 2021
    assert ask("2021-12-31")["profile"]["uncertain"] is False  # by the end of 2021 it had happened

    correction = api.data(
        RECORD,
        {"input": {"organisation": code, "type": "LISTENING_CELL", "status": "IN_PLACE", "title": "Cellule",
                   "effectiveOn": "2022-01-10", "supersedes": int(cell["id"])}},
        token=legal,
    )["recordCommitment"]  # fmt: skip
    assert correction["supersedes"] == cell["id"]
    now = ask("2022-03-01")
    assert [c["id"] for c in now["commitments"]] == [correction["id"]]
    assert [c["id"] for c in now["commitmentHistory"]] == [correction["id"], cell["id"]]
    then = ask("2022-03-01", cell["recordedAt"])  # as govkit knew it when the first record was made
    assert [c["id"] for c in then["commitments"]] == [cell["id"]]
    assert [c["id"] for c in then["commitmentHistory"]] == [cell["id"]]
    assert then["knownAt"] is not None


def test_graphql_correction_of_another_organisations_record_is_refused(api: Api, token: TokenFactory) -> None:
    legal = token("legal")
    base = {"type": "LISTENING_CELL", "status": "IN_PLACE", "title": "Cellule"}
    theirs = api.data(RECORD, {"input": {"organisation": "imt-bs", **base}}, token=legal)["recordCommitment"]
    body = api.graphql(
        RECORD, {"input": {"organisation": "imt-atlantique", **base, "supersedes": int(theirs["id"])}}, token=legal
    ).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "same organisation" in error["message"] and "même organisation" in error["message"]


def test_profile_valid_from_cannot_be_in_the_future(db: Database) -> None:
    organisation = _school(db)
    with pytest.raises(InvalidInput, match="future"):
        service.update_profile(
            db=db,
            actor=LEGAL,
            code=organisation.code,
            patch={"address": {"city": "Brest"}},
            dating=service.Dating(utc_today() + timedelta(days=1), Precision.DAY),
        )
