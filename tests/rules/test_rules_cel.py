"""CEL programs evaluated once per distinct input they read give what evaluating each gives (pure)."""

from __future__ import annotations

from typing import Any

import cel
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from govkit.rules import engine
from govkit.rules.engine import _passes, _Programs, evaluate, profile_paths
from govkit.rules.facts import OrganisationFacts
from govkit.rules.loader import load_rules
from tests.rule_facts import facts
from tests.rules.test_rules_properties import cases

RULES = load_rules().rules

#: The rules' expressions, and uses of the profile a projection could get wrong.
EXPRESSIONS = [
    *(r.when for r in RULES if r.when),
    *(r.parameters.check for r in RULES if r.kind == "profile_check"),
    "profile.a.b == 1",
    "has(profile.a.b) && profile.a.b",
    "has(profile.a.b) || has(profile.a)",
    "size(profile.a) > 1",
    "has(profile.a) && profile.a.exists(k, k == 'b')",
    "profile.a.b.size() > 0",
    'profile["a"].b == true',
    "'b' in profile.a",
    "profile.a.b[0] == 1",
    "profile.a == profile.b",
    "size(profile) > 2",
    "profile.housing.residences.all(r, r == 1)",
    "org.code == 'abc' && has(profile.a)",
    "true",
]
PROGRAMS = [cel.compile(e) for e in EXPRESSIONS]
KEYS = ["a", "b", "housing", "has_residences", "residences", "equality_referent", "time_share_percent"]
KEYS += ["reporting_channel", "anonymous"]

#: Few leaves, few keys: organisations often read alike, or alike but for 1, 1.0 and true.
leaves = st.sampled_from([None, True, False, 0, 1, 0.0, 1.0, 50, 50.0, 49.5, "", "b"])
values = st.recursive(
    leaves | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=6,
)
profiles = st.none() | st.dictionaries(st.sampled_from(KEYS), values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["abc", "xyz"]), profiles), min_size=1, max_size=10))
@example([("abc", {"a": {"b": True}}), ("abc", {"a": {"b": 1}}), ("abc", {"a": {"b": 1.0}})])
@example([("abc", {"a": {"b": 1}}), ("xyz", {"a": {"b": True}}), ("xyz", {"a": {"b": [1]}})])
@example([("abc", {"equality_referent": {"time_share_percent": 50}}), ("abc", {"equality_referent": None})])
def test_a_program_reused_across_organisations_gives_what_evaluating_it_on_each_gives(
    organisations: list[tuple[str, dict[str, Any] | None]],
) -> None:
    programs = _Programs()  # one for every organisation: the later ones reuse the earlier results
    for code, profile in organisations:
        org = OrganisationFacts(code=code, type="school", name=code, profile=profile)
        for program in PROGRAMS:
            assert programs.passes(program, org) == _passes(program, org), (program.source, profile)


rule_profiles = st.fixed_dictionaries(
    {"official_name": st.just("X"), "short_name": st.just("X")},
    optional={
        "housing": st.fixed_dictionaries(
            {"residences": st.just([])}, optional={"has_residences": st.none() | st.booleans()}
        ),
        "equality_referent": st.none()
        | st.fixed_dictionaries(
            {"name": st.sampled_from(["A", "B"])},
            optional={"time_share_percent": st.none() | st.sampled_from([0, 20, 50, 50.0, 49.5, 80.0, True])},
        ),
        "reporting_channel": st.fixed_dictionaries(
            {"kind": st.just("platform")}, optional={"anonymous": st.none() | st.booleans() | st.just(1)}
        ),
    },
)
cel_cases = st.builds(
    lambda case, chosen: dict(
        case, organisations=[dict(o, profile=p) for o, p in zip(case["organisations"], chosen, strict=False)]
    ),
    cases,
    st.lists(rule_profiles, min_size=5, max_size=5),
)


@settings(max_examples=100, deadline=None)
@given(cel_cases)
def test_evaluate_finds_what_evaluating_each_program_on_each_organisation_finds(case: dict) -> None:
    found = evaluate(RULES, facts(case))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_Programs, "passes", lambda _self, program, org: engine._passes(program, org))
        assert evaluate(RULES, facts(case)) == found


@pytest.mark.parametrize(
    ("expressions", "paths"),
    [
        (["has(profile.a.b) && profile.a.b"], {("a", "b")}),
        (["profile.a.b.size() > 0", "profile . a . c"], {("a", "b"), ("a", "c")}),
        (["profile.a.exists(k, k == 'b')"], {("a",)}),
        (['profile["a"].b'], None),
        (["size(profile) > 0"], None),
        (["profile.size() > 0"], None),
        (["org.type == 'school'"], set()),
    ],
)
def test_profile_paths_are_the_fields_selected_before_any_other_use(
    expressions: list[str], paths: set[tuple[str, ...]] | None
) -> None:
    assert profile_paths(expressions) == (None if paths is None else frozenset(paths))
