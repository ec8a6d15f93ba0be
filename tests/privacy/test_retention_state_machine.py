"""A state machine over imports, acknowledgements, departures, retention runs and legal holds: after
every step `audit verify` passes, no erased person's name, e-mail, external id or single sign-on subject is in any text
column of any table (job arguments included) nor in a log line, and a held person is never erased."""

from __future__ import annotations

import contextlib
import itertools
import logging
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import col, select

from govkit.access import audit
from govkit.access.roles import SYSTEM, Principal, Role
from govkit.acknowledgements import chain
from govkit.acknowledgements.models import Person
from govkit.acknowledgements.persons import import_persons
from govkit.auth.models import Identity
from govkit.days import utc_today
from govkit.db import Database
from govkit.errors import Conflict, InvalidInput
from govkit.flows.retention import run_retention
from govkit.organisations.models import Organisation
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.service import write_profile
from govkit.privacy import legal_holds
from govkit.privacy.hold_models import LegalHold
from tests.ack_helpers import acknowledge, republish
from tests.conftest import make_settings
from tests.privacy.scan import leaks

_schools = itertools.count(1)
LEGAL = Principal(role=Role.LEGAL, subject="test:legal")
SETTINGS = make_settings()
TODAY = utc_today()
NUMBERS = st.integers(0, 5)
ERASED_IN_ALL: list[int] = []  # the persons the machine saw erased, over every example


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("sqlalchemy"):  # the test's own queries carry what it looks for
            self.lines.append(record.getMessage().lower())


def test_retention_invariants(db: Database) -> None:
    ERASED_IN_ALL.clear()
    lines = _Lines()
    logging.getLogger().addHandler(lines)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)

    class Machine(RuleBasedStateMachine):
        @initialize()
        def school(self) -> None:
            self.code = f"rt-school-{next(_schools)}"
            with db.transaction() as session:
                parent = session.exec(select(Organisation).where(Organisation.code == "imt")).one()
                org = Organisation(
                    code=self.code, type="school", name=f"École {self.code}", short_name=self.code, parent_id=parent.id
                )
                session.add(org)
                session.flush()
                write_profile(session, org, SchoolProfile(official_name=org.name, short_name=self.code), author="test")
                self.org_id = org.id
            self.version = republish(db, self.code, "internal", "substantive").id
            self.generation: dict[int, int] = {}  # a number's current person (a new one once erased)
            self.ids: dict[str, int] = {}  # external id -> person id
            self.erased: list[list[str]] = []  # the identifiers of each erased person
            self.serial = next(_schools)
            # every example starts with a person present and one who left long ago (due for erasure)
            self._import([self._line(0, None), self._line(1, TODAY - timedelta(days=366 * 7))])

        def _values(self, number: int) -> tuple[str, str, str, str]:
            g = self.generation.get(number, 0)
            tag = f"{self.serial}n{number}g{g}"
            return f"QZX{tag}Q", f"Qzgiven{tag}", f"Qzfamily{tag}", f"qzmail{tag}@sm.example"

        def _sso(self, number: int) -> str:
            return f"oidc:qzsso{self._values(number)[0][3:-1].lower()}"

        def _line(self, number: int, left: date | None) -> str:
            external_id, given, family, email = self._values(number)
            status = f"departed,{left.isoformat()}" if left else "active,"
            return f"{external_id},{given},{family},{email},student,{status}"

        def _import(self, rows: list[str]) -> None:
            header = "external_id,given_name,family_name,email,populations,status,departure_date"
            report = import_persons(db=db, actor=SYSTEM, school=self.code, data="\n".join([header, *rows]).encode())
            assert report.ok, report.errors
            with db.reading() as session:
                for person in session.exec(select(Person).where(Person.organisation_id == self.org_id)).all():
                    if person.erased_at is None:
                        self.ids[person.external_id] = person.id  # type: ignore[assignment]

        @rule(numbers=st.lists(NUMBERS, min_size=1, max_size=3, unique=True))
        def import_people(self, numbers: list[int]) -> None:
            self._import([self._line(n, None) for n in numbers])

        def _present(self) -> list[int]:
            """The numbers whose current person is imported and not erased."""
            return [n for n in range(6) if self._values(n)[0] in self.ids]

        @precondition(lambda self: bool(self.ids))
        @rule(data=st.data(), years=st.sampled_from([1, 6, 7]))
        def depart(self, data: st.DataObject, years: int) -> None:
            number = data.draw(st.sampled_from(self._present()))
            self._import([self._line(number, TODAY - timedelta(days=366 * years))])

        @precondition(lambda self: bool(self.ids))
        @rule(number=NUMBERS)
        def acknowledge_current(self, number: int) -> None:
            person_id = self.ids.get(self._values(number)[0])
            if person_id is None:
                return
            # signed in through the school's single sign-on: their identity provider's subject, which
            # the school's directory links back to them, authors the audit events of what they do
            subject = self._sso(number)
            with db.transaction() as session:
                if session.exec(select(Identity).where(Identity.subject == subject)).first() is None:
                    session.add(Identity(subject=subject, display_name="", person_id=person_id))
                audit.add(
                    session,
                    actor=Principal(role=Role.MEMBER, subject=subject),
                    action="sm.sign_in",
                    correlation_id="sm",
                )
            member = Principal(
                role=Role.MEMBER,
                subject=subject,
                organisation_id=self.org_id,
                organisation_code=self.code,
                person_id=person_id,
            )
            with contextlib.suppress(InvalidInput):  # departed
                acknowledge(db=db, actor=member, document_version_id=self.version)

        @precondition(lambda self: bool(self.ids))
        @rule(number=NUMBERS)
        def hold(self, number: int) -> None:
            external_id = self._values(number)[0]
            if external_id not in self.ids:
                return
            try:
                legal_holds.place_legal_hold(
                    db=db, actor=LEGAL, school=self.code, person_external_id=external_id, reason="Dossier en cours 42"
                )
            except Conflict:  # held already
                assert self.ids[external_id] in self._held()

        @precondition(lambda self: bool(self.ids))
        @rule(number=NUMBERS)
        def release(self, number: int) -> None:
            person_id = self.ids.get(self._values(number)[0])
            with db.reading() as session:
                hold = session.exec(
                    select(LegalHold).where(LegalHold.person_id == person_id, col(LegalHold.released_at).is_(None))
                ).first()
            if hold is not None:
                legal_holds.release_legal_hold(db=db, actor=LEGAL, hold_id=hold.id)  # type: ignore[arg-type]

        @precondition(lambda self: bool(self.ids))
        @rule(years_ahead=st.sampled_from([0, 1]), dry_run=st.sampled_from([False, False, True]))
        def retention(self, years_ahead: int, dry_run: bool) -> None:
            held = self._held()
            report = run_retention(
                db=db, settings=SETTINGS, as_of=TODAY + timedelta(days=366 * years_ahead), dry_run=dry_run
            )
            assert not held & set(report.erased)
            if dry_run:
                return
            for number in sorted(self.generation.keys() | set(range(6))):
                external_id = self._values(number)[0]
                person_id = self.ids.get(external_id)
                if person_id is not None and person_id in report.erased:
                    ERASED_IN_ALL.append(person_id)
                    self.erased.append([*self._values(number), self._sso(number)])
                    del self.ids[external_id]
                    self.generation[number] = self.generation.get(number, 0) + 1

        def _held(self) -> set[int]:
            with db.reading() as session:
                return legal_holds.held_person_ids(session)

        @invariant()
        def the_chain_verifies(self) -> None:
            assert chain.verify(db).ok

        @invariant()
        def no_erased_person_is_anywhere(self) -> None:
            needles = [n for values in self.erased for n in values]
            assert leaks(db, needles) == []
            assert not [n for n in needles for line in lines.lines if n.lower() in line]

        @invariant()
        def a_held_person_is_never_erased(self) -> None:
            with db.reading() as session:
                erased_held = session.exec(
                    select(Person.id)
                    .join(LegalHold, col(LegalHold.person_id) == Person.id)
                    .where(col(LegalHold.released_at).is_(None), col(Person.erased_at).is_not(None))
                ).all()
            assert erased_held == []

    try:
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=10,
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        logging.getLogger().removeHandler(lines)
        logging.getLogger().setLevel(previous)
    assert ERASED_IN_ALL  # the machine did erase persons (else it checked nothing)
