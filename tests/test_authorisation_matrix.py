"""Every entry point × every role, through HTTP: deny by default, scoped to one's organisation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from govkit.graphql.schema import Mutation, Query
from tests.conftest import Api, TokenFactory

TARGET = "imt-atlantique"
OTHER = "telecom-paris"

#: caller name → (role, school, person)
CALLERS: dict[str, tuple[str, str | None, str | None] | None] = {
    "anonymous": None,
    "legal": ("legal", None, None),
    "auditor": ("auditor", None, None),
    "school_admin": ("school_admin", TARGET, None),
    "school_admin_other": ("school_admin", OTHER, None),
    "intranet": ("intranet", TARGET, None),
    "intranet_other": ("intranet", OTHER, None),
    "member": ("member", TARGET, "E00001"),
    "member_other": ("member", OTHER, "E00001"),
}

OK, UNAUTH, FORBID = "ok", "unauthenticated", "forbidden"


@dataclass(frozen=True)
class EntryPoint:
    name: str  # root field of Query or Mutation, or Type.field for guarded nested fields
    document: str
    expected: dict[str, str]


def _readers() -> dict[str, str]:
    return {
        "anonymous": UNAUTH,
        "legal": OK,
        "auditor": OK,
        "school_admin": OK,
        "school_admin_other": FORBID,
        "intranet": OK,
        "intranet_other": FORBID,
        "member": OK,
        "member_other": FORBID,
    }


def _writers() -> dict[str, str]:
    return {
        "anonymous": UNAUTH,
        "legal": OK,
        "auditor": FORBID,
        "school_admin": OK,
        "school_admin_other": FORBID,
        "intranet": FORBID,
        "intranet_other": FORBID,
        "member": FORBID,
        "member_other": FORBID,
    }


PUBLIC = dict.fromkeys(CALLERS, OK)

ENTRY_POINTS = [
    EntryPoint("organisations", "{ organisations { code name type campuses { code } } }", PUBLIC),
    EntryPoint("organisation", f'{{ organisation(code: "{TARGET}") {{ code parent {{ code }} }} }}', PUBLIC),
    EntryPoint(
        "Organisation.profile",
        f'{{ organisation(code: "{TARGET}") {{ profile {{ revision }} }} }}',
        _readers(),
    ),
    EntryPoint(
        "Organisation.commitments",
        f'{{ organisation(code: "{TARGET}") {{ commitments {{ id }} }} }}',
        _readers(),
    ),
    EntryPoint(
        "Organisation.commitmentHistory",
        f'{{ organisation(code: "{TARGET}") {{ commitmentHistory {{ id }} }} }}',
        _readers(),
    ),
    EntryPoint(
        "updateSchoolProfile",
        f'mutation {{ updateSchoolProfile(code: "{TARGET}", patch: {{ address: {{ city: "Brest" }} }}) '
        "{ revision } }",
        _writers(),
    ),
    EntryPoint(
        "recordCommitment",
        f'mutation {{ recordCommitment(input: {{ organisation: "{TARGET}", type: VSS_ACTION_PLAN, '
        'status: IN_PLACE, title: "Plan d\'action VSS", effectiveOn: "2021-11-30" }) { id } }',
        _writers(),
    ),
]


def test_matrix_covers_every_root_field() -> None:
    roots = {f.python_name for f in Query.__strawberry_definition__.fields} | {
        f.python_name for f in Mutation.__strawberry_definition__.fields
    }
    camel = {n.split("_")[0] + "".join(w.title() for w in n.split("_")[1:]) for n in roots}
    covered = {e.name for e in ENTRY_POINTS if "." not in e.name}
    assert camel == covered, f"entry points without an authorisation matrix row: {camel - covered}"


def test_matrix_rows_name_every_caller() -> None:
    for entry in ENTRY_POINTS:
        assert set(entry.expected) == set(CALLERS), entry.name


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.name)
def test_authorisation(api: Api, token: TokenFactory, entry: EntryPoint) -> None:
    tokens = {name: token(*spec) if spec else None for name, spec in CALLERS.items()}
    for caller, expected in entry.expected.items():
        response = api.graphql(entry.document, token=tokens[caller])
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        if expected == OK:
            assert response.status_code == 200 and not codes, (caller, body)
        elif expected == UNAUTH:
            assert response.status_code == 401 and codes == ["UNAUTHENTICATED"], (caller, body)
        else:
            assert response.status_code == 200 and codes == ["FORBIDDEN"], (caller, body)
            assert "may not" in body["errors"][0]["message"]


def test_refused_write_changes_nothing(api: Api, token: TokenFactory) -> None:
    query = f'{{ organisation(code: "{TARGET}") {{ profile {{ revision address {{ city }} }} commitmentHistory {{ id }} }} }}'
    before = api.data(query, token=token("auditor"))
    for caller in ("school_admin_other", "intranet", "member", "auditor"):
        spec = CALLERS[caller]
        assert spec is not None
        for entry in ENTRY_POINTS[-2:]:
            api.graphql(entry.document, token=token(*spec))
    assert api.data(query, token=token("auditor")) == before
