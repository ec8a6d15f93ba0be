"""Retention: the one named place where a person's personal data are erased across every domain
that holds them, and the periodic run that erases what is due (GDPR art. 5(1)(e), 17).

    report = run_retention(db=db, settings=settings, as_of=date(2031, 9, 1), dry_run=False)
    report.to_json()   # counts by category, persons by id only

What is due on ``as_of``:

- a departed person whose departure is at least GOVKIT_RETENTION_DEPARTED_YEARS old (rule
  ``retention.departed``), unless under an open legal hold (govkit.privacy.legal_holds): held, they
  are counted and kept; erased at the first run after the release if still due;
- the addresses and bodies of e-mail notices older than GOVKIT_RETENTION_NOTICE_DAYS (rule
  ``retention.notices``), whoever they were sent to (the subject, kind, dates and status stay);
- the IP addresses of audit events older than GOVKIT_CLIENT_DATA_RETENTION_DAYS (those of
  acknowledgements and sign-in links go daily with job ``reminders.erase_client_data``).

Erasing a person (``erase_person``) runs ``ERASURE_STEPS`` in order, in one transaction with the
person's row locked: each step is one function ``(session, person) -> count``. A table added later
that holds a person's data adds its step with one line in ``ERASURE_STEPS`` (before ``person``,
which empties the identifiers the other steps look for). The acknowledgement records lose their
salt and personal fields only (crypto-shredding: the chain and every seal still verify).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from govkit.access import audit
from govkit.access.audit import AuditEvent
from govkit.access.roles import SYSTEM, Principal
from govkit.acknowledgements import privacy
from govkit.acknowledgements.models import Acknowledgement, Person
from govkit.auth.models import Identity, RoleGrant, SignInLink
from govkit.days import utc_today
from govkit.db import Database, utcnow
from govkit.errors import Conflict, NotFound
from govkit.notifications.models import NoticeMessage
from govkit.privacy.correction_models import CorrectionRequest
from govkit.privacy.hold_models import LegalHold
from govkit.privacy.legal_holds import held_person_ids
from govkit.settings import Settings

__all__ = [
    "DEPARTED",
    "ERASED_TEXT",
    "ERASURE_STEPS",
    "NOTICES",
    "ErasedPerson",
    "RetentionReport",
    "erase_person",
    "run_retention",
]

#: The rules an erasure applies (``person.erased_under``; the audit and the report name them).
DEPARTED = "retention.departed"
NOTICES = "retention.notices"
#: What an erased value of an audit event's target becomes (revision 0024's trigger allows exactly it).
ERASED_TEXT = "[erased]"
#: An identity provider's subject (govkit.auth.service); an erased identity's subject becomes
#: ``erased:identity-<id>`` in the identity and the audit log's events (revision 0027's trigger).
OIDC_PREFIX = "oidc:"
ERASED_PREFIX = "erased:"
ERASED_SUBJECT = ERASED_PREFIX + "identity-{id}"


@dataclass(frozen=True)
class ErasedPerson:
    """The person being erased, as they were before: what the steps look for."""

    id: int
    external_id: str
    given_name: str
    family_name: str
    email: str
    rule: str
    at: datetime
    #: their identities' subjects before erasure, by identity id
    subjects: dict[int, str] = field(default_factory=dict)

    @property
    def identifiers(self) -> set[str]:
        """The values that identify the person (what no text column may hold once they are erased):
        with their identity provider's subjects (``oidc:...``: the school's directory links them back)."""
        full = f"{self.given_name} {self.family_name}".strip()
        linked = {s for s in self.subjects.values() if s.startswith(OIDC_PREFIX)}
        return {v for v in (self.external_id, self.email, full) if v} | linked


ErasureStep = Callable[[Session, ErasedPerson], int]


def _acknowledgements(session: Session, person: ErasedPerson) -> int:
    """Their records' salt and personal fields (the chain still verifies); their sealed receipts,
    which carry their name, deleted: the sealing job makes them again from what remains, saying the
    personal data were erased (the receipts already handed out still verify: seal and chain)."""
    ids = session.exec(select(Acknowledgement.id).where(Acknowledgement.person_id == person.id)).all()
    return privacy.erase_records(session, [i for i in ids if i is not None])


def _sign_in_links(session: Session, person: ErasedPerson) -> int:
    """The sign-in links sent to them (hashes of used or expired tokens, client addresses): deleted."""
    result = session.connection().execute(sa.delete(SignInLink).where(col(SignInLink.person_id) == person.id))
    return result.rowcount or 0


def _notices(session: Session, person: ErasedPerson) -> int:
    """The e-mail notices sent to them: the address and the body (which greets them by name) erased."""
    result = session.connection().execute(
        sa.update(NoticeMessage)
        .where(col(NoticeMessage.person_id) == person.id)
        .values(recipient=ERASED_TEXT, body="", smtp_answer=None)
    )
    return result.rowcount or 0


def _identities(session: Session, person: ErasedPerson) -> int:
    """Their identities lose their display name (their name); their role grants are revoked."""
    session.connection().execute(
        sa.update(RoleGrant)
        .where(col(RoleGrant.person_id) == person.id, col(RoleGrant.revoked_at).is_(None))
        .values(revoked_at=person.at)
    )
    result = session.connection().execute(
        sa.update(Identity).where(col(Identity.person_id) == person.id).values(display_name=ERASED_TEXT)
    )
    return result.rowcount or 0


def _audit_events(session: Session, person: ErasedPerson) -> int:
    """Audit events name persons by id; an older event whose target held one of their identifiers
    (an argument such as ``personExternalId``) gets that value replaced by ``[erased]``."""
    found = 0
    for identifier in sorted(person.identifiers):
        pattern = "%" + identifier.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = session.exec(
            select(AuditEvent).where(sa.cast(col(AuditEvent.target), sa.Text).like(pattern, escape="\\"))
        ).all()
        for event in rows:
            target = dict(event.target or {})
            erased = {k: ERASED_TEXT if isinstance(v, str) and identifier in v else v for k, v in target.items()}
            if erased != target:
                session.connection().execute(
                    sa.update(AuditEvent).where(col(AuditEvent.id) == event.id).values(target=erased)
                )
                found += 1
    return found


def _subjects(session: Session, person: ErasedPerson) -> int:
    """Their identities' subjects, in the identities and as the author of audit events, become one
    made of the identity's id: the events they caused stay together, but no directory links them back."""
    for identity_id, subject in person.subjects.items():
        erased = ERASED_SUBJECT.format(id=identity_id)
        session.connection().execute(
            sa.update(AuditEvent).where(col(AuditEvent.subject) == subject).values(subject=erased)
        )
        session.connection().execute(sa.update(Identity).where(col(Identity.id) == identity_id).values(subject=erased))
    return len(person.subjects)


def _correction_requests(session: Session, person: ErasedPerson) -> int:
    """Their correction requests (art. 16) lose what they asked for and the decision's note (which
    may quote it); section, status and dates stay, so the school's register of requests still adds up."""
    result = session.connection().execute(
        sa.update(CorrectionRequest)
        .where(col(CorrectionRequest.person_id) == person.id)
        .values(field=ERASED_TEXT, requested_text=ERASED_TEXT, note=None)
    )
    return result.rowcount or 0


def _legal_holds(session: Session, person: ErasedPerson) -> int:
    """Their released legal holds lose their reason (a case's description may name them); who placed
    and released each hold, and when, stay (a held person is never erased: every hold here is released)."""
    result = session.connection().execute(
        sa.update(LegalHold)
        .where(col(LegalHold.person_id) == person.id, col(LegalHold.released_at).is_not(None))
        .values(reason=ERASED_TEXT)
    )
    return result.rowcount or 0


def _person(session: Session, person: ErasedPerson) -> int:
    """The person's row: names, e-mail and residence emptied, the external id replaced by one made of
    the id (the unique constraint holds); id, school, status, dates and populations stay."""
    result = session.connection().execute(
        sa.update(Person)
        .where(col(Person.id) == person.id)
        .values(
            external_id=f"erased-{person.id}",
            given_name="",
            family_name="",
            email="",
            residence_code=None,
            erased_at=person.at,
            erased_under=person.rule,
            updated_at=person.at,
        )
    )
    return result.rowcount or 0


#: The steps of a person's erasure, in order; one line each (``person`` last).
ERASURE_STEPS: tuple[tuple[str, ErasureStep], ...] = (
    ("acknowledgements", _acknowledgements),
    ("sign_in_links", _sign_in_links),
    ("notices", _notices),
    ("identities", _identities),
    ("audit_events", _audit_events),
    ("subjects", _subjects),
    ("correction_requests", _correction_requests),
    ("legal_holds", _legal_holds),
    ("person", _person),
)


def erase_person(*, db: Database, person_id: int, rule: str = DEPARTED, now: datetime | None = None) -> dict[str, int]:
    """Erase the personal data of person ``person_id`` from every table (``ERASURE_STEPS``), in one
    transaction; what each step erased. Refused (Conflict) while the person is under a legal hold;
    a person erased already is left as they are (all counts 0). No authorisation here: the callers
    (the retention run, the system's) decide."""
    at = now or utcnow()
    with db.transaction() as session:
        found = session.exec(select(Person).where(Person.id == person_id).with_for_update()).first()
        if found is None:
            raise NotFound(f"No person {person_id}.")
        if found.erased_at is not None:
            return {name: 0 for name, _ in ERASURE_STEPS}
        if person_id in held_person_ids(session):
            raise Conflict(f"Person {person_id} is under a legal hold: not erased.", key="legal_hold_open")
        person = ErasedPerson(
            id=person_id,
            external_id=found.external_id,
            given_name=found.given_name,
            family_name=found.family_name,
            email=found.email,
            rule=rule,
            at=at,
            subjects={
                i.id: i.subject
                for i in session.exec(select(Identity).where(Identity.person_id == person_id)).all()
                if i.id is not None and not i.subject.startswith(ERASED_PREFIX)
            },
        )
        return {name: step(session, person) for name, step in ERASURE_STEPS}


def years_before(day: date, years: int) -> date:
    """The same day ``years`` years before (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass
class RetentionReport:
    """What a run erased (or would, ``dry_run``): persons by id, counts by category."""

    as_of: date
    dry_run: bool
    departed_before: date
    notices_before: datetime
    client_data_before: datetime
    erased: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "departed_before": self.departed_before.isoformat(),
            "notices_before": self.notices_before.isoformat(),
            "client_data_before": self.client_data_before.isoformat(),
            "persons_to_erase" if self.dry_run else "persons_erased": sorted(self.erased),
            "persons_held": sorted(self.held),
            "counts": dict(sorted(self.counts.items())),
        }


def _due(session: Session, departed_before: date) -> list[int]:
    """The departed persons not erased yet whose departure is on or before ``departed_before``
    (its recorded time when its date is unknown)."""
    recorded_before = datetime.combine(departed_before + timedelta(days=1), time(), tzinfo=UTC)
    ids = session.exec(
        select(Person.id)
        .where(
            Person.status == "departed",
            col(Person.erased_at).is_(None),
            sa.or_(
                col(Person.departure_date) <= departed_before,
                sa.and_(col(Person.departure_date).is_(None), col(Person.departure_recorded_at) < recorded_before),
            ),
        )
        .order_by(col(Person.id))
    ).all()
    return [i for i in ids if i is not None]


def _expired(session: Session, table: Any, where: tuple[Any, ...], values: dict[str, Any], *, erase: bool) -> int:
    """The rows of ``table`` matching ``where``: given ``values`` when erasing, else only counted."""
    if not erase:
        return int(session.exec(select(sa.func.count()).select_from(table).where(*where)).one())
    result = session.connection().execute(sa.update(table).where(*where).values(**values))
    return result.rowcount or 0


def _by_age(session: Session, report: RetentionReport, *, erase: bool) -> None:
    """What is due by its age alone, whoever it concerns: notices' addresses and bodies, audit
    events' IP addresses; counted into ``report``, and erased unless ``erase`` is false."""
    report.counts["notices_expired"] = _expired(
        session,
        NoticeMessage,
        (
            col(NoticeMessage.created_at) < report.notices_before,
            col(NoticeMessage.status) != "queued",
            col(NoticeMessage.recipient) != ERASED_TEXT,
        ),
        {"recipient": ERASED_TEXT, "body": "", "smtp_answer": None},
        erase=erase,
    )
    report.counts["audit_client_data"] = _expired(
        session,
        AuditEvent,
        (col(AuditEvent.at) < report.client_data_before, col(AuditEvent.client_ip).is_not(None)),
        {"client_ip": None},
        erase=erase,
    )


def run_retention(
    *,
    db: Database,
    settings: Settings,
    as_of: date | None = None,
    dry_run: bool = False,
    actor: Principal = SYSTEM,
    correlation_id: str = "retention",
) -> RetentionReport:
    """Erase what is due on ``as_of`` (today by default); ``dry_run``: count only. One audit event
    per run (``privacy.retention``), persons by id."""
    day = as_of or utc_today()
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    report = RetentionReport(
        as_of=day,
        dry_run=dry_run,
        departed_before=years_before(day, settings.retention_departed_years),
        notices_before=midnight - timedelta(days=settings.retention_notice_days),
        client_data_before=midnight - timedelta(days=settings.client_data_retention_days),
    )
    with db.reading() as session:
        due = _due(session, report.departed_before)
        held = held_person_ids(session)
        if dry_run:
            _by_age(session, report, erase=False)
    report.held = [p for p in due if p in held]
    report.counts["persons_due"] = len(due)
    report.counts["persons_held"] = len(report.held)
    if dry_run:
        report.erased = [p for p in due if p not in held]  # would be
    else:
        for person_id in (p for p in due if p not in held):
            try:
                erased = erase_person(db=db, person_id=person_id, rule=DEPARTED)
            except Conflict:  # a hold placed since the list was read
                report.held.append(person_id)
                report.counts["persons_held"] += 1
                continue
            report.erased.append(person_id)
            for name, count in erased.items():
                report.counts[name] = report.counts.get(name, 0) + count
        with db.transaction() as session:
            _by_age(session, report, erase=True)
    report.counts["persons_erased" if not dry_run else "persons_to_erase"] = len(report.erased)
    audit.record(
        db,
        actor=actor,
        action="privacy.retention",
        outcome="ok",
        correlation_id=correlation_id,
        target={
            "as_of": day.isoformat(),
            "dry_run": dry_run,
            "erased": sorted(report.erased),
            "held": sorted(report.held),
        },
        detail=", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())),
    )
    return report
