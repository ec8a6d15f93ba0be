"""Every column of every table that concerns persons says whether it holds personal data
(govkit.privacy.declarations), so that the register of processing is complete: a new column of such
a table without a declaration fails here.

A table concerns persons when it has a foreign key to ``person`` or ``identity``, a column named like
personal data (``*_by``, ``email``, ``*_name``, ``external_id``, ``client_ip``, ``user_agent``,
``recipient``, ``subject``), or any column declared personal; every column of such a table is declared.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import govkit.models
from govkit.privacy.declarations import INFO_KEY, Category, declaration_of, not_personal, personal

PERSON_TABLES = {"person", "identity"}
#: Names of columns that hold, or may hold, a person's data wherever they are.
PERSONAL_NAMES = re.compile(r"(_by|^email|_name|^external_id|^client_ip|^user_agent|^recipient|^subject)$")


def person_related(table: sa.Table) -> list[str]:
    """Why ``table`` concerns persons (empty: it does not)."""
    reasons = [
        f"{c.name} refers to {fk.column.table.name}"
        for c in table.columns
        for fk in c.foreign_keys
        if fk.column.table.name in PERSON_TABLES
    ]
    reasons += [f"{c.name} is named like personal data" for c in table.columns if PERSONAL_NAMES.search(c.name)]
    reasons += [f"{c.name} is declared personal" for c in table.columns if (declaration_of(c) or {}).get("personal")]
    if table.name in PERSON_TABLES:
        reasons.append("it is a table of persons")
    return reasons


def undeclared(metadata: sa.MetaData) -> list[str]:
    """The columns of the person-related tables of ``metadata`` that declare nothing, or wrongly."""
    problems = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        if not person_related(table):
            continue
        for column in table.columns:
            found = declaration_of(column)
            where = f"{table.name}.{column.name}"
            if found is None:
                problems.append(f"{where}: no declaration (sa_column_kwargs=personal(...) or not_personal(...))")
            elif found.get("personal") is True:
                if found.get("category") not in {c.value for c in Category}:
                    problems.append(f"{where}: unknown category {found.get('category')!r}")
            elif found.get("personal") is False:
                if not str(found.get("why", "")).strip():
                    problems.append(f"{where}: not personal, but says not why")
            else:
                problems.append(f"{where}: {INFO_KEY} must say personal True or False")
    return problems


def test_every_column_of_a_table_concerning_persons_is_declared() -> None:
    assert undeclared(govkit.models.metadata) == []


def test_the_tables_of_persons_are_found_concerning_persons() -> None:
    tables = govkit.models.metadata.tables
    related = {name for name, table in tables.items() if person_related(table)}
    assert {
        "person",
        "person_population",
        "acknowledgement",
        "document_delivery",
        "sealed_receipt",
        "identity",
        "role_grant",
        "sign_in_link",
        "notice_message",
        "notice_schedule",
        "audit_event",
        "approval",
    } <= related
    # tables about documents alone are left out
    assert "blob" not in related and "chain_head" not in related


def test_who_recorded_approved_or_decided_is_personal_data_of_an_actor() -> None:
    by_columns = [
        (table.name, column.name, declaration_of(column))
        for table in govkit.models.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_by")
    ]
    assert len(by_columns) > 20
    wrong = [(t, c, d) for t, c, d in by_columns if d != {"personal": True, "category": "actor"}]
    assert wrong == []


def test_the_names_and_addresses_of_persons_are_personal() -> None:
    tables = govkit.models.metadata.tables
    expected = {
        ("person", "given_name"): Category.IDENTITY,
        ("person", "family_name"): Category.IDENTITY,
        ("person", "external_id"): Category.IDENTITY,
        ("person", "email"): Category.CONTACT,
        ("person", "departure_date"): Category.MEMBERSHIP,
        ("person_population", "population"): Category.MEMBERSHIP,
        ("acknowledgement", "wording"): Category.ACKNOWLEDGEMENT,
        ("acknowledgement", "client_ip"): Category.CLIENT,
        ("acknowledgement", "user_agent"): Category.CLIENT,
        ("sign_in_link", "used_from"): Category.CLIENT,
        ("sealed_receipt", "pdf"): Category.ACKNOWLEDGEMENT,
        ("notice_message", "recipient"): Category.NOTICE,
        ("notice_message", "body"): Category.NOTICE,
        ("identity", "display_name"): Category.SIGN_IN,
        ("audit_event", "subject"): Category.AUDIT,
    }
    for (table, column), category in expected.items():
        assert declaration_of(tables[table].c[column]) == {"personal": True, "category": category.value}


def test_a_missing_or_empty_declaration_is_caught() -> None:
    """The check itself: a table referring to person with an undeclared column, a table only named
    like personal data, and a table with one personal column are all checked column by column."""
    metadata = sa.MetaData()
    sa.Table("person", metadata, sa.Column("id", sa.Integer, primary_key=True, info=not_personal("id")["info"]))
    sa.Table(
        "visit",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.ForeignKey("person.id"), info=not_personal("id")["info"]),
    )
    sa.Table("note", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("written_by", sa.String))
    sa.Table(
        "card",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String, info=personal(Category.IDENTITY)["info"]),
    )
    sa.Table("blank", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("size", sa.Integer))
    sa.Table("odd", metadata, sa.Column("email", sa.String, info={INFO_KEY: {"personal": "maybe"}}))
    problems = undeclared(metadata)
    assert [p.split(":")[0] for p in problems] == [
        "card.id",
        "note.id",
        "note.written_by",
        "odd.email",
        "visit.id",
    ]


def test_the_declaration_reaches_columns_with_a_type_or_a_server_default() -> None:
    """``sa_column_kwargs`` reach the column beside ``sa_type`` and a server default merged with it."""
    tables = govkit.models.metadata.tables
    recorded_at = tables["person_population"].c.recorded_at
    assert recorded_at.server_default is not None
    assert declaration_of(recorded_at) == {"personal": False, "why": "a time of the row"}
    wording = tables["acknowledgement"].c.wording
    assert isinstance(wording.type, sa.Text)
    assert declaration_of(wording) == {"personal": True, "category": "acknowledgement"}


def test_not_personal_says_why() -> None:
    with pytest.raises(ValueError, match="say why"):
        not_personal("  ")
