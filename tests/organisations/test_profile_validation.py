"""Properties of the school profile model (pure, no database)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govkit.organisations.profile import PROFILE_FIELDS, SchoolProfile, merge_profile
from govkit.organisations.vocabulary import Language, ListeningCellKind, ResidenceManager

text = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
codes = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}\Z")
urls = st.builds(lambda host, path: f"https://{host}.example/{path}", codes, codes)
emails = st.builds(lambda a, b: f"{a}@{b}.example", st.from_regex(r"\A[a-z]{1,10}\Z"), codes)
phones = st.from_regex(r"\A\+33 [1-9]( [0-9]{2}){4}\Z")

contacts = st.fixed_dictionaries(
    {"name": text},
    optional={"role": text, "email": emails, "phone": phones, "url": urls},
)
residences = st.lists(
    st.fixed_dictionaries(
        {"code": codes, "name": text, "managed_by": st.sampled_from([m.value for m in ResidenceManager])},
        optional={"places": st.integers(0, 5000)},
    ),
    max_size=4,
    unique_by=lambda r: r["code"],
)
profiles = st.fixed_dictionaries(
    {"official_name": text, "short_name": text},
    optional={
        "director": contacts,
        "listening_cell": st.fixed_dictionaries(
            {"kind": st.sampled_from([k.value for k in ListeningCellKind])},
            optional={"members_count": st.integers(0, 100), "contacts": st.lists(contacts, max_size=3)},
        ),
        "housing": st.builds(lambda rs: {"has_residences": bool(rs) or None, "residences": rs}, residences),
        "websites": st.fixed_dictionaries({}, optional={"public_site": urls, "intranet_vss_page": urls}),
        "languages": st.sampled_from([["fr"], ["fr", "en"], ["en", "fr"]]),
    },
)


@given(profiles)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_valid_profiles_round_trip_through_canonical_json(data: dict) -> None:
    profile = SchoolProfile.model_validate(data)
    again = SchoolProfile.model_validate(json.loads(profile.canonical_json()))
    assert again == profile
    assert again.sha256() == profile.sha256()


@given(profiles, profiles)
def test_hash_distinguishes_different_profiles(a: dict, b: dict) -> None:
    pa, pb = SchoolProfile.model_validate(a), SchoolProfile.model_validate(b)
    assert (pa.sha256() == pb.sha256()) == (pa == pb)


@given(profiles, st.data())
def test_patch_replaces_exactly_the_given_fields(data: dict, draw: st.DataObject) -> None:
    current = SchoolProfile.model_validate(data)
    other = SchoolProfile.model_validate(draw.draw(profiles)).model_dump(mode="json")
    keys = draw.draw(st.sets(st.sampled_from(PROFILE_FIELDS)))
    merged = merge_profile(current, {k: other[k] for k in keys})
    for name in PROFILE_FIELDS:
        expected = other[name] if name in keys else current.model_dump(mode="json")[name]
        assert merged.model_dump(mode="json")[name] == expected


@given(profiles, st.text(max_size=30).filter(lambda s: "@" not in s or " " in s))
def test_bad_email_is_refused_at_its_path(data: dict, bad: str) -> None:
    data = {**data, "director": {"name": "Directrice", "email": bad}}
    with pytest.raises(ValidationError) as caught:
        SchoolProfile.model_validate(data)
    assert ("director", "email") in [e["loc"] for e in caught.value.errors()]


@given(st.sampled_from(["ftp://x.example", "javascript:alert(1)", "https://a b", "//x.example", "http://"]))
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        SchoolProfile.model_validate({"official_name": "X", "short_name": "X", "websites": {"public_site": url}})


@pytest.mark.parametrize(
    ("languages", "message"),
    [(["en"], "French"), (["fr", "fr"], "once"), ([], "at least 1"), (["de"], "Input should be")],
)
def test_languages(languages: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SchoolProfile.model_validate({"official_name": "X", "short_name": "X", "languages": languages})


def test_unknown_fields_and_inconsistent_housing_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        SchoolProfile.model_validate({"official_name": "X", "short_name": "X", "motto": "y"})
    with pytest.raises(ValidationError, match="has_residences is false"):
        SchoolProfile.model_validate(
            {
                "official_name": "X",
                "short_name": "X",
                "housing": {
                    "has_residences": False,
                    "residences": [{"code": "a", "name": "A", "managed_by": "crous"}],
                },
            }
        )


def test_names_are_stripped_and_required() -> None:
    assert SchoolProfile.model_validate({"official_name": "  IMT  ", "short_name": "IMT"}).official_name == "IMT"
    with pytest.raises(ValidationError):
        SchoolProfile.model_validate({"official_name": "   ", "short_name": "IMT"})
    assert Language.FR in SchoolProfile.model_validate({"official_name": "X", "short_name": "X"}).languages
