"""Which record meets each required commitment (pure): the school's own, or an arrangement — shared
with named schools, the head office's group arrangement it joined, an external provider.

check_require_commitment yields nothing when an obligation is met; ``obligations_met`` says by what,
and ``arrangements_meeting`` lists each shared/group/external arrangement ONCE with its members and
the obligations it meets (`govkit check`, its JSON, the school dashboard).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from govkit.rules.definitions import RequireCommitment, Rule
from govkit.rules.facts import CommitmentFact, Facts, OrganisationFacts
from govkit.rules.programs import _Programs

__all__ = ["Arrangement", "ArrangementsMet", "ObligationMet", "arrangements_meeting", "concerning", "obligations_met"]


class ObligationMet(NamedTuple):
    """A require_commitment rule met at an organisation, and the record that meets it."""

    rule_id: str
    organisation: str
    type: str
    how: str  # own | shared | group | external
    title: str
    holder: str  # the organisation holding the record (the organisation itself for its own)
    members: tuple[str, ...]
    provider: str | None
    capacity: tuple[tuple[str, Any], ...]
    arrangement_id: int | None


class Arrangement(NamedTuple):
    """A shared, group or external arrangement, once, with the schools it serves and what it meets."""

    holder: str
    how: str
    type: str
    title: str
    members: tuple[str, ...]  # the organisations it serves on the day (the holder's too, for a shared one)
    provider: str | None
    capacity: tuple[tuple[str, Any], ...]
    rules: tuple[str, ...]  # the rules it meets (somewhere)
    met_at: tuple[str, ...]  # the organisations where it meets them

    def as_json(self) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "how": self.how,
            "type": self.type,
            "title": self.title,
            "members": list(self.members),
            "provider": self.provider,
            "capacity": dict(self.capacity) or None,
            "meets": list(self.rules),
            "met_at": list(self.met_at),
        }


def _satisfying(p: RequireCommitment, org: OrganisationFacts, facts: Facts) -> CommitmentFact | None:
    """The record that meets ``p`` at ``org`` (as check_require_commitment judges it): its own first,
    then an arrangement, by title."""
    day = facts.as_of
    limit = day - timedelta(days=365 * p.max_age_years) if p.max_age_years is not None else None
    candidates = [
        c
        for c in org.commitments_of(p.type.value)
        if c.status in p.accepted
        and (c.expires_on is None or day < c.expires_on)
        and not c.uncertain
        and (limit is None or (c.effective_on is not None and c.effective_on >= limit))
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.how != "own" or c.holder is not None, c.title.casefold()))


def obligations_met(rules: Sequence[Rule], facts: Facts) -> list[ObligationMet]:
    """For each require_commitment rule in force and organisation in its scope where it is met, the
    record that meets it; sorted by organisation and rule."""
    programs = _Programs()
    met: list[ObligationMet] = []
    for rule in rules:
        if rule.kind != "require_commitment" or rule.effective > facts.as_of:
            continue
        types = {t.value for t in rule.scope.types}
        codes = set(rule.scope.codes)
        for org in facts.organisations:
            if org.type not in types or (codes and org.code not in codes):
                continue
            if rule.guard is not None and not programs.passes(rule.guard, org):
                continue
            record = _satisfying(rule.parameters, org, facts)
            if record is None:
                continue
            met.append(
                ObligationMet(
                    rule.id,
                    org.code,
                    record.type,
                    record.how,
                    record.title,
                    record.holder or org.code,
                    record.members,
                    record.provider,
                    record.capacity,
                    record.arrangement_id,
                )
            )
    met.sort(key=lambda m: (m.organisation, m.rule_id))
    return met


def arrangements_meeting(met: Iterable[ObligationMet]) -> list[Arrangement]:
    """Each arrangement other than an organisation's own, once, with the rules it meets and where;
    sorted by holder, type and title."""
    found: dict[tuple[str, str, str], list[ObligationMet]] = {}
    for m in met:
        if m.how == "own" and m.holder == m.organisation:
            continue
        found.setdefault((m.holder, m.type, m.title.casefold()), []).append(m)
    arrangements = []
    for (holder, _type, _title), items in sorted(found.items()):
        first = items[0]
        arrangements.append(
            Arrangement(
                holder,
                first.how,
                first.type,
                first.title,
                first.members,
                first.provider,
                first.capacity,
                tuple(sorted({m.rule_id for m in items})),
                tuple(sorted({m.organisation for m in items})),
            )
        )
    return arrangements


def concerning(arrangements: Iterable[Arrangement], codes: Collection[str]) -> list[Arrangement]:
    """Those of ``arrangements`` held by, serving or met at one of the organisations ``codes``."""
    return [a for a in arrangements if not {a.holder, *a.members, *a.met_at}.isdisjoint(codes)]


class ArrangementsMet(NamedTuple):
    """The arrangements meeting obligations on a day, and the names of the organisations (by code)."""

    arrangements: list[Arrangement]
    names: dict[str, str]

    def lines(self, language: str = "fr") -> list[str]:
        return [describe(a, self.names, language) for a in self.arrangements]


def describe(arrangement: Arrangement, names: dict[str, str] | None = None, language: str = "fr") -> str:
    """One line: « IMT-BS · Télécom SudParis — shared: Référente égalité commune (20 % ETP) — meets commitments.x »."""
    names = names or {}
    who = " · ".join(names.get(code, code) for code in (arrangement.members or (arrangement.holder,)))
    capacity = dict(arrangement.capacity)
    extra = []
    if "time_share_percent" in capacity:
        extra.append(
            f"{capacity['time_share_percent']:g} % ETP"
            if language == "fr"
            else f"{capacity['time_share_percent']:g} % FTE"
        )
    if "members" in capacity:
        extra.append(f"{capacity['members']} membres" if language == "fr" else f"{capacity['members']} members")
    if arrangement.provider:
        extra.append(arrangement.provider)
    detail = f" ({', '.join(extra)})" if extra else ""
    holder = (
        ""
        if not arrangement.members or arrangement.holder in arrangement.members
        else f" [{names.get(arrangement.holder, arrangement.holder)}]"
    )
    meets = "répond à" if language == "fr" else "meets"
    how = HOW_LABELS.get(arrangement.how, (arrangement.how, arrangement.how))[0 if language == "fr" else 1]
    colon = " :" if language == "fr" else ":"
    return f"{who}{holder} — {how}{colon} {arrangement.title}{detail} — {meets} {', '.join(arrangement.rules)}"


#: How an arrangement is held, as a reader says it (French, English).
HOW_LABELS: dict[str, tuple[str, str]] = {
    "own": ("propre", "own"),
    "shared": ("mutualisé", "shared"),
    "group": ("de groupe", "group-level"),
    "external": ("prestataire", "external provider"),
}
