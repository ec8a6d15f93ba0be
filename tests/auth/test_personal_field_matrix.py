"""Minimal exposure, field by field: every personal field of every GraphQL type that exposes persons
(govkit.privacy.exposure.PERSONAL_FIELDS) × every role, through HTTP with real tokens: the value, the
pseudonym, or null — and the whole query refused where the role may not reach the type at all."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import select

from govkit.access.roles import Role
from govkit.acknowledgements.models import Person
from govkit.auth.service import authenticate, create_token
from govkit.db import Database
from govkit.documents import service as documents
from govkit.graphql.schema import build_schema
from govkit.privacy.exposure import PERSONAL_FIELDS, PERSONS_READ_SCOPE, pseudonym
from govkit.settings import Settings
from tests.ack_helpers import acknowledge
from tests.conftest import Api

TARGET = "imt-atlantique"
OTHER = "telecom-paris"
MEMBER = "E00001"

FULL, PSEUDONYM, NULL, REFUSED = "value", "pseudonym", "null", "refused"

#: caller → (role, school, person, scopes)
CALLERS: dict[str, tuple[Role, str | None, str | None, tuple[str, ...]]] = {
    "legal": (Role.LEGAL, None, None, ()),
    "school_admin": (Role.SCHOOL_ADMIN, TARGET, None, ()),
    "school_admin_other": (Role.SCHOOL_ADMIN, OTHER, None, ()),
    "auditor": (Role.AUDITOR, None, None, ()),
    "intranet": (Role.INTRANET, TARGET, None, ()),
    "intranet_scoped": (Role.INTRANET, TARGET, None, (PERSONS_READ_SCOPE,)),
    "intranet_other_scoped": (Role.INTRANET, OTHER, None, (PERSONS_READ_SCOPE,)),
    "member": (Role.MEMBER, TARGET, MEMBER, ()),
    "member_other": (Role.MEMBER, OTHER, MEMBER, ()),
}

#: Where persons are exposed → (GraphQL type, query with @fields@ and @code@) — each a field path.
PLACES: dict[str, tuple[str, str]] = {
    "campaigns.pendingPersons": (
        "Person",
        f'{{ campaigns(school: "{TARGET}") {{ pendingPersons(first: 5) {{ edges {{ node {{ pseudonym @fields@ }} }} }} }} }}',
    ),
    "me.person": ("Person", "{ me { person { pseudonym @fields@ } } }"),
    "receipt": ("Receipt", '{ receipt(code: "@code@") { personPseudonym @fields@ } }'),
    "me.acknowledgements": ("Receipt", "{ me { acknowledgements { personPseudonym @fields@ } } }"),
}

#: What each caller gets of the personal fields at each place.
EXPECTED: dict[str, dict[str, str]] = {
    "legal": {"campaigns.pendingPersons": FULL, "me.person": REFUSED, "receipt": FULL, "me.acknowledgements": REFUSED},
    "school_admin": {
        "campaigns.pendingPersons": FULL,
        "me.person": REFUSED,
        "receipt": FULL,
        "me.acknowledgements": REFUSED,
    },
    "school_admin_other": dict.fromkeys(PLACES, REFUSED),
    "auditor": {
        "campaigns.pendingPersons": PSEUDONYM,
        "me.person": REFUSED,
        "receipt": PSEUDONYM,
        "me.acknowledgements": REFUSED,
    },
    "intranet": {**dict.fromkeys(PLACES, REFUSED), "campaigns.pendingPersons": NULL},
    "intranet_scoped": {**dict.fromkeys(PLACES, REFUSED), "campaigns.pendingPersons": FULL},
    "intranet_other_scoped": dict.fromkeys(PLACES, REFUSED),
    # a member sees themself; campaigns are staff's
    "member": {"campaigns.pendingPersons": REFUSED, "me.person": FULL, "receipt": FULL, "me.acknowledgements": FULL},
    "member_other": {
        "campaigns.pendingPersons": REFUSED,
        "me.person": FULL,  # their own record, at their own school
        "receipt": REFUSED,  # someone else's
        "me.acknowledgements": FULL,
    },
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def graphql_fields(type_name: str) -> list[str]:
    return [camel(f) for f in PERSONAL_FIELDS[type_name]]


def test_every_type_exposing_persons_is_listed() -> None:
    """A GraphQL type with a field that names a person is in PERSONAL_FIELDS, and every listed field
    exists on its type (a renamed field cannot leave the list silently)."""
    naming = re.compile(r"^(externalId|personExternalId|givenName|familyName|email|recipient)$")
    exposing = set()
    type_map = build_schema(Settings(secret_key="x" * 32))._schema.type_map
    for name, definition in type_map.items():
        fields = getattr(definition, "fields", None)
        if name.startswith("__") or not fields or name.endswith("Input"):
            continue
        if any(naming.match(f) for f in fields):
            exposing.add(name)
        if name in PERSONAL_FIELDS:
            assert set(graphql_fields(name)) <= set(fields), name
    # organisations' contacts, referents and reporting channels are the schools' published functions, and
    # checkpoints go to configured addresses: not persons of govkit
    not_persons = {"Contact", "EqualityReferent", "ReportingChannel", "CheckpointSending"}
    assert exposing - not_persons <= set(PERSONAL_FIELDS), exposing
    assert {type_name for type_name, _query in PLACES.values()} <= set(PERSONAL_FIELDS)


def test_every_place_and_caller_has_an_expectation() -> None:
    for caller, expected in EXPECTED.items():
        assert set(expected) == set(PLACES), caller
    assert set(EXPECTED) == set(CALLERS)


@pytest.fixture
def world(db: Database, settings: Settings) -> dict[str, Any]:
    """Tokens of every caller; a receipt of MEMBER at TARGET; what legal staff read as the truth."""
    tokens: dict[str, str] = {}
    for caller, (role, school, person, scopes) in CALLERS.items():
        tokens[caller], _grant = create_token(
            db=db, settings=settings, role=role, school_code=school, person_external_id=person, scopes=scopes
        )
    legal = authenticate(db=db, settings=settings, token=tokens["legal"])
    codes = {}
    for caller in ("member", "member_other"):
        member = authenticate(db=db, settings=settings, token=tokens[caller])
        school = CALLERS[caller][1] or TARGET
        in_force = documents.published_documents(db=db, actor=legal, school=school, language="fr")
        document = next(d for _org, d in in_force if d.kind == "internal")
        receipt = acknowledge(db=db, actor=member, document_version_id=document.id)
        codes[caller] = receipt.record.verification_code
    with db.reading() as session:
        persons = {p.id: p for p in session.exec(select(Person)).all()}
    return {"tokens": tokens, "code": codes["member"], "persons": persons}


def _query(place: str, code: str) -> str:
    type_name, template = PLACES[place]
    return template.replace("@fields@", " ".join(graphql_fields(type_name))).replace("@code@", code)


def _objects(place: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    if place == "campaigns.pendingPersons":
        return [e["node"] for c in data["campaigns"] for e in c["pendingPersons"]["edges"]]
    if place == "me.person":
        return [data["me"]["person"]]
    if place == "receipt":
        return [data["receipt"]]
    return list(data["me"]["acknowledgements"])


def _truth(place: str, obj: dict[str, Any], world: dict[str, Any], settings: Settings) -> tuple[Person, dict[str, Any]]:
    """The person an answer is about (found by pseudonym), and the values of its personal fields."""
    key = settings.pseudonym_secret()
    alias = obj.get("pseudonym") or obj.get("personPseudonym")
    assert alias is not None, obj
    person = next(p for p in world["persons"].values() if pseudonym(p.id, key) == alias)
    if PLACES[place][0] == "Person":
        values = {
            "externalId": person.external_id,
            "givenName": person.given_name,
            "familyName": person.family_name,
            "email": person.email,
            "entryDate": person.entry_date.isoformat() if person.entry_date else None,
            "preferredLanguage": person.preferred_language,
        }
    else:
        values = {"personExternalId": person.external_id}
    return person, values


@pytest.mark.parametrize("caller", list(CALLERS))
def test_personal_fields_by_role(api: Api, world: dict[str, Any], settings: Settings, caller: str) -> None:
    token = world["tokens"][caller]
    for place, expected in EXPECTED[caller].items():
        response = api.graphql(_query(place, world["code"]), token=token)
        body = response.json()
        assert response.status_code == 200, body
        if expected == REFUSED:
            assert body.get("errors"), (caller, place, body)
            assert not body.get("data") or all(v is None for v in body["data"].values()), (caller, place, body)
            continue
        assert not body.get("errors"), (caller, place, body["errors"])
        objects = _objects(place, body["data"])
        assert objects, (caller, place)
        fields = graphql_fields(PLACES[place][0])
        alias_field = "pseudonym" if PLACES[place][0] == "Person" else "personPseudonym"
        for obj in objects:
            if expected == NULL:
                assert all(obj[f] is None for f in [*fields, alias_field]), (caller, place, obj)
                continue
            person, values = _truth(place, obj, world, settings)
            assert re.fullmatch(r"P-[0-9a-f]{16}", obj[alias_field])
            if expected == PSEUDONYM:
                assert all(obj[f] is None for f in fields), (caller, place, obj)
            else:
                for name, value in values.items():
                    assert obj[name] == value, (caller, place, name)
                if "wording" in obj:  # the words accepted name the person
                    assert person.family_name in obj["wording"]
