"""Properties of the required clauses in time, on both databases (each example from the demo as
loaded: a savepoint rolled back after it).

For any sequence of additions and removals with dates (those govkit accepts: the same as a plain
model of periods accepts), the clauses a kind requires on a day D are exactly those of a period
containing D; the facts the rules are given as of D say so; and a rule evaluated as of a day before
an addition does not report the clause missing, while from that day on it does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkit.access.roles import SYSTEM
from govkit.db import Database, utcnow
from govkit.documents import clause_service, required_clauses
from govkit.documents.clause_library import load_library
from govkit.errors import Conflict
from govkit.rules.checks import check_require_clauses
from govkit.rules.definitions import RequireClauses
from govkit.rules.facts import DocumentFact
from govkit.rules.queries import load_facts

KIND = "study"
SEEDED = "vss.sanctions"  # required in study from the start (kinds.yaml)
ADDED = "vss.online"  # in the library, not required in study
CLAUSES = (SEEDED, ADDED)
FIRST = date(2026, 1, 1)
DAYS = st.integers(min_value=0, max_value=60).map(lambda n: FIRST + timedelta(days=n))
OPERATIONS = st.lists(st.tuples(st.sampled_from(CLAUSES), st.sampled_from(("add", "remove")), DAYS), max_size=6)
SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
REASON = "Décision du comité juridique"


@contextmanager
def from_the_demo(db: Database) -> Iterator[None]:
    savepoint = db.bind.begin_nested()  # type: ignore[union-attr]
    try:
        yield
    finally:
        savepoint.rollback()


@dataclass
class Periods:
    """The plain model: a clause's periods [start, end) (None: from the start / still required)."""

    periods: list[list[date | None]] = field(default_factory=list)

    def apply(self, action: str, day: date) -> bool:
        """Whether the change is accepted (and made)."""
        still = next((p for p in self.periods if p[1] is None), None)
        if action == "add":
            if still is not None or any(p[1] is not None and p[1] > day and p[1] != p[0] for p in self.periods):
                return False
            self.periods.append([day, None])
            return True
        if still is None or (still[0] is not None and day < still[0]):
            return False
        still[1] = day
        return True

    def required(self, day: date) -> bool:
        return any((a is None or a <= day) and (b is None or day < b) for a, b in self.periods)


@SETTINGS
@given(operations=OPERATIONS, probes=st.lists(DAYS, min_size=1, max_size=4))
def test_the_required_set_on_a_day_is_exactly_the_periods_valid_on_it(
    db: Database, operations: list[tuple[str, str, date]], probes: list[date]
) -> None:
    with from_the_demo(db):
        model = {SEEDED: Periods([[None, None]]), ADDED: Periods()}
        for clause, action, day in operations:
            expected = model[clause].apply(action, day)
            try:
                required_clauses.change_required_clause(
                    db=db,
                    actor=SYSTEM,
                    kind=KIND,
                    clause=clause,
                    action=action,
                    effective_on=day,
                    reason=REASON,
                    four_eyes=False,
                )
                accepted = True
            except Conflict:
                accepted = False
            assert accepted == expected, (clause, action, day)
        with db.reading() as session:
            library = load_library(session.connection())
        for day in [*probes, FIRST - timedelta(days=1)]:
            wanted = {c for c in CLAUSES if model[c].required(day)}
            required = set(library.required_on(day).get(KIND, ())) & set(CLAUSES)
            assert required == wanted, day
            view = clause_service.clause_library(db=db, actor=SYSTEM, as_of=day)
            assert set(next(k for k in view.kinds if k.kind == KIND).required) & set(CLAUSES) == wanted


@SETTINGS
@given(added_on=DAYS, probe=DAYS)
def test_a_rule_as_of_a_day_before_the_addition_does_not_report_the_clause_missing(
    db: Database, added_on: date, probe: date
) -> None:
    """Each school's study regulation is given as holding every clause but ADDED (the facts' documents
    are replaced: the demo's are in force from today only)."""
    with from_the_demo(db):
        required_clauses.change_required_clause(
            db=db,
            actor=SYSTEM,
            kind=KIND,
            clause=ADDED,
            action="add",
            effective_on=added_on,
            reason=REASON,
            four_eyes=False,
        )
        with db.reading() as session:
            facts = load_facts(session, probe, codes=["imt-bs"])
        assert facts.required_clauses is not None
        assert (ADDED in facts.required_clauses[KIND]) == (probe >= added_on)
        (school,) = facts.organisations
        every = tuple(k for k in library_keys(db) if k != ADDED)
        document = DocumentFact(KIND, "fr", 1, FIRST - timedelta(days=1), utcnow(), every)
        given_school = replace(school, documents=(document,))
        missing = {v.key for v in check_require_clauses(RequireClauses(kinds=[KIND]), given_school, facts)}
        assert missing == ({f"{KIND}/fr/{ADDED}"} if probe >= added_on else set())


def library_keys(db: Database) -> list[str]:
    with db.reading() as session:
        return list(load_library(session.connection()).titles)
