"""The demo database carries the plan's dates: what the état des lieux documents in 2021 is in
place at the end of 2022 and uncertain inside 2021; a reload records a changed date as a correction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from govkit.access.roles import SYSTEM
from govkit.acknowledgements.models import Person, PersonPopulation
from govkit.db import Database
from govkit.demo.dataset import DATA_FILE, ETAT_DES_LIEUX
from govkit.demo.loader import load_demo
from govkit.demo.models import DatasetLoad
from govkit.organisations.commitments import in_effect, uncertain
from govkit.organisations.models import Campus, Commitment, Organisation, ProfileRevision
from govkit.rules.service import findings
from govkit.timeline import AsOf, Precision
from tests.conftest import PERSONS_PER_SCHOOL

END_2022 = date(2022, 12, 31)
INSIDE_2021 = date(2021, 6, 30)

# What the issue names: documented by the plan in 2021, reported missing at 2022-12-31 before.
DOCUMENTED_IN_2021 = [
    ("imt-lille-douai", "equality_referent"),
    ("imt-bs", "equality_referent"),
    ("telecom-sudparis", "equality_referent"),
    ("telecom-paris", "equality_referent"),
    ("imt-bs", "listening_cell"),
    ("telecom-sudparis", "listening_cell"),
    ("imt-mines-albi", "reporting_channel"),
    ("imt-atlantique", "reporting_channel"),
    ("imt-mines-ales", "reporting_channel"),
    ("mines-saint-etienne", "equality_charter"),
    ("telecom-paris", "vss_protocol"),
    # issue 16: a listening network, a cell that collects victims' words, an online platform
    ("mines-saint-etienne", "listening_cell"),
    ("telecom-paris", "reporting_channel"),
    ("imt-mines-albi", "reporting_platform"),
]
#: shared records are held by one of the schools they serve (issue 16)
HELD_BY = {("telecom-sudparis", "equality_referent"): "imt-bs", ("telecom-sudparis", "listening_cell"): "imt-bs"}
# dated by a passage of their own, before 2021: certain all through 2021
DATED_EARLIER = {
    ("imt-bs", "equality_referent"),
    ("telecom-sudparis", "equality_referent"),
    ("imt-mines-ales", "reporting_channel"),
    ("telecom-paris", "reporting_channel"),
}


# the rule that reports each kind missing
RULES = {
    "equality_referent": "commitments.equality-referent",
    "equality_charter": "commitments.equality-charter",
    "listening_cell": "listening.cell",
    "reporting_channel": "listening.reporting-channel",
    "reporting_platform": "listening.reporting-platform",
    "vss_protocol": "protocols.vss-protocol",
}


def _organisation(session: Session, code: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.code == code)).one()


def _in_effect(session: Session, code: str, type_: str, when: AsOf, status: str = "in_place") -> list[Commitment]:
    org = _organisation(session, code)
    found = in_effect(session, [org.id or 0], when).get(org.id or 0, [])
    return [c for c in found if c.type == type_ and c.status == status]


@pytest.mark.parametrize(("code", "type_"), DOCUMENTED_IN_2021)
def test_what_the_plan_documents_in_2021_is_in_place_at_the_end_of_2022(db: Database, code: str, type_: str) -> None:
    holder = HELD_BY.get((code, type_), code)  # the school that holds a shared record
    with db.transaction() as session:
        (at_end,) = _in_effect(session, holder, type_, AsOf(END_2022))
        assert not uncertain(at_end, END_2022)
        assert at_end.effective_on is not None and at_end.effective_on <= date(2021, 1, 1)
        (inside,) = _in_effect(session, holder, type_, AsOf(INSIDE_2021))
        assert uncertain(inside, INSIDE_2021) is ((code, type_) not in DATED_EARLIER)
        if (code, type_) not in DATED_EARLIER:  # documented in 2021, never dated earlier
            assert (at_end.effective_on, at_end.date_precision) == (date(2021, 1, 1), "year")
            assert at_end.date_source == ETAT_DES_LIEUX
            assert _in_effect(session, holder, type_, AsOf(date(2020, 12, 31))) == []


@pytest.mark.parametrize(
    ("code", "type_", "start", "precision"),
    [
        ("imt-atlantique", "equality_charter", date(2018, 1, 1), "year"),
        ("imt-atlantique", "listening_cell", date(2020, 1, 1), "month"),
        ("imt-atlantique", "vss_protocol", date(2021, 5, 1), "month"),
        ("imt-mines-ales", "listening_cell", date(2020, 8, 1), "month"),
        ("imt-bs", "equality_referent", date(2018, 9, 1), "month"),
    ],
)
def test_dates_of_their_own_are_loaded_with_their_precision(
    db: Database, code: str, type_: str, start: date, precision: str
) -> None:
    with db.transaction() as session:
        (fact,) = _in_effect(session, code, type_, AsOf(END_2022))
        assert (fact.effective_on, fact.date_precision) == (start, precision)
        assert fact.source_quote
        day_in_period = start + timedelta(days=20)
        assert uncertain(fact, day_in_period)


def test_unknown_stays_unknown(db: Database) -> None:
    with db.transaction() as session:
        org = _organisation(session, "imt-mines-ales")
        protocol = session.exec(
            select(Commitment).where(Commitment.organisation_id == org.id, Commitment.type == "vss_protocol")
        ).one()
        assert (protocol.status, protocol.effective_on, protocol.date_precision, protocol.date_source) == (
            "in_progress",
            None,
            None,
            None,
        )


def test_profiles_and_campuses_carry_their_dates(db: Database) -> None:
    with db.transaction() as session:
        revisions = session.exec(select(ProfileRevision)).all()
        assert len({r.organisation_id for r in revisions}) == 10
        for revision in revisions:
            assert (revision.valid_from, revision.valid_from_precision) == (date(2021, 1, 1), Precision.YEAR.value)
            assert revision.date_source and revision.date_source in {
                ETAT_DES_LIEUX,
                "Plan d'action 2021 / 2023 L'IMT mobilisé face aux Violences Sexuelles et Sexistes",
            }
        campuses = {
            (session.get(Organisation, c.organisation_id).code, c.code): c  # type: ignore[union-attr]
            for c in session.exec(select(Campus)).all()
        }
        evry = campuses[("imt-bs", "evry")]
        assert (evry.valid_from, evry.valid_from_precision, evry.date_source) == (date(2018, 3, 1), "month", None)
        nantes = campuses[("imt-atlantique", "nantes")]
        assert (nantes.valid_from, nantes.valid_from_precision, nantes.date_source) == (
            date(2021, 1, 1),
            "year",
            ETAT_DES_LIEUX,
        )
        assert all(c.recorded_by == "govkit demo loader" and c.valid_from for c in campuses.values())


def test_demo_persons_hold_their_populations_from_their_entry(db: Database) -> None:
    with db.transaction() as session:
        periods = session.exec(
            select(PersonPopulation, Person).where(col(PersonPopulation.person_id) == col(Person.id))
        ).all()
        assert periods
        assert all(p.valid_from == person.entry_date and p.valid_to is None for p, person in periods)


def test_a_reload_changes_nothing_and_a_changed_date_is_a_correction(db: Database, tmp_path: Path) -> None:
    """The same file again: no new record. A file whose fact lost its date: a new record supersedes
    the dated one, which stays readable and answers for what govkit knew before."""
    with db.transaction() as session:
        before = len(session.exec(select(Commitment)).all())
        session.get(DatasetLoad, "imt-demo").sha256 = "forgotten"  # type: ignore[union-attr]
    report = load_demo(db=db, persons_per_school=PERSONS_PER_SCHOOL)
    assert report.loaded
    with db.transaction() as session:
        assert len(session.exec(select(Commitment)).all()) == before
        assert len(session.exec(select(ProfileRevision)).all()) == 10
    known_before = datetime.now(UTC)

    albi = '        title: "Plateforme de signalement en ligne"\n        effective_on: "2021"\n'
    text = DATA_FILE.read_text(encoding="utf-8")
    assert albi in text
    edited = text.replace(albi, '        title: "Plateforme de signalement en ligne"\n', 1)
    edited = edited.replace(
        f'victimes ou témoins de violences"\n        date_source: "{ETAT_DES_LIEUX}"\n',
        'victimes ou témoins de violences"\n',
        1,
    )
    assert edited.count(ETAT_DES_LIEUX) == text.count(ETAT_DES_LIEUX) - 1
    path = tmp_path / "imt.yaml"
    path.write_text(edited, encoding="utf-8")
    assert load_demo(db=db, persons_per_school=PERSONS_PER_SCHOOL, data_file=path).loaded
    with db.transaction() as session:
        assert len(session.exec(select(Commitment)).all()) == before + 1
        (now_known,) = _in_effect(session, "imt-mines-albi", "reporting_channel", AsOf(END_2022))
        assert now_known.effective_on is None and now_known.supersedes_id is not None
        assert uncertain(now_known, END_2022)  # undated: uncertain before the day it was recorded
        (then_known,) = _in_effect(session, "imt-mines-albi", "reporting_channel", AsOf(END_2022, known_before))
        assert then_known.id == now_known.supersedes_id and then_known.effective_on == date(2021, 1, 1)
        assert session.exec(select(Commitment).where(col(Commitment.id) == then_known.id)).one()  # still there


def test_the_rules_as_of_the_end_of_2022_find_nothing_missing_that_the_plan_documents(db: Database) -> None:
    """What `govkit check --as-of 2022-12-31` evaluates: none of these is reported; inside 2021
    those the état des lieux dates to 2021 are "not documented" (info), never missing."""
    goal = {(code, RULES[type_]) for code, type_ in DOCUMENTED_IN_2021}
    at_end = findings(db=db, actor=SYSTEM, as_of=END_2022)
    assert at_end and not [
        (f.organisation, f.record.rule_id) for f in at_end if (f.organisation, f.record.rule_id) in goal
    ]
    before_deadline = findings(db=db, actor=SYSTEM, as_of=date(2021, 12, 30))
    reported = {(f.organisation, f.record.rule_id): f.record.severity for f in before_deadline}
    for code, type_ in DOCUMENTED_IN_2021:
        expected = None if (code, type_) in DATED_EARLIER else "info"
        assert reported.get((code, RULES[type_])) == expected, (code, type_)
