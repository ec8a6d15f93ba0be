"""CSV exports open in a spreadsheet as data: no text cell starts a formula, and the text is kept."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from govkit.acknowledgements import service as acks
from govkit.acknowledgements.models import Person
from govkit.csvsafe import FORMULA_STARTS, csv_writer, original_cell
from govkit.db import Database
from tests.ack_helpers import admin
from tests.conftest import Api, TokenFactory

GOVKIT = Path(__file__).resolve().parents[2] / "govkit"
SCHOOL = "mines-saint-etienne"
HOSTILE = "=cmd|'/C calc'!A0"
HEADER = "external_id;given_name;family_name;email;populations\n"
WRITERS = ("writer", "DictWriter")

# text that begins with what the rule looks at (quotes, formula characters) more often than chance would
cell_text = st.one_of(
    st.text(),
    st.builds(
        lambda quotes, start, rest: quotes + start + rest,
        st.sampled_from(["", "'", "''"]),
        st.sampled_from(sorted(FORMULA_STARTS | {"'", "a", " "})),
        st.text(max_size=20),
    ),
)


def written(rows: list[list[object]]) -> list[list[str]]:
    buffer = io.StringIO(newline="")
    writer = csv_writer(buffer)
    writer.writerows(rows)
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=1, max_size=6), min_size=1, max_size=5))
def test_no_written_cell_starts_a_formula_and_the_text_is_recoverable(rows: list[list[str]]) -> None:
    read = written(rows)  # type: ignore[arg-type]
    assert len(read) == len(rows)
    for original, cells in zip(rows, read, strict=True):
        assert [original_cell(c) for c in cells] == original
        for text, cell in zip(original, cells, strict=True):
            assert not cell or cell[0] not in FORMULA_STARTS, cell
            assert cell in (text, "'" + text)  # at most one quote, in front, nothing else changed


def test_known_payloads_are_neutralised_and_numbers_stay_numbers() -> None:
    payloads = [HOSTILE, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\uff1d1+1", "'=1+1"]
    (cells,) = written([payloads])
    assert cells == ["'" + p for p in payloads]
    (plain,) = written([["Durand", "O'Neil", "'t Hooft", "", -0.25, 3]])
    assert plain == ["Durand", "O'Neil", "'t Hooft", "", "-0.25", "3"]


def test_every_csv_writer_of_govkit_is_the_safe_one() -> None:
    """The class, not the two exports of today: no module writes CSV with the csv module's writers."""
    offenders = []
    for path in GOVKIT.rglob("*.py"):
        if path.name == "csvsafe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            uses = (
                isinstance(node, ast.Attribute)
                and node.attr in WRITERS
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            )
            imports = (
                isinstance(node, ast.ImportFrom)
                and node.module == "csv"
                and any(alias.name in WRITERS for alias in node.names)
            )
            if uses or imports:
                offenders.append(f"{path.relative_to(GOVKIT)}:{node.lineno}")
    assert not offenders, f"write CSV with govkit.csvsafe.csv_writer: {offenders}"


def test_a_hostile_name_is_imported_as_is_and_exported_neutralised(db: Database, api: Api, token: TokenFactory) -> None:
    rows = (
        HEADER
        + f"N900;@SUM(1+1);{HOSTILE};=calc@mines-stetienne.example;student\n"
        + "N901;Anne;-Marie;anne@mines-stetienne.example;student\n"
    )
    admin_token = token("school_admin", SCHOOL)
    query = (
        f'mutation($f: Upload!) {{ importPersons(school: "{SCHOOL}", file: $f) '
        "{ imported created errors { line message } } }"
    )
    imported = api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {admin_token}"},
        files={
            "operations": (None, json.dumps({"query": query, "variables": {"f": None}}), "application/json"),
            "map": (None, json.dumps({"0": ["variables.f"]}), "application/json"),
            "0": ("persons.csv", rows.encode(), "text/csv"),
        },
    )
    # real data: the import takes such names as they are
    assert imported.json()["data"]["importPersons"] == {"imported": True, "created": 2, "errors": []}
    with db.reading() as session:
        stored = session.exec(select(Person).where(Person.external_id == "N900")).one()
        assert (stored.family_name, stored.given_name) == (HOSTILE, "@SUM(1+1)")
    campaign = next(
        s.campaign
        for s in acks.campaigns(db=db, actor=admin(db, SCHOOL), school=SCHOOL)
        if s.campaign.kind == "internal"
    )
    response = api.request(
        "GET",
        f"/ui/schools/{SCHOOL}/campaigns/{campaign.id}/pending.csv",
        headers={"Cookie": f"govkit_session={admin_token}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    exported = {row[0]: row for row in csv.reader(io.StringIO(response.text, newline=""))}
    assert exported["external_id"][:4] == ["external_id", "family_name", "given_name", "email"]
    assert exported["N900"][1:4] == [f"'{HOSTILE}", "'@SUM(1+1)", "'=calc@mines-stetienne.example"]
    assert exported["N901"][1:3] == ["'-Marie", "Anne"]
    assert f",'{HOSTILE}," in response.text
    for row in exported.values():
        assert all(not cell or cell[0] not in FORMULA_STARTS for cell in row), row
