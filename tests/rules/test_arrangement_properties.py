"""Properties of arrangements (pure, bounded): joining a group arrangement never adds an error for
the obligation it meets; opting out of it without an arrangement of one's own is always missing —
with the rule's severity after its deadline, a reminder (info) before."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govkit.rules.engine import evaluate
from govkit.rules.loader import load_rules
from tests.rule_facts import facts

RULE = next(r for r in load_rules().rules if r.id == "listening.cell")
STATUSES = ["planned", "in_progress", "in_place", "lapsed"]
days = st.dates(min_value=date(2021, 9, 1), max_value=date(2025, 12, 31))  # the rule is in force
own_records = st.lists(
    st.fixed_dictionaries(
        {"status": st.sampled_from(STATUSES), "effective_on": st.none() | days, "title": st.sampled_from("ABC")}
    ),
    max_size=3,
)


def _case(own: list[dict[str, Any]], group_status: str, member_of: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "organisations": [
            {
                "code": "dg",
                "type": "head_office",
                "commitments": [
                    {
                        "type": "listening_cell",
                        "status": group_status,
                        "title": "Cellule du groupe",
                        "effective_on": date(2021, 1, 4),
                        "how": "group",
                    }
                ],
            },
            {
                "code": "ecole",
                "type": "school",
                "profile": {"official_name": "École", "short_name": "E"},
                "commitments": [
                    {"type": "listening_cell", "recorded_at": date(2021, 1, 1), **record} for record in own
                ],
                "member_of": member_of,
            },
        ]
    }


def _findings(case: dict[str, Any], day: date) -> set[tuple[str, str]]:
    return {(f.key, f.severity) for f in evaluate([RULE], facts(case, day)) if f.organisation == "ecole"}


@settings(max_examples=60, deadline=None)
@given(own=own_records, group_status=st.sampled_from(STATUSES), joined=days, day=days)
def test_joining_a_group_arrangement_never_adds_an_error(
    own: list[dict[str, Any]], group_status: str, joined: date, day: date
) -> None:
    alone = _findings(_case(own, group_status, []), day)
    member = _findings(
        _case(own, group_status, [{"arrangement": "Cellule du groupe", "holder": "dg", "from": joined}]), day
    )
    assert {f for f in member if f[1] == "error"} <= {f for f in alone if f[1] == "error"}
    if group_status == "in_place" and joined <= day:
        assert member == set()


@settings(max_examples=60, deadline=None)
@given(
    own=own_records.map(lambda rs: [r for r in rs if r["status"] != "in_place"]),
    group_status=st.sampled_from(STATUSES),
    joined=days,
    left_after=st.integers(min_value=0, max_value=400),
    day=days,
)
def test_opting_out_without_an_own_arrangement_is_always_missing(
    own: list[dict[str, Any]], group_status: str, joined: date, left_after: int, day: date
) -> None:
    left = joined + timedelta(days=left_after)
    membership = {"arrangement": "Cellule du groupe", "holder": "dg", "from": joined, "opted_out_from": left}
    found = _findings(_case(own, group_status, [membership]), max(day, left))
    on = max(day, left)
    expected = RULE.severity if RULE.deadline is None or on > RULE.deadline else "info"
    assert found == {("listening_cell", expected)}
