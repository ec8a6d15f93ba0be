"""The register of processing (govkit.privacy.register): every personal column with its category's
purpose, legal basis, recipients (from the policy), retention (from the settings) and erasure, in
French and English; the Markdown and the JSON list the same columns whatever the declarations."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

import govkit.models
from govkit.access.roles import Role
from govkit.privacy.categories import CATEGORIES, ERASURE, recipients
from govkit.privacy.declarations import Category, declaration_of, not_personal, personal
from govkit.privacy.register import as_json, as_markdown, build
from govkit.settings import Settings

ROW = re.compile(r"^\| `([^`]+)` \| `([^`]+)` \|$")
SECTION = re.compile(r"^## .+ \(`([a-z_]+)`\)$")


def markdown_columns(text: str) -> set[tuple[str, str, str]]:
    """The (table, column, category) rows of a Markdown register."""
    found = set()
    category = None
    for line in text.splitlines():
        if heading := SECTION.match(line):
            category = heading.group(1)
        elif (row := ROW.match(line)) and category:
            found.add((row.group(1), row.group(2), category))
    return found


def json_columns(data: dict) -> set[tuple[str, str, str]]:
    return {(c["table"], c["column"], entry["id"]) for entry in data["categories"] for c in entry["columns"]}


def declared_personal(metadata: sa.MetaData) -> set[tuple[str, str, str]]:
    return {
        (t.name, c.name, d["category"])
        for t in metadata.tables.values()
        for c in t.columns
        if (d := declaration_of(c)) and d["personal"]
    }


def test_every_category_is_described_in_both_languages() -> None:
    assert set(CATEGORIES) == set(Category)
    for category, description in CATEGORIES.items():
        assert description.category is category
        for text in (description.title, description.purpose, description.legal_basis, description.retention.text):
            assert text.fr.strip() and text.en.strip() and text.fr != text.en, (category, text)
        assert "6(1)" in description.legal_basis.en, category


def test_the_register_lists_every_personal_column_with_its_retention() -> None:
    register = build(govkit.models.metadata)
    expected = declared_personal(govkit.models.metadata)
    assert register.columns() == expected
    assert ("person", "given_name", "identity") in expected and ("acknowledgement", "client_ip", "client") in expected
    for language in ("fr", "en"):
        data = as_json(register, language)
        assert json_columns(data) == expected
        assert markdown_columns(as_markdown(register, language)) == expected
        for entry in data["categories"]:
            retention = entry["retention"]
            assert retention["text"] and "{n}" not in retention["text"]
            if retention["setting"]:
                assert retention["default"] == Settings.model_fields[retention["setting"]].default
                assert str(retention["default"]) in retention["text"]
                assert retention["environment"] == f"GOVKIT_{retention['setting'].upper()}"


def test_retention_follows_the_settings_defaults() -> None:
    data = {entry["id"]: entry for entry in as_json(build(govkit.models.metadata), "en")["categories"]}
    assert (data["client"]["retention"]["setting"], data["client"]["retention"]["default"]) == (
        "client_data_retention_days",
        365,
    )
    assert (data["identity"]["retention"]["default"], data["identity"]["retention"]["unit"]) == (5, "years")
    assert (data["notice"]["retention"]["setting"], data["notice"]["retention"]["default"]) == (
        "retention_notice_days",
        180,
    )
    assert data["audit"]["retention"]["setting"] is None  # kept as long as the log: the text says so
    assert "by id" in data["audit"]["retention"]["text"]


def test_recipients_are_read_from_the_policy() -> None:
    assert {r.role for r in recipients(Category.CLIENT)} == {Role.LEGAL, Role.AUDITOR, Role.SCHOOL_ADMIN}
    assert {r.role for r in recipients(Category.NOTICE)} == {Role.LEGAL, Role.SCHOOL_ADMIN}
    assert {(r.role, r.scope.value) for r in recipients(Category.AUDIT)} == {
        (Role.LEGAL, "anywhere"),
        (Role.AUDITOR, "anywhere"),
    }
    # members read their own data only: the note says so, they are no recipient
    assert all(Role.MEMBER not in {r.role for r in recipients(c)} for c in Category)


def test_names_and_e_mails_go_to_an_intranet_only_with_its_scope_and_never_to_auditors() -> None:
    """Minimal exposure (govkit.privacy.exposure) as the register tells it: auditors see pseudonyms,
    an intranet names only with ``persons:read``; the policy decides, the register follows."""
    for category in (Category.IDENTITY, Category.CONTACT):
        seen = {r.role: r for r in recipients(category)}
        assert Role.AUDITOR not in seen
        assert seen[Role.INTRANET].needs_scope == "persons:read"
        assert seen[Role.LEGAL].needs_scope is None and seen[Role.SCHOOL_ADMIN].needs_scope is None
    text = as_markdown(build(govkit.models.metadata), "en")
    assert "intranet (their own school — with the named scope persons:read)" in text


def test_erasure_names_real_functions() -> None:
    """The functions named exist (those of the retention job once govkit.flows.retention is there)."""
    checked = 0
    for name in ERASURE:
        if not name.startswith("govkit."):
            continue
        module, _, function = name.rpartition(".")
        if module == "govkit.flows.retention" and importlib.util.find_spec(module) is None:
            continue  # written in parallel (issue 20, part 3)
        assert callable(getattr(importlib.import_module(module), function)), name
        checked += 1
    assert checked >= 3
    for description in CATEGORIES.values():
        assert set(description.erased_by) <= set(ERASURE)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        as_json(build(govkit.models.metadata), "de")


def test_the_json_is_serialisable_and_names_every_category() -> None:
    data = json.loads(json.dumps(as_json(build(govkit.models.metadata), "fr")))
    assert [entry["id"] for entry in data["categories"]] == [c.value for c in Category]
    assert data["language"] == "fr" and data["title"].startswith("Registre")


NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4})?", fullmatch=True)
DECLARATIONS = st.one_of(
    st.none(),
    st.sampled_from(list(Category)).map(lambda c: personal(c)["info"]),
    st.just(not_personal("not about a person")["info"]),
)


@st.composite
def metadatas(draw: st.DrawFn) -> sa.MetaData:
    metadata = sa.MetaData()
    for table in draw(st.lists(NAMES, min_size=0, max_size=5, unique=True)):
        columns = draw(st.lists(st.tuples(NAMES, DECLARATIONS), min_size=1, max_size=6, unique_by=lambda c: c[0]))
        sa.Table(table, metadata, *(sa.Column(name, sa.String, info=info or {}) for name, info in columns))
    return metadata


@settings(max_examples=40, deadline=None)
@given(metadata=metadatas(), language=st.sampled_from(["fr", "en"]))
def test_markdown_and_json_list_the_same_columns_as_the_declarations(metadata: sa.MetaData, language: str) -> None:
    register = build(metadata)
    expected = declared_personal(metadata)
    assert register.columns() == expected
    assert json_columns(as_json(register, language)) == expected
    assert markdown_columns(as_markdown(register, language)) == expected
