"""Running the rules, findings with their history and waivers, training coverage, the barometer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from govkit.auth.policy import Action, authorize, is_allowed
from govkit.auth.roles import Principal
from govkit.db import Database
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_by_code
from govkit.rules import barometer as barometer_module
from govkit.rules.engine import Finding, evaluate
from govkit.rules.loader import RuleSet, load_rules
from govkit.rules.models import FindingRecord, RuleRun, TrainingCoverage, Waiver
from govkit.rules.queries import load_facts

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class StoredFinding:
    record: FindingRecord
    organisation: str
    waiver: Waiver | None

    @property
    def waived(self) -> bool:
        return self.waiver is not None


@dataclass(frozen=True)
class RunResult:
    run: RuleRun
    findings: list[StoredFinding]

    @property
    def blocking(self) -> list[StoredFinding]:
        """Unwaived errors still open: what makes `govkit check` fail."""
        return [
            f for f in self.findings if f.record.severity == "error" and not f.waived and f.record.status != "resolved"
        ]


def _active_waiver(waivers: list[Waiver], finding: Finding, organisation_id: int, as_of: date) -> Waiver | None:
    for waiver in waivers:
        if (
            waiver.rule_id == finding.rule_id
            and waiver.organisation_id == organisation_id
            and waiver.key in (None, finding.key)
            and waiver.expires_on >= as_of
        ):
            return waiver
    return None


def run_rules(
    *,
    db: Database,
    actor: Principal,
    as_of: date | None = None,
    schools: list[str] | None = None,
    rules: RuleSet | None = None,
) -> RunResult:
    """Evaluate the rules, store the run and its findings (new, open or resolved since the last run)."""
    authorize(actor, Action.RUN_RULES)
    rule_set = rules or load_rules()
    day = as_of or date.today()
    with db.transaction() as session:
        organisations = {o.code: o for o in session.exec(select(Organisation)).all()}
        for code in schools or []:
            if code not in organisations:
                raise NotFound(f"No organisation with code {code!r}.")
        facts = load_facts(session, day, schools)
        findings = evaluate(rule_set.rules, facts)
        covered = {organisations[o.code].id for o in facts.organisations}
        previous_run = session.exec(select(RuleRun).order_by(col(RuleRun.id).desc()).limit(1)).first()
        previous: dict[str, FindingRecord] = {}
        if previous_run is not None:
            previous = {
                f.fingerprint: f
                for f in session.exec(select(FindingRecord).where(FindingRecord.run_id == previous_run.id)).all()
                if f.status != "resolved" and f.organisation_id in covered
            }
        waivers = list(session.exec(select(Waiver).where(Waiver.expires_on >= day)).all())
        run = RuleRun(as_of=day, ran_by=actor.label, rules_sha256=rule_set.sha256)
        session.add(run)
        session.flush()
        by_id = {o.id: o.code for o in organisations.values()}
        stored: list[StoredFinding] = []
        for finding in findings:
            organisation_id = organisations[finding.organisation].id
            waiver = _active_waiver(waivers, finding, organisation_id, day)  # type: ignore[arg-type]
            record = FindingRecord(
                run_id=run.id,  # type: ignore[arg-type]
                fingerprint=finding.fingerprint,
                rule_id=finding.rule_id,
                organisation_id=organisation_id,  # type: ignore[arg-type]
                key=finding.key[:200],
                severity=finding.severity,
                status="open" if finding.fingerprint in previous else "new",
                message_fr=finding.message_fr,
                message_en=finding.message_en,
                evidence=finding.evidence,
                source=finding.source,
                waiver_id=waiver.id if waiver else None,
            )
            session.add(record)
            stored.append(StoredFinding(record, finding.organisation, waiver))
        current = {f.fingerprint for f in findings}
        for fingerprint, old in previous.items():
            if fingerprint not in current:
                record = FindingRecord(
                    run_id=run.id,
                    fingerprint=fingerprint,
                    rule_id=old.rule_id,  # type: ignore[arg-type]
                    organisation_id=old.organisation_id,
                    key=old.key,
                    severity=old.severity,
                    status="resolved",
                    message_fr=old.message_fr,
                    message_en=old.message_en,
                    evidence=old.evidence,
                    source=old.source,
                )
                session.add(record)
                stored.append(StoredFinding(record, by_id[old.organisation_id], None))
        run.findings = len(findings)
        run.errors = sum(
            1 for s in stored if s.record.severity == "error" and not s.waived and s.record.status != "resolved"
        )
        session.add(run)
        session.flush()
    stored.sort(key=lambda s: (s.organisation, SEVERITY_ORDER[s.record.severity], s.record.rule_id, s.record.key))
    return RunResult(run, stored)


def findings(
    *,
    db: Database,
    actor: Principal,
    school: str | None = None,
    severity: str | None = None,
    include_resolved: bool = False,
) -> list[StoredFinding]:
    """The findings of the latest run, for one school or every school the actor may read."""
    if severity is not None and severity not in SEVERITY_ORDER:
        raise InvalidInput("Severity is error, warning or info.")
    with db.reading() as session:
        organisations = {o.id: o for o in session.exec(select(Organisation)).all()}
        if school is not None:
            target = next((o for o in organisations.values() if o.code == school), None)
            if target is None:
                raise NotFound(f"No organisation with code {school!r}.")
            authorize(actor, Action.READ_FINDINGS, organisation_id=target.id)
        else:
            authorize(actor, Action.READ_FINDINGS, organisation_id=actor.organisation_id)
        latest = session.exec(select(RuleRun).order_by(col(RuleRun.id).desc()).limit(1)).first()
        if latest is None:
            return []
        query = select(FindingRecord).where(FindingRecord.run_id == latest.id)
        if school is not None:
            query = query.where(FindingRecord.organisation_id == target.id)  # type: ignore[union-attr]
        if severity is not None:
            query = query.where(FindingRecord.severity == severity)
        if not include_resolved:
            query = query.where(FindingRecord.status != "resolved")
        records = [
            r
            for r in session.exec(query).all()
            if is_allowed(actor, Action.READ_FINDINGS, organisation_id=r.organisation_id)
        ]
        waiver_ids = {r.waiver_id for r in records if r.waiver_id}
        waivers = {w.id: w for w in session.exec(select(Waiver).where(col(Waiver.id).in_(waiver_ids))).all()}
    result = [StoredFinding(r, organisations[r.organisation_id].code, waivers.get(r.waiver_id)) for r in records]
    return sorted(
        result, key=lambda s: (s.organisation, SEVERITY_ORDER[s.record.severity], s.record.rule_id, s.record.key)
    )


def grant_waiver(
    *,
    db: Database,
    actor: Principal,
    rule_id: str,
    school: str,
    reason: str,
    expires_on: date,
    key: str | None = None,
) -> Waiver:
    """Legal staff silence a finding until a date, with a reason; it stays visible as waived."""
    authorize(actor, Action.GRANT_WAIVER)
    known = {r.id for r in load_rules().rules}
    if rule_id not in known:
        raise NotFound(f"No rule {rule_id!r}.")
    if len(reason.strip()) < 10:
        raise InvalidInput("Give the reason for the waiver (at least 10 characters).")
    today = date.today()
    if expires_on <= today:
        raise InvalidInput("A waiver expires in the future.")
    if expires_on > today + timedelta(days=730):
        raise InvalidInput("A waiver lasts two years at most: review it then.")
    with db.transaction() as session:
        organisation = organisation_by_code(session, school)
        waiver = Waiver(
            rule_id=rule_id,
            organisation_id=organisation.id,
            key=key,
            reason=reason.strip(),  # type: ignore[arg-type]
            expires_on=expires_on,
            granted_by=actor.label,
        )
        session.add(waiver)
        session.flush()
        return waiver


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
) -> TrainingCoverage:
    from govkit.acknowledgements.vocabulary import Population

    if population not in {p.value for p in Population}:
        raise InvalidInput(f"Unknown population {population!r}.")
    if not (2015 <= year <= date.today().year) or trained < 0 or total <= 0 or trained > total:
        raise InvalidInput("Give a year up to this one and 0 ≤ trained ≤ total, total > 0.")
    with db.transaction() as session:
        organisation = organisation_by_code(session, school)
        authorize(actor, Action.RECORD_TRAINING, organisation_id=organisation.id)
        record = TrainingCoverage(
            organisation_id=organisation.id,
            year=year,
            population=population,  # type: ignore[arg-type]
            training=training,
            trained=trained,
            total=total,
            recorded_by=actor.label,
        )
        session.add(record)
        session.flush()
        return record


def barometer(*, db: Database, actor: Principal, year: int, as_of: date | None = None) -> barometer_module.Barometer:
    """The indicators of ``year``, as they stood at the end of that year (or on ``as_of``)."""
    if not 2015 <= year <= date.today().year:
        raise InvalidInput(f"No barometer for {year}.")
    day = as_of or min(date(year, 12, 31), date.today())
    if actor.organisation_id is None:
        authorize(actor, Action.READ_BAROMETER)
    else:
        authorize(actor, Action.READ_BAROMETER, organisation_id=actor.organisation_id)
    with db.reading() as session:
        facts = load_facts(session, day)
    result = barometer_module.compute(facts, year)
    if not is_allowed(actor, Action.READ_BAROMETER):  # scoped to one school: its row beside the group's
        result.schools = [r for r in result.schools if r.organisation == actor.organisation_code]
    return result
