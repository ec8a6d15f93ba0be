"""A state machine over publish / import / acknowledge / republish keeps the invariants of the record."""

from __future__ import annotations

import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlmodel import select

from govkit.access.roles import SYSTEM, Principal, Role
from govkit.acknowledgements import chain
from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Acknowledgement, Person
from govkit.acknowledgements.persons import import_persons
from govkit.db import Database
from govkit.errors import Conflict, InvalidInput
from govkit.organisations.models import Organisation
from govkit.organisations.profile import SchoolProfile
from govkit.organisations.service import write_profile
from tests.ack_helpers import acknowledge, republish

_schools = itertools.count(1)
POPULATIONS = ["student", "staff", "apprentice", "resident"]  # resident alone is not concerned by `internal`


def test_acknowledgement_invariants(db: Database) -> None:
    class Machine(RuleBasedStateMachine):
        @initialize()
        def school(self) -> None:
            self.code = f"sm-school-{next(_schools)}"
            with db.transaction() as session:
                parent = session.exec(select(Organisation).where(Organisation.code == "imt")).one()
                org = Organisation(
                    code=self.code, type="school", name=f"École {self.code}", short_name=self.code, parent_id=parent.id
                )
                session.add(org)
                session.flush()
                write_profile(session, org, SchoolProfile(official_name=org.name, short_name=self.code), author="test")
                self.org_id = org.id
            self.versions: list[int] = []
            self.people: dict[str, tuple[str, bool]] = {}
            self.seen: dict[int, str] = {}

        @rule(change=st.sampled_from(["substantive", "editorial"]))
        def publish(self, change: str) -> None:
            document = republish(db, self.code, "internal", change if self.versions else "substantive")
            self.versions.append(document.id)  # type: ignore[arg-type]

        @rule(
            batch=st.lists(
                st.tuples(st.integers(0, 12), st.sampled_from(POPULATIONS), st.booleans()),
                min_size=1,
                max_size=5,
                unique_by=lambda t: t[0],
            )
        )
        def import_people(self, batch: list[tuple[int, str, bool]]) -> None:
            lines = ["external_id,given_name,family_name,email,populations,status"]
            for number, population, departed in batch:
                lines.append(
                    f"P{number},Ana,Test{number},p{number}@x.example,{population},"
                    f"{'departed' if departed else 'active'}"
                )
                self.people[f"P{number}"] = (population, departed)
            report = import_persons(db=db, actor=SYSTEM, school=self.code, data="\n".join(lines).encode())
            assert report.ok, report.errors

        def _member(self, external_id: str) -> Principal:
            with db.reading() as session:
                person = session.exec(
                    select(Person).where(Person.organisation_id == self.org_id, Person.external_id == external_id)
                ).one()
            return Principal(
                role=Role.MEMBER,
                subject=f"sm:{external_id}",
                organisation_id=self.org_id,
                organisation_code=self.code,
                person_id=person.id,
            )

        @rule(data=st.data())
        def acknowledge_current(self, data: st.DataObject) -> None:
            if not self.versions or not self.people:
                return
            external_id = data.draw(st.sampled_from(sorted(self.people)))
            population, departed = self.people[external_id]
            member = self._member(external_id)
            with db.reading() as session:
                done = session.exec(
                    select(Acknowledgement).where(
                        Acknowledgement.document_version_id == self.versions[-1],
                        Acknowledgement.person_id == member.person_id,
                    )
                ).first()
            try:
                receipt = acknowledge(db=db, actor=member, document_version_id=self.versions[-1])
            except InvalidInput:
                assert done is None
                assert departed or population == "resident"
                return
            if done is not None:  # idempotent: the first record, even if the person has left since
                assert receipt.record.id == done.id
                return
            assert not departed
            assert population != "resident"
            self.seen[receipt.record.id] = receipt.record.record_hash  # type: ignore[index]

        @rule(data=st.data())
        def acknowledge_superseded(self, data: st.DataObject) -> None:
            if len(self.versions) < 2 or not self.people:
                return
            external_id = data.draw(st.sampled_from(sorted(self.people)))
            with db.reading() as session:
                done = session.exec(
                    select(Acknowledgement).where(
                        Acknowledgement.document_version_id == self.versions[0],
                        Acknowledgement.person_id == self._member(external_id).person_id,
                    )
                ).first()
            try:
                acknowledge(db=db, actor=self._member(external_id), document_version_id=self.versions[0])
            except (Conflict, InvalidInput):
                assert done is None
                return
            assert done is not None  # only an existing record is returned for a superseded version

        @invariant()
        def at_most_one_record_per_person_and_version(self) -> None:
            with db.reading() as session:
                duplicates = session.execute(
                    sa.text(
                        "SELECT person_id, document_version_id FROM acknowledgement "
                        "GROUP BY person_id, document_version_id HAVING count(*) > 1"
                    )
                ).all()
            assert duplicates == []

        @invariant()
        def rates_are_proportions(self) -> None:
            if not self.versions:
                return
            admin = Principal(
                role=Role.SCHOOL_ADMIN, subject="sm:admin", organisation_id=self.org_id, organisation_code=self.code
            )
            for status in acks.campaigns(db=db, actor=admin, school=self.code, include_closed=True):
                assert 0 <= status.total.acknowledged <= status.total.concerned
                assert 0 <= status.total.rate <= 1
                for population in status.populations:
                    assert 0 <= population.rate <= 1

        @invariant()
        def nothing_acknowledged_is_lost_and_the_chain_verifies(self) -> None:
            if not self.seen:
                return
            with db.reading() as session:
                stored = dict(
                    session.execute(
                        sa.select(Acknowledgement.id, Acknowledgement.record_hash).where(
                            Acknowledgement.id.in_(list(self.seen))
                        )
                    ).all()
                )  # type: ignore[union-attr]
            assert stored == self.seen
            assert chain.verify(db).ok

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
