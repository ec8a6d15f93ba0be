"""Running the rules, findings with their history and waivers, training coverage, the barometer."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate, pairwise
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.access.scoped import authorize_some, unknown
from govkit.db import Database, stored_id, table_of
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.organisations.service import organisation_by_code, organisation_for
from govkit.rules import barometer as barometer_module
from govkit.rules.background import InBackground
from govkit.rules.collector import collector_paused
from govkit.rules.engine import Finding, evaluate
from govkit.rules.loader import RuleSet, load_rules
from govkit.rules.models import FindingRecord, RuleRun, TrainingCoverage, Waiver
from govkit.rules.queries import load_facts

__all__ = [
    "RunResult",
    "StoredFinding",
    "barometer",
    "findings",
    "grant_waiver",
    "record_training_coverage",
    "run_rules",
]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class FindingRow(NamedTuple):
    """A stored finding: the columns of a ``finding`` row but its id (a tuple: thousands per run)."""

    run_id: int
    fingerprint: str
    rule_id: str
    organisation_id: int
    key: str
    severity: str
    status: str
    message_fr: str
    message_en: str
    evidence: dict[str, Any]
    source: str
    waiver_id: int | None = None


#: The columns of FindingRow, in its order.
FINDING_COLUMNS: tuple[str, ...] = FindingRow._fields
#: A WHERE condition, as sqlmodel's ``where`` takes it (``Model.column == value`` is typed bool).
Condition = sa.ColumnElement[bool] | bool
_EVIDENCE = FINDING_COLUMNS.index("evidence")


class StoredFinding(NamedTuple):
    """A finding as stored, with its organisation's code and its waiver (a tuple: thousands per run)."""

    record: FindingRow
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


def _finding_rows(session: Session, *conditions: Condition) -> list[FindingRow]:
    columns = [getattr(FindingRecord, c) for c in FINDING_COLUMNS]
    return [FindingRow(*r) for r in session.execute(select(*columns).where(*conditions).order_by(FindingRecord.id))]


def _insert_findings(connection: sa.Connection, rows: list[FindingRow]) -> None:
    """Insert ``rows``, in order, in one statement whatever their number: they travel as one JSON array."""
    if connection.dialect.name == "postgresql":
        # each row a JSON array, in FINDING_COLUMNS order
        payload = sa.bindparam("rows", json.dumps(rows, ensure_ascii=False), sa.Text)
        elements = (
            sa.func.jsonb_array_elements(sa.cast(payload, JSONB))
            .table_valued("value", with_ordinality="n")
            .render_derived()
        )
        element, order = elements.c.value, elements.c.n

        def value(index: int, column: str) -> Any:
            position: sa.ColumnClause[Any] = sa.literal_column(str(index))
            if column == "evidence":
                return element.op("->")(position)
            text = element.op("->>")(position)
            return sa.cast(text, sa.Integer) if column in ("run_id", "organisation_id", "waiver_id") else text
    else:  # SQLite: the evidence travels as the text its JSON column stores, as the ORM writes it
        as_text = [(*r[:_EVIDENCE], json.dumps(r.evidence), *r[_EVIDENCE + 1 :]) for r in rows]
        payload = sa.bindparam("rows", json.dumps(as_text, ensure_ascii=False), sa.Text)
        elements = sa.func.json_each(payload).table_valued("value", "key")
        element, order = elements.c.value, elements.c.key

        def value(index: int, column: str) -> Any:
            return sa.func.json_extract(element, f"$[{index}]")

    values = select(*(value(i, c) for i, c in enumerate(FINDING_COLUMNS))).select_from(elements).order_by(order)
    connection.execute(sa.insert(table_of(FindingRecord)).from_select(FINDING_COLUMNS, values))


#: The organisations are evaluated in slices, of these shares of them: the database inserts the
#: findings of one (on the other core) while the next is evaluated. One insert per slice, whatever
#: the number of organisations. The first slice is small so that the inserts start early, the last
#: one too so that little is left to insert once the evaluation ends.
SLICE_SHARES: tuple[int, ...] = (1, 3, 3, 1)


def slices(count: int, shares: tuple[int, ...] = SLICE_SHARES) -> list[range]:
    """``range(count)`` cut in ``len(shares)`` consecutive ranges of about these shares (some may be empty)."""
    total = sum(shares)
    cuts = [round(count * bound / total) for bound in accumulate(shares, initial=0)]
    return [range(a, b) for a, b in pairwise(cuts)]


def _previous_findings(session: Session, covered: set[int]) -> tuple[int | None, set[str]]:
    """The latest run, and the fingerprints of its open findings at the organisations ``covered``."""
    latest: int | None = None
    fingerprints: set[str] = set()
    latest_run = select(sa.func.max(RuleRun.id)).scalar_subquery()
    for run_id, fingerprint, organisation_id in session.connection().execute(  # plain rows, thousands
        select(FindingRecord.run_id, FindingRecord.fingerprint, FindingRecord.organisation_id).where(
            FindingRecord.run_id == latest_run, FindingRecord.status != "resolved"
        )
    ):
        latest = run_id
        if organisation_id in covered:
            fingerprints.add(fingerprint)
    return latest, fingerprints


class _Evaluated(NamedTuple):
    run: RuleRun
    stored: list[StoredFinding]  # in the order evaluated, their inserts submitted
    covered: set[int]  # the organisations evaluated
    previous_run: int | None
    previous: set[str]  # the fingerprints of the previous run's open findings at those organisations


def _evaluate(
    session: Session,
    inserting: InBackground,
    actor: Principal,
    day: date,
    schools: list[str] | None,
    rule_set: RuleSet,
    organisations: dict[str, int],
) -> _Evaluated:
    """Read the facts, evaluate the rules slice by slice of the organisations, submit each slice's insert.

    The facts are freed when it returns, while the database inserts the last slices.
    """
    facts = load_facts(session, day, schools)
    covered = {organisations[o.code] for o in facts.organisations}
    previous_run, previous = _previous_findings(session, covered)
    run = RuleRun(as_of=day, ran_by=actor.label, rules_sha256=rule_set.sha256)
    session.add(run)
    session.flush()
    assert run.id is not None
    waivers: dict[tuple[str, int], list[Waiver]] = defaultdict(list)
    for granted in session.exec(select(Waiver).where(Waiver.expires_on >= day).order_by(col(Waiver.id))).all():
        waivers[granted.rule_id, granted.organisation_id].append(granted)
    stored: list[StoredFinding] = []
    append_stored = stored.append
    ordered = sorted(facts.organisations, key=lambda o: o.code)  # evaluate's order: the slices follow each other
    connection = session.connection()
    for part in slices(len(ordered)):
        rows: list[FindingRow] = []
        append_row = rows.append
        for finding in evaluate(rule_set.rules, replace(facts, organisations=tuple(ordered[part.start : part.stop]))):
            fingerprint = finding.fingerprint
            organisation_id = organisations[finding.organisation]
            candidates = waivers.get((finding.rule_id, organisation_id))
            waiver = _active_waiver(candidates, finding, organisation_id, day) if candidates else None
            record = FindingRow(
                run.id,
                fingerprint,
                finding.rule_id,
                organisation_id,
                finding.key[:200],
                finding.severity,
                "open" if fingerprint in previous else "new",
                finding.message_fr,
                finding.message_en,
                finding.evidence,
                finding.source,
                waiver.id if waiver else None,
            )
            append_row(record)
            append_stored(StoredFinding(record, finding.organisation, waiver))
        inserting.run(_insert_findings, connection, rows)  # in order, one at a time
    return _Evaluated(run, stored, covered, previous_run, previous)


def _order(finding: StoredFinding) -> tuple[str, int, str, str]:
    """The order of a run's findings: by organisation, severity, rule and key."""
    return finding.organisation, SEVERITY_ORDER[finding.record.severity], finding.record.rule_id, finding.record.key


def run_rules(
    *,
    db: Database,
    actor: Principal,
    as_of: date | None = None,
    schools: list[str] | None = None,
    rules: RuleSet | None = None,
) -> RunResult:
    """Evaluate the rules, store the run and its findings (new, open or resolved since the last run).

    A fixed number of statements, whatever the number of schools and findings: the facts in
    batch queries, the previous run's open findings in one, the findings in one insert per
    slice of the organisations, and those resolved since the previous run in one.
    """
    authorize(actor, Action.RUN_RULES)
    rule_set = rules or load_rules()
    day = as_of or date.today()
    with collector_paused():  # thousands of rows, facts and findings, and no cycle among them
        return _run(db, actor, day, schools, rule_set)


def _run(db: Database, actor: Principal, day: date, schools: list[str] | None, rule_set: RuleSet) -> RunResult:
    """What run_rules does once authorised, in one transaction."""
    with db.transaction() as session:
        organisations: dict[str, int] = dict(session.execute(select(Organisation.code, Organisation.id)).all())
        for code in schools or []:
            if code not in organisations:
                raise NotFound(f"No organisation with code {code!r}.")
        with InBackground() as inserting:  # the findings of a slice inserted while the next is evaluated
            run, stored, covered, previous_run, previous = _evaluate(
                session, inserting, actor, day, schools, rule_set, organisations
            )
            # while the database inserts the last slices:
            stored.sort(key=_order)
            current = {s.record.fingerprint for s in stored}
            run.findings = len(stored)
            run.errors = sum(1 for s in stored if s.record.severity == "error" and s.waiver is None)
        if previous - current:
            resolved = {  # by fingerprint, as the previous run's findings are compared
                r.fingerprint: r._replace(run_id=stored_id(run), status="resolved", waiver_id=None)
                for r in _finding_rows(
                    session, FindingRecord.run_id == previous_run, FindingRecord.status != "resolved"
                )
                if r.organisation_id in covered and r.fingerprint not in current
            }
            _insert_findings(session.connection(), list(resolved.values()))
            by_id = {i: code for code, i in organisations.items()}
            stored += [StoredFinding(r, by_id[r.organisation_id], None) for r in resolved.values()]
            stored.sort(key=_order)
        session.add(run)
        session.flush()
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
    authorize_some(actor, Action.READ_FINDINGS)
    if school is None:
        authorize(actor, Action.READ_FINDINGS, organisation_id=actor.organisation_id)
    with db.reading() as session:
        organisations = {o.id: o for o in session.exec(select(Organisation)).all()}
        school_id: int | None = None
        if school is not None:
            target = next((o for o in organisations.values() if o.code == school), None)
            if target is None:
                unknown(actor, Action.READ_FINDINGS, NotFound(f"No organisation with code {school!r}."))
            authorize(actor, Action.READ_FINDINGS, organisation_id=target.id)
            school_id = stored_id(target)
        if severity is not None and severity not in SEVERITY_ORDER:
            raise InvalidInput("Severity is error, warning or info.")
        latest = session.exec(select(RuleRun).order_by(col(RuleRun.id).desc()).limit(1)).first()
        if latest is None:
            return []
        conditions: list[Condition] = [FindingRecord.run_id == latest.id]
        if school_id is not None:
            conditions.append(FindingRecord.organisation_id == school_id)
        if severity is not None:
            conditions.append(FindingRecord.severity == severity)
        if not include_resolved:
            conditions.append(FindingRecord.status != "resolved")
        records = [
            r
            for r in _finding_rows(session, *conditions)
            if is_allowed(actor, Action.READ_FINDINGS, organisation_id=r.organisation_id)
        ]
        waiver_ids = {r.waiver_id for r in records if r.waiver_id}
        waivers = {w.id: w for w in session.exec(select(Waiver).where(col(Waiver.id).in_(waiver_ids))).all()}
    result = [StoredFinding(r, organisations[r.organisation_id].code, waivers.get(r.waiver_id)) for r in records]
    return sorted(result, key=_order)


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
            organisation_id=stored_id(organisation),
            key=key,
            reason=reason.strip(),
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
    from govkit.vocabulary import Population

    authorize_some(actor, Action.RECORD_TRAINING)
    with db.transaction() as session:
        organisation = organisation_for(session, actor, Action.RECORD_TRAINING, school)
        if population not in {p.value for p in Population}:
            raise InvalidInput(f"Unknown population {population!r}.")
        if not (2015 <= year <= date.today().year) or trained < 0 or total <= 0 or trained > total:
            raise InvalidInput("Give a year up to this one and 0 ≤ trained ≤ total, total > 0.")
        record = TrainingCoverage(
            organisation_id=stored_id(organisation),
            year=year,
            population=population,
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
    if actor.organisation_id is None:
        authorize(actor, Action.READ_BAROMETER)
    else:
        authorize(actor, Action.READ_BAROMETER, organisation_id=actor.organisation_id)
    if not 2015 <= year <= date.today().year:
        raise InvalidInput(f"No barometer for {year}.")
    day = as_of or min(date(year, 12, 31), date.today())
    with db.reading() as session:
        facts = load_facts(session, day)
    result = barometer_module.compute(facts, year)
    if not is_allowed(actor, Action.READ_BAROMETER):  # scoped to one school: its row beside the group's
        result.schools = [r for r in result.schools if r.organisation == actor.organisation_code]
    return result
