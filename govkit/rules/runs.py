"""Rule runs: evaluate the rules as of a date, store the run and its findings (new, open, resolved).

A run has a date basis (govkit.rules.models): ``current`` — as of today (or later) with everything
recorded — or ``as_of`` — as of a past date, or as known at a past moment. The latest *current* run
is what dashboards, ``findings`` without a date and `govkit check` show; an ``as_of`` run never
replaces it. A run's findings are compared with the previous run of the same basis (for ``as_of``
runs, of the same date): that comparison says new, open or resolved.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import accumulate, pairwise
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from govkit.access.policy import Action, authorize, is_allowed
from govkit.access.roles import Principal
from govkit.db import Database, stored_id, table_of, utcnow
from govkit.errors import InvalidInput, NotFound
from govkit.organisations.models import Organisation
from govkit.rules.background import InBackground
from govkit.rules.collector import collector_paused
from govkit.rules.coverage import Arrangement, ArrangementsMet, arrangements_meeting, concerning, obligations_met
from govkit.rules.engine import Finding, evaluate
from govkit.rules.loader import RuleSet, load_rules
from govkit.rules.models import AS_OF, CURRENT, FindingRecord, RuleRun, Waiver
from govkit.rules.parameters import parameters_shown
from govkit.rules.queries import load_facts
from govkit.timeline import AsOf

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class FindingRow(NamedTuple):
    """A stored finding: the columns of a ``finding`` row but its id (a tuple: thousands per run).

    ``run_id`` is None for a finding evaluated on the fly (``findings(asOf)`` without a stored run).
    """

    run_id: int | None
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


#: Each rule's parameters on a run's day as findings show them, by rule id (``RuleRun.parameters``).
Shown = Mapping[str, Sequence[Mapping[str, Any]]]


class StoredFinding(NamedTuple):
    """A finding as stored, with its organisation's code, its waiver and its rule's parameters on the
    run's day, with their sources (the run's ``parameters``; a tuple: thousands per run)."""

    record: FindingRow
    organisation: str
    waiver: Waiver | None
    parameters: Sequence[Mapping[str, Any]] = ()

    @property
    def waived(self) -> bool:
        return self.waiver is not None


@dataclass(frozen=True)
class RunResult:
    run: RuleRun
    findings: list[StoredFinding]
    #: the shared, group and external arrangements meeting obligations at the organisations evaluated,
    #: each once, from the facts the run read (those concerning organisations the actor may read findings of)
    arrangements: ArrangementsMet = field(default_factory=lambda: ArrangementsMet([], {}))

    @property
    def blocking(self) -> list[StoredFinding]:
        """Unwaived errors still open: what makes `govkit check` fail."""
        return [
            f for f in self.findings if f.record.severity == "error" and not f.waived and f.record.status != "resolved"
        ]

    @property
    def is_current(self) -> bool:
        return self.run.basis == CURRENT


def question(as_of: date | None = None, known_at: datetime | None = None) -> AsOf:
    """The date a run or a reading asks about: today by default; ``known_at`` (naive: UTC) not after now."""
    if known_at is not None:
        known_at = known_at.replace(tzinfo=UTC) if known_at.tzinfo is None else known_at.astimezone(UTC)
        if known_at > utcnow():
            raise InvalidInput("« knownAt » est dans le futur. / knownAt is in the future.")
    return AsOf.of(as_of, known_at)


def basis_of(when: AsOf) -> str:
    """``current`` for today or later with everything recorded, else ``as_of``."""
    return CURRENT if when.is_current else AS_OF


def granted_waivers(session: Session, when: AsOf) -> dict[tuple[str, int], list[Waiver]]:
    """The waivers that count on ``when.day`` by rule and organisation: granted by that day (and
    known by ``when.known_at``), not expired (``expires_on`` is the last day it counts)."""
    granted_by = when.end if when.known_at is None else min(when.end, when.known_at)
    waivers: dict[tuple[str, int], list[Waiver]] = defaultdict(list)
    for waiver in session.exec(
        select(Waiver)
        .where(Waiver.expires_on >= when.day, col(Waiver.granted_at) <= granted_by)
        .order_by(col(Waiver.id))
    ).all():
        waivers[waiver.rule_id, waiver.organisation_id].append(waiver)
    return waivers


def _active_waiver(waivers: list[Waiver], finding: Finding) -> Waiver | None:
    for waiver in waivers:
        if waiver.key is None or waiver.key == finding.key:
            return waiver
    return None


def _judged(
    found: Iterable[Finding],
    run_id: int | None,
    organisations: dict[str, int],
    waivers: dict[tuple[str, int], list[Waiver]],
    previous: set[str],
    shown: Shown,
) -> tuple[list[FindingRow], list[StoredFinding]]:
    """The rows of ``found`` (new, or open when the previous run had them) with their waivers and their
    rules' parameters (``shown``)."""
    rows: list[FindingRow] = []
    stored: list[StoredFinding] = []
    append_row, append_stored = rows.append, stored.append
    for finding in found:
        fingerprint = finding.fingerprint
        organisation_id = organisations[finding.organisation]
        candidates = waivers.get((finding.rule_id, organisation_id))
        waiver = _active_waiver(candidates, finding) if candidates else None
        record = FindingRow(
            run_id,
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
        append_stored(StoredFinding(record, finding.organisation, waiver, shown.get(finding.rule_id, ())))
    return rows, stored


def finding_rows(session: Session, *conditions: Condition) -> list[FindingRow]:
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


def previous_run(basis: str, day: date) -> sa.ScalarSelect[Any]:
    """The id of the latest run a new run of ``basis`` as of ``day`` is compared with: the latest
    current run, or the latest ``as_of`` run of the same date."""
    same: list[Condition] = [RuleRun.basis == basis]
    if basis != CURRENT:
        same.append(RuleRun.as_of == day)
    return select(sa.func.max(RuleRun.id)).where(*same).scalar_subquery()


def _previous_findings(session: Session, covered: set[int], basis: str, day: date) -> tuple[int | None, set[str]]:
    """The previous run of that basis (and date), and the fingerprints of its open findings at the
    organisations ``covered``."""
    latest: int | None = None
    fingerprints: set[str] = set()
    for run_id, fingerprint, organisation_id in session.connection().execute(  # plain rows, thousands
        select(FindingRecord.run_id, FindingRecord.fingerprint, FindingRecord.organisation_id).where(
            FindingRecord.run_id == previous_run(basis, day), FindingRecord.status != "resolved"
        )
    ):
        latest = run_id
        if organisation_id in covered:
            fingerprints.add(fingerprint)
    return latest, fingerprints


class _Evaluated(NamedTuple):
    run: RuleRun
    stored: list[StoredFinding]  # in the order evaluated, their inserts submitted
    arrangements: list[Arrangement]  # meeting obligations at the organisations evaluated
    covered: set[int]  # the organisations evaluated
    previous_run: int | None
    previous: set[str]  # the fingerprints of the previous run's open findings at those organisations


def _evaluate(
    session: Session,
    inserting: InBackground,
    actor: Principal,
    when: AsOf,
    schools: list[str] | None,
    rule_set: RuleSet,
    organisations: dict[str, int],
) -> _Evaluated:
    """Read the facts, evaluate the rules slice by slice of the organisations, submit each slice's insert,
    then find the arrangements meeting obligations in the same facts.

    The facts are freed when it returns, while the database inserts the last slices.
    """
    facts = load_facts(session, when, schools)
    shown = parameters_shown(rule_set.rules, facts)
    covered = {organisations[o.code] for o in facts.organisations}
    basis = basis_of(when)
    last_run, previous = _previous_findings(session, covered, basis, when.day)
    run = RuleRun(
        as_of=when.day,
        basis=basis,
        known_at=when.known_at,
        schools=sorted(set(schools)) if schools else None,
        ran_by=actor.label,
        rules_sha256=rule_set.sha256,
        parameters=shown,
    )
    session.add(run)
    session.flush()
    waivers = granted_waivers(session, when)
    stored: list[StoredFinding] = []
    ordered = sorted(facts.organisations, key=lambda o: o.code)  # evaluate's order: the slices follow each other
    connection = session.connection()
    for part in slices(len(ordered)):
        found = evaluate(rule_set.rules, replace(facts, organisations=tuple(ordered[part.start : part.stop])))
        rows, judged = _judged(found, run.id, organisations, waivers, previous, shown)
        stored += judged
        inserting.run(_insert_findings, connection, rows)  # in order, one at a time
    arrangements = arrangements_meeting(obligations_met(rule_set.rules, facts))  # while the last slices go in
    return _Evaluated(run, stored, arrangements, covered, last_run, previous)


def order(finding: StoredFinding) -> tuple[str, int, str, str]:
    """The order of a run's findings: by organisation, severity, rule and key."""
    return finding.organisation, SEVERITY_ORDER[finding.record.severity], finding.record.rule_id, finding.record.key


def run_rules(
    *,
    db: Database,
    actor: Principal,
    as_of: date | None = None,
    known_at: datetime | None = None,
    schools: list[str] | None = None,
    rules: RuleSet | None = None,
) -> RunResult:
    """Evaluate the rules as of a date (today by default; as known at ``known_at`` when given), store
    the run and its findings (new, open or resolved since the previous run of the same basis).

    As of today or later with everything recorded, the run is the new current run; as of a past
    date, or as known at a moment, it is stored with basis ``as_of`` and the current run stays.

    The result also gives the shared, group and external arrangements meeting obligations at the
    organisations evaluated, from the same facts (``RunResult.arrangements``); the run stores each
    rule's parameters on the day once (``RuleRun.parameters``), the findings carry them when read.

    A fixed number of statements, whatever the number of schools and findings: the facts in
    batch queries, the previous run's open findings in one, the findings in one insert per
    slice of the organisations, and those resolved since the previous run in one.
    """
    authorize(actor, Action.RUN_RULES)
    rule_set = rules or load_rules()
    when = question(as_of, known_at)
    with collector_paused():  # thousands of rows, facts and findings, and no cycle among them
        return _run(db, actor, when, schools, rule_set)


def _codes(session: Session, schools: list[str] | None) -> tuple[dict[str, int], dict[str, str]]:
    """Every organisation's id and name by code; NotFound for a code in ``schools`` that names none."""
    ids: dict[str, int] = {}
    names: dict[str, str] = {}
    for code, organisation_id, name in session.execute(select(Organisation.code, Organisation.id, Organisation.name)):
        ids[code], names[code] = organisation_id, name
    for code in schools or []:
        if code not in ids:
            raise NotFound(f"No organisation with code {code!r}.")
    return ids, names


def _readable(actor: Principal, organisations: dict[str, int]) -> set[str]:
    """The codes of the organisations ``actor`` may read findings of."""
    return {code for code, i in organisations.items() if is_allowed(actor, Action.READ_FINDINGS, organisation_id=i)}


def _run(db: Database, actor: Principal, when: AsOf, schools: list[str] | None, rule_set: RuleSet) -> RunResult:
    """What run_rules does once authorised, in one transaction."""
    with db.transaction() as session:
        organisations, names = _codes(session, schools)
        with InBackground() as inserting:  # the findings of a slice inserted while the next is evaluated
            run, stored, arrangements, covered, last_run, previous = _evaluate(
                session, inserting, actor, when, schools, rule_set, organisations
            )
            # while the database inserts the last slices:
            stored.sort(key=order)
            current = {s.record.fingerprint for s in stored}
            run.findings = len(stored)
            run.errors = sum(1 for s in stored if s.record.severity == "error" and s.waiver is None)
            arrangements = concerning(arrangements, _readable(actor, organisations))
        if previous - current:
            resolved = {  # by fingerprint, as the previous run's findings are compared
                r.fingerprint: r._replace(run_id=stored_id(run), status="resolved", waiver_id=None)
                for r in finding_rows(session, FindingRecord.run_id == last_run, FindingRecord.status != "resolved")
                if r.organisation_id in covered and r.fingerprint not in current
            }
            _insert_findings(session.connection(), list(resolved.values()))
            by_id = {i: code for code, i in organisations.items()}
            shown = run.parameters or {}
            stored += [
                StoredFinding(r, by_id[r.organisation_id], None, shown.get(r.rule_id, ())) for r in resolved.values()
            ]
            stored.sort(key=order)
        session.add(run)
        session.flush()
    return RunResult(run, stored, ArrangementsMet(arrangements, names))


def evaluated_on_the_fly(
    session: Session, when: AsOf, schools: list[str] | None, rules: RuleSet | None = None
) -> list[StoredFinding]:
    """The findings as of ``when``, evaluated now and stored nowhere (no write at all): every one
    ``new`` (no run to compare with), without a run (``run_id`` None), with the waivers of that day
    and each rule's parameters on that day."""
    rule_set = rules or load_rules()
    with collector_paused():
        organisations, _names = _codes(session, schools)
        facts = load_facts(session, when, schools)
        waivers, shown = granted_waivers(session, when), parameters_shown(rule_set.rules, facts)
        _rows, stored = _judged(evaluate(rule_set.rules, facts), None, organisations, waivers, set(), shown)
    return sorted(stored, key=order)
