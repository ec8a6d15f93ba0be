"""Findings with their history, waivers, training coverage, the barometer; runs are in govkit.rules.runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, row_id, unknown
from govkit.days import utc_today
from govkit.db import Database, stored_id
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_by_code, organisation_for
from govkit.rules import barometer as barometer_module
from govkit.rules import records_service
from govkit.rules.definitions import Rule
from govkit.rules.loader import load_rules
from govkit.rules.models import AS_OF, BASES, CURRENT, FindingRecord, RuleRun, Waiver
from govkit.rules.queries import load_facts
from govkit.rules.records import TrainingRecord
from govkit.rules.runs import (
    SEVERITY_ORDER,
    Condition,
    FindingRow,
    RunResult,
    StoredFinding,
    evaluated_on_the_fly,
    finding_rows,
    order,
    question,
    run_rules,
)
from govkit.timeline import AsOf

__all__ = [
    "FindingRow",
    "RunResult",
    "StoredFinding",
    "add_waiver",
    "barometer",
    "check_waiver",
    "findings",
    "record_training_coverage",
    "rule_runs",
    "run_rules",
]


def stored_run(session: Session, when: AsOf | None, school: str | None = None) -> RuleRun | None:
    """The stored run that answers ``when`` (for ``school``, or every school): without a date, the
    latest current run; as of a date, the latest ``as_of`` run of that date (and ``known_at``), else
    the latest current run if it is as of that date. A run of some schools answers for them only."""
    if when is None:
        return _latest(session, school, RuleRun.basis == CURRENT)
    known = col(RuleRun.known_at).is_(None) if when.known_at is None else col(RuleRun.known_at) == when.known_at
    found = _latest(session, school, RuleRun.basis == AS_OF, RuleRun.as_of == when.day, known)
    if found is None and when.is_current:
        latest = _latest(session, school, RuleRun.basis == CURRENT)
        found = latest if latest is not None and latest.as_of == when.day else None
    return found


def _latest(session: Session, school: str | None, *conditions: Condition) -> RuleRun | None:
    """The latest run meeting ``conditions`` that evaluated ``school`` (every school when None)."""
    newest = select(RuleRun).where(*conditions).order_by(col(RuleRun.id).desc())
    complete = session.exec(newest.where(col(RuleRun.schools).is_(None)).limit(1)).first()
    if school is None:
        return complete
    after = [] if complete is None else [col(RuleRun.id) > complete.id]
    for partial in session.exec(newest.where(col(RuleRun.schools).is_not(None), *after)).all():
        if school in (partial.schools or []):
            return partial
    return complete


def findings(
    *,
    db: Database,
    actor: Principal,
    school: str | None = None,
    severity: str | None = None,
    include_resolved: bool = False,
    as_of: date | None = None,
    known_at: datetime | None = None,
    run_id: int | str | None = None,
) -> list[StoredFinding]:
    """The findings of the latest current run, for one school or every school the actor may read.

    ``run_id``: those of that run. ``as_of`` (and ``known_at``): those of the run stored for that
    date (``stored_run``); when there is none, evaluated on the fly and stored nowhere — every one
    ``new``, with no run (``record.run_id`` None).
    """
    authorize_some(actor, Action.READ_FINDINGS)
    if school is None:
        authorize(actor, Action.READ_FINDINGS, organisation_id=actor.organisation_id)
    with db.reading() as session:
        organisations = {o.id: o for o in session.exec(select(Organisation)).all()}
        school_id: int | None = None
        if school is not None:
            target = next((o for o in organisations.values() if o.code == school), None)
            if target is None:
                unknown(
                    actor,
                    Action.READ_FINDINGS,
                    NotFound(f"No organisation with code {school!r}.", key="no_organisation", params={"code": school}),
                )
            authorize(actor, Action.READ_FINDINGS, organisation_id=target.id)
            school_id = stored_id(target)
        # the input is checked once the caller may read what it names
        if run_id is not None and (as_of is not None or known_at is not None):
            raise InvalidInput(
                "Donnez une date (asOf, knownAt) ou une analyse (runId), pas les deux. / Give asOf (knownAt) or "
                "runId, not both."
            )
        if severity is not None and severity not in SEVERITY_ORDER:
            raise InvalidInput("Severity is error, warning or info.")
        when = None if as_of is None and known_at is None else question(as_of, known_at)
        code = school  # the one organisation read, if any: a run of some schools answers for them only
        if code is None and not is_allowed(actor, Action.READ_FINDINGS):  # scoped: their organisation
            code = organisations[actor.organisation_id].code  # authorised above: it exists
        if run_id is not None:
            number = row_id(run_id)  # a GraphQL ID is a string
            run = None if number is None else session.get(RuleRun, number)
            if run is None:
                raise NotFound(f"Aucune analyse n° {run_id}. / No rule run {run_id}.")
        else:
            run = stored_run(session, when, code)
        if run is None and when is None:
            return []
        if run is None:  # as of a date no stored run answers: evaluated now, stored nowhere
            assert when is not None
            return [
                f
                for f in evaluated_on_the_fly(session, when, None if code is None else [code])
                if (severity is None or f.record.severity == severity)
                and is_allowed(actor, Action.READ_FINDINGS, organisation_id=f.record.organisation_id)
            ]
        conditions: list[Condition] = [FindingRecord.run_id == run.id]
        if school_id is not None:
            conditions.append(FindingRecord.organisation_id == school_id)
        if severity is not None:
            conditions.append(FindingRecord.severity == severity)
        if not include_resolved:
            conditions.append(FindingRecord.status != "resolved")
        records = [
            r
            for r in finding_rows(session, *conditions)
            if is_allowed(actor, Action.READ_FINDINGS, organisation_id=r.organisation_id)
        ]
        waiver_ids = {r.waiver_id for r in records if r.waiver_id}
        waivers = {w.id: w for w in session.exec(select(Waiver).where(col(Waiver.id).in_(waiver_ids))).all()}
    shown = run.parameters or {}  # each rule's parameters on the run's day, stored once with the run
    result = [
        StoredFinding(r, organisations[r.organisation_id].code, waivers.get(r.waiver_id), shown.get(r.rule_id, ()))
        for r in records
    ]
    return sorted(result, key=order)


def rule_runs(
    *, db: Database, actor: Principal, basis: str | None = None, as_of: date | None = None, limit: int = 20
) -> list[RuleRun]:
    """The latest stored runs, newest first: their basis, date, counts (every school's: the whole group)."""
    authorize(actor, Action.READ_FINDINGS)
    if basis is not None and basis not in BASES:
        raise InvalidInput("La base d'une analyse est current ou as_of. / A run's basis is current or as_of.")
    if not 1 <= limit <= 200:
        raise InvalidInput("Give 1 to 200 runs. / Donnez de 1 à 200 analyses.")
    query = select(RuleRun).order_by(col(RuleRun.id).desc()).limit(limit)
    if basis is not None:
        query = query.where(RuleRun.basis == basis)
    if as_of is not None:
        query = query.where(RuleRun.as_of == as_of)
    with db.reading() as session:
        return list(session.exec(query).all())


def check_waiver(rule_id: str, reason: str, expires_on: date) -> Rule:
    """The rule a waiver names, once the waiver is valid: a known rule, a reason, an expiry within two years."""
    rule = next((r for r in load_rules().rules if r.id == rule_id), None)
    if rule is None:
        raise NotFound(f"No rule {rule_id!r}.", key="no_rule", params={"rule": rule_id})
    if len(reason.strip()) < 10:
        raise InvalidInput("Give the reason for the waiver (at least 10 characters).", key="waiver_reason")
    today = utc_today()
    if expires_on <= today:
        raise InvalidInput("A waiver expires in the future.", key="waiver_expiry_past")
    if expires_on > today + timedelta(days=730):
        raise InvalidInput("A waiver lasts two years at most: review it then.", key="waiver_expiry_far")
    return rule


def add_waiver(
    session: Session, *, rule_id: str, school: str, reason: str, expires_on: date, key: str | None, granted_by: str
) -> Waiver:
    """Write a waiver checked by ``check_waiver`` in the caller's transaction."""
    organisation = organisation_by_code(session, school)
    waiver = Waiver(
        rule_id=rule_id,
        organisation_id=stored_id(organisation),
        key=key,
        reason=reason.strip(),
        expires_on=expires_on,
        granted_by=granted_by,
    )
    session.add(waiver)
    session.flush()
    return waiver


#: The closest training audience of a population (the deprecated recordTrainingCoverage).
AUDIENCE_OF_POPULATION = {
    "student": "new_students",
    "apprentice": "new_students",
    "resident": "new_students",
    "doctoral_student": "new_doctoral_students",
}


def record_training_coverage(
    *,
    db: Database,
    actor: Principal,
    school: str,
    year: int,
    population: str,
    training: str,
    trained: int,
    total: int,
) -> TrainingRecord:
    """Deprecated (recordTraining): a population's coverage in a year, recorded as the training
    record of the closest audience in the academic year starting that year."""
    from govkit.vocabulary import Population

    authorize_some(actor, Action.RECORD_TRAINING)
    if population not in {p.value for p in Population}:
        with db.reading() as session:  # the caller may act on the school before being told of their input
            organisation_for(session, actor, Action.RECORD_TRAINING, school)
        raise InvalidInput(f"Unknown population {population!r}.")
    return records_service.record_training(
        db=db,
        actor=actor,
        school=school,
        academic_year=year,
        audience=AUDIENCE_OF_POPULATION.get(population, "staff"),
        training=training,
        title=training,
        trained=trained,
        total=total,
        note=f"recordTrainingCoverage: population {population}, year {year}",
    )


#: The first year a barometer answers for (the plans before it measured nothing govkit holds).
FIRST_BAROMETER_YEAR = 2015


def barometer(
    *, db: Database, actor: Principal, year: int, as_of: date | None = None, known_at: datetime | None = None
) -> barometer_module.Barometer:
    """The indicators of ``year`` from what was true at the end of that year (or on ``as_of``) in valid
    time, whenever it was recorded; as known at ``known_at`` when given."""
    if actor.organisation_id is None:
        authorize(actor, Action.READ_BAROMETER)
    else:
        authorize(actor, Action.READ_BAROMETER, organisation_id=actor.organisation_id)
    if not FIRST_BAROMETER_YEAR <= year <= utc_today().year:
        raise InvalidInput(
            f"Pas de baromètre pour {year}. / No barometer for {year}.", key="no_barometer", params={"year": year}
        )
    when = question(as_of or min(date(year, 12, 31), utc_today()), known_at)
    with db.reading() as session:
        facts = load_facts(session, when)
    result = barometer_module.compute(facts, year)
    if not is_allowed(actor, Action.READ_BAROMETER):  # scoped to one school: its row beside the group's
        result.schools = [r for r in result.schools if r.organisation == actor.organisation_code]
    return result
