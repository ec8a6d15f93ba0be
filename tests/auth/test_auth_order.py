"""Authenticate, then authorise, then validate: a caller is told nothing about their input, nor
about what exists, before they may act (issue 13).

Properties over every root field of the schema (enumerated from it, so that a new field is
covered as it is added), with argument values generated for their GraphQL types:

- anonymous, any mutation or non-public query: HTTP 401, "authenticate" and nothing else, and
  nothing written;
- an authenticated role with no right to the field's action: FORBIDDEN whatever the values.

Then the cases between: upload arguments that are not files, and callers scoped to one school
who name an unknown school or id.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

import graphql
import hypothesis_graphql
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlmodel import SQLModel

from govkit.access.policy import AUTHENTICATION_REQUIRED, POLICY, Action
from govkit.access.roles import Role
from govkit.access.scoped import MAX_ROW_ID, row_id
from govkit.db import Database
from govkit.graphql.access import public_fields
from govkit.graphql.schema import build_schema
from tests.conftest import Api, TokenFactory, make_settings

TARGET = "imt-atlantique"
SCHEMA = build_schema(make_settings())._schema
PUBLIC = public_fields(SCHEMA)
assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
MUTATIONS = sorted(SCHEMA.mutation_type.fields)
GUARDED_QUERIES = sorted(set(SCHEMA.query_type.fields) - PUBLIC)

#: Generated literals of the schema's own scalars (an Upload written in the query is a string).
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
    "JSON": st.text(max_size=20).map(nodes.String),
    "Upload": st.one_of(st.text(max_size=20).map(nodes.String), st.integers().map(nodes.Int)),
}

#: The action each guarded root field's service authorises (govkit.access.policy).
ACTIONS: dict[str, Action] = {
    "updateSchoolProfile": Action.UPDATE_PROFILE,
    "recordCommitment": Action.RECORD_COMMITMENT,
    "uploadRootTemplateVersion": Action.UPLOAD_ROOT_TEMPLATE,
    "publishRootTemplateVersion": Action.PUBLISH_ROOT_TEMPLATE,
    "renderVariants": Action.RENDER_VARIANTS,
    "publishVariant": Action.PUBLISH_VARIANT,
    "acknowledge": Action.ACKNOWLEDGE,
    "recordPaperAcknowledgement": Action.RECORD_PAPER,
    "importPersons": Action.IMPORT_PERSONS,
    "runRules": Action.RUN_RULES,
    "grantWaiver": Action.GRANT_WAIVER,
    "recordTrainingCoverage": Action.RECORD_TRAINING,
    "recordTraining": Action.RECORD_TRAINING,
    "recordSurvey": Action.RECORD_TRAINING,
    "importTraining": Action.RECORD_TRAINING,
    "importSurveys": Action.RECORD_TRAINING,
    "trainingRecords": Action.READ_TRAINING,
    "surveys": Action.READ_TRAINING,
    "revokeToken": Action.REVOKE_TOKEN,
    "rootTemplates": Action.READ_ROOT_TEMPLATES,
    "publishedDocuments": Action.READ_PUBLISHED,
    "documentHistory": Action.READ_PUBLISHED,
    "rootTemplateDiff": Action.READ_ROOT_TEMPLATES,
    "variantDiff": Action.READ_VARIANTS,
    "me": Action.READ_ME,
    "campaigns": Action.READ_CAMPAIGNS,
    "receipt": Action.READ_RECEIPTS,
    "findings": Action.READ_FINDINGS,
    "ruleRuns": Action.READ_FINDINGS,
    "barometer": Action.READ_BAROMETER,
    "auditLog": Action.READ_AUDIT,
    "tokens": Action.READ_TOKENS,
    "jobs": Action.READ_JOBS,
    "evidence": Action.EXPORT_EVIDENCE,
    "notices": Action.READ_NOTICES,
    "setNoticeSchedule": Action.SET_NOTICE_SCHEDULE,
    "noticeTemplates": Action.READ_NOTICE_TEMPLATES,
    "arrangements": Action.READ_COMMITMENTS,
    "joinArrangement": Action.JOIN_ARRANGEMENT,
    "optOutOfArrangement": Action.JOIN_ARRANGEMENT,
    "ruleParameters": Action.READ_RULE_PARAMETERS,
    "setRuleParameter": Action.SET_RULE_PARAMETER,
    "clauseLibrary": Action.READ_CLAUSE_LIBRARY,
    "addClause": Action.EDIT_CLAUSE_LIBRARY,
    "renameClause": Action.EDIT_CLAUSE_LIBRARY,
    "addRequiredClause": Action.EDIT_CLAUSE_LIBRARY,
    "removeRequiredClause": Action.EDIT_CLAUSE_LIBRARY,
    "pendingApprovals": Action.READ_APPROVALS,
    "approvals": Action.READ_APPROVALS,
    "approve": Action.DECIDE_APPROVAL,
    "refuseApproval": Action.DECIDE_APPROVAL,
    "publishRootVersion": Action.PUBLISH_ROOT_TEMPLATE,
    "renderReviewAgain": Action.PUBLISH_ROOT_TEMPLATE,
    "putReviewInForce": Action.PUBLISH_ROOT_TEMPLATE,
    "publicationReviews": Action.READ_VARIANTS,
    "publicationReview": Action.READ_VARIANTS,
    "searchClauses": Action.READ_PUBLISHED,
    "localProvisions": Action.READ_PROVISIONS,
    "pendingProvisions": Action.REVIEW_PROVISION,
    "proposeLocalProvision": Action.PROPOSE_PROVISION,
    "approveLocalProvision": Action.REVIEW_PROVISION,
    "sendBackLocalProvision": Action.REVIEW_PROVISION,
    "clauseSource": Action.READ_ROOT_TEMPLATES,
    "editClause": Action.UPLOAD_ROOT_TEMPLATE,
    "trackedChangeReviews": Action.READ_ROOT_TEMPLATES,
    "trackedChangeReview": Action.READ_ROOT_TEMPLATES,
    "acceptTrackedChanges": Action.UPLOAD_ROOT_TEMPLATE,
    "refuseTrackedChanges": Action.UPLOAD_ROOT_TEMPLATE,
    "chainCheckpoints": Action.READ_CHECKPOINTS,
    "makeChainCheckpoint": Action.MAKE_CHECKPOINT,
    # one's own data and correction requests (issue 20, part 4)
    "myCorrectionRequests": Action.READ_OWN_DATA,
    "correctionRequests": Action.READ_CORRECTIONS,
    "requestCorrection": Action.REQUEST_CORRECTION,
    "decideCorrectionRequest": Action.DECIDE_CORRECTION,
    # legal holds (issue 20)
    "legalHolds": Action.PLACE_LEGAL_HOLD,
    "placeLegalHold": Action.PLACE_LEGAL_HOLD,
    "releaseLegalHold": Action.PLACE_LEGAL_HOLD,
}

#: One caller per role, of TARGET when the role is scoped to a school.
ROLE_CALLERS: dict[Role, tuple[str, str | None, str | None]] = {
    Role.LEGAL: ("legal", None, None),
    Role.AUDITOR: ("auditor", None, None),
    Role.SCHOOL_ADMIN: ("school_admin", TARGET, None),
    Role.INTRANET: ("intranet", TARGET, None),
    Role.MEMBER: ("member", TARGET, "E00001"),
}

#: For each guarded root field, the roles with no right at all to its action.
WITHOUT_RIGHT = {
    name: sorted(role.value for role in Role if role not in POLICY[action]) for name, action in ACTIONS.items()
}

PROPERTY = settings(  # no shrinking: an example is dozens of requests, and its failure says which
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api(db: Database) -> Api:
    """The application with limits that generated operations do not reach (tokens, rate)."""
    return Api(db, make_settings(graphql_max_tokens=100_000, mutation_rate_per_minute=100_000))


def operations(kind: str, name: str) -> st.SearchStrategy[str]:
    """Operations with the root field ``name``, its arguments generated, and only ``__typename``
    (or nothing, for a scalar) selected from what it returns."""
    generate = hypothesis_graphql.mutations if kind == "mutation" else hypothesis_graphql.queries
    return generate(SCHEMA, fields=[name], custom_scalars=SCALARS, print_ast=lambda doc: _trimmed(doc, name))


def _trimmed(document: graphql.DocumentNode, name: str) -> str:
    (definition,) = document.definitions
    assert isinstance(definition, graphql.OperationDefinitionNode)
    (field,) = definition.selection_set.selections
    assert isinstance(field, graphql.FieldNode) and field.name.value == name
    root = SCHEMA.mutation_type if definition.operation.value == "mutation" else SCHEMA.query_type
    assert root is not None
    returns = graphql.get_named_type(root.fields[name].type)
    selection = None
    if not graphql.is_leaf_type(returns):
        selection = graphql.SelectionSetNode(selections=(graphql.FieldNode(name=graphql.NameNode(value="__typename")),))
    trimmed = graphql.FieldNode(name=field.name, arguments=field.arguments, directives=(), selection_set=selection)
    operation = graphql.OperationDefinitionNode(
        operation=definition.operation, selection_set=graphql.SelectionSetNode(selections=(trimmed,))
    )
    return graphql.print_ast(graphql.DocumentNode(definitions=(operation,)))


def snapshot(db: Database) -> dict[str, str]:
    """A digest of every table's rows but the audit log's."""
    digests = {}
    with db.reading() as session:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            if name == "audit_event":
                continue
            columns = [c for c in table.columns if c.name != "data"]  # blobs: their sha256 is their key
            rows = session.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
            digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def audit_outcomes_since(db: Database, since: int) -> set[str]:
    with db.reading() as session:
        return set(session.execute(sa.text("SELECT outcome FROM audit_event WHERE id > :i"), {"i": since}).scalars())


def last_audit_id(db: Database) -> int:
    with db.reading() as session:
        return session.execute(sa.text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar_one()


def test_every_guarded_root_field_has_its_action() -> None:
    guarded = set(MUTATIONS) | set(GUARDED_QUERIES)
    assert guarded == set(ACTIONS), f"root fields without an action here: {guarded - set(ACTIONS)}"
    assert {"organisations", "organisation", "documentKinds"} <= PUBLIC
    assert not PUBLIC & set(ACTIONS)


def _assert_authenticate(response: Any) -> None:
    body = response.json()
    assert response.status_code == 401, body
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert body.get("data") is None, body
    assert [e["message"] for e in body["errors"]] == [AUTHENTICATION_REQUIRED], body
    assert [e.get("extensions") for e in body["errors"]] == [{"code": "UNAUTHENTICATED"}], body
    assert not any({"locations", "path"} & set(e) for e in body["errors"]), body


GUARDED = [("mutation", n) for n in MUTATIONS] + [("query", n) for n in GUARDED_QUERIES]


def test_anonymous_is_told_to_authenticate_and_nothing_else(api: Api, db: Database) -> None:
    """Each example sends every guarded root field once, with arguments drawn for it."""
    before, audited = snapshot(db), last_audit_id(db)

    @PROPERTY
    @given(data=st.data())
    def anonymous(data: st.DataObject) -> None:
        for kind, name in GUARDED:
            _assert_authenticate(api.graphql(data.draw(operations(kind, name), label=name)))

    anonymous()
    assert snapshot(db) == before
    assert audit_outcomes_since(db, audited) == {"refused"}


def test_a_role_without_the_right_is_refused_whatever_the_values(api: Api, db: Database, token: TokenFactory) -> None:
    """Each example sends every root field that some role may not use, as one of those roles."""
    bearers = {role.value: token(*caller) for role, caller in ROLE_CALLERS.items()}
    before = snapshot(db)

    @PROPERTY
    @given(data=st.data())
    def refused(data: st.DataObject) -> None:
        for name, roles in WITHOUT_RIGHT.items():
            if not roles:
                continue
            role = data.draw(st.sampled_from(roles), label=f"{name} as")
            operation = data.draw(operations("mutation" if name in MUTATIONS else "query", name), label=name)
            response = api.graphql(operation, token=bearers[role])
            body = response.json()
            assert response.status_code == 200, (role, body)
            assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], (role, body)
            assert "may not" in body["errors"][0]["message"], (role, body)

    refused()
    assert snapshot(db) == before


# --- uploads that are not files -------------------------------------------------------------------

UPLOAD = 'mutation($file: Upload!) { uploadRootTemplateVersion(kind: "study", language: "fr", file: $file) { valid } }'
IMPORT = f'mutation($file: Upload!) {{ importPersons(school: "{TARGET}", file: $file) {{ imported }} }}'
NOT_A_FILE = "file must be an uploaded file (multipart request)."


@pytest.mark.parametrize("value", ["x", 3, {"a": 1}, ["x"]], ids=["string", "number", "object", "list"])
@pytest.mark.parametrize(
    ("query", "caller", "expected"),
    [
        (UPLOAD, ("legal", None, None), "INVALID_INPUT"),
        (UPLOAD, ("school_admin", TARGET, None), "FORBIDDEN"),
        (UPLOAD, ("member", TARGET, "E00001"), "FORBIDDEN"),
        (UPLOAD, None, "UNAUTHENTICATED"),
        (IMPORT, ("legal", None, None), "INVALID_INPUT"),
        (IMPORT, ("school_admin", TARGET, None), "INVALID_INPUT"),
        (IMPORT, ("school_admin", "telecom-paris", None), "FORBIDDEN"),
        (IMPORT, ("intranet", TARGET, None), "FORBIDDEN"),
        (IMPORT, None, "UNAUTHENTICATED"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_an_upload_argument_that_is_not_a_file(
    api: Api, token: TokenFactory, query: str, caller: tuple | None, expected: str, value: object
) -> None:
    response = api.graphql(query, {"file": value}, token=token(*caller) if caller else None)
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [expected], body
    assert response.status_code == (401 if expected == "UNAUTHENTICATED" else 200)
    if expected == "INVALID_INPUT":
        assert body["errors"][0]["message"] == NOT_A_FILE
    assert "object has no attribute" not in response.text


def test_an_upload_written_in_the_query_is_not_a_file(api: Api, token: TokenFactory) -> None:
    query = 'mutation { uploadRootTemplateVersion(kind: "study", language: "fr", file: "x") { valid } }'
    body = api.graphql(query, token=token("legal")).json()
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(NOT_A_FILE, "INVALID_INPUT")]


def test_a_multipart_upload_is_still_read(api: Api, token: TokenFactory) -> None:
    csv = b"external_id,given_name,family_name,email,populations\nX901,Ana,Test,ana@t.example,student\n"
    operations = {"query": IMPORT, "variables": {"file": None}}
    response = api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {token('school_admin', TARGET)}"},
        files={
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": ("persons.csv", csv, "text/csv"),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"importPersons": {"imported": 1}}}


# --- callers scoped to a school who name what does not exist ------------------------------------

LEGAL, ADMIN, ADMIN_OTHER = (
    ("legal", None, None),
    ("school_admin", TARGET, None),
    ("school_admin", "telecom-paris", None),
)
INTRANET, MEMBER = ("intranet", TARGET, None), ("member", TARGET, "E00001")
NOWHERE = "imt-nowhere"
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("operation", "caller", "expected"),
    [
        (f'mutation {{ updateSchoolProfile(code: "{NOWHERE}", patch: {{}}) {{ revision }} }}', ADMIN, "FORBIDDEN"),
        (f'mutation {{ updateSchoolProfile(code: "{NOWHERE}", patch: {{}}) {{ revision }} }}', LEGAL, "NOT_FOUND"),
        (
            f'mutation {{ recordCommitment(input: {{ organisation: "{NOWHERE}", type: VSS_ACTION_PLAN, '
            'status: IN_PLACE, title: "" }) { id } }',
            ADMIN,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ recordCommitment(input: {{ organisation: "{TARGET}", type: VSS_ACTION_PLAN, '
            'status: IN_PLACE, title: "" }) { id } }',
            ADMIN_OTHER,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ recordCommitment(input: {{ organisation: "{TARGET}", type: VSS_ACTION_PLAN, '
            'status: IN_PLACE, title: "" }) { id } }',
            ADMIN,
            "INVALID_INPUT",
        ),
        (f'{{ campaigns(school: "{NOWHERE}") {{ kind }} }}', INTRANET, "FORBIDDEN"),
        (f'{{ campaigns(school: "{NOWHERE}") {{ kind }} }}', LEGAL, "NOT_FOUND"),
        (f'{{ publishedDocuments(school: "{NOWHERE}", language: "xx") {{ kind }} }}', MEMBER, "FORBIDDEN"),
        (f'{{ publishedDocuments(school: "{TARGET}", language: "xx") {{ kind }} }}', MEMBER, "INVALID_INPUT"),
        (f'{{ documentHistory(school: "{NOWHERE}", kind: "x", language: "xx") {{ version }} }}', MEMBER, "FORBIDDEN"),
        (f'{{ documentHistory(school: "{NOWHERE}", kind: "x") {{ version }} }}', LEGAL, "NOT_FOUND"),
        (f'{{ documentHistory(school: "{TARGET}", kind: "x") {{ version }} }}', MEMBER, "INVALID_INPUT"),
        (f'{{ findings(school: "{NOWHERE}", severity: "x") {{ ruleId }} }}', INTRANET, "FORBIDDEN"),
        (f'{{ findings(school: "{NOWHERE}") {{ ruleId }} }}', LEGAL, "NOT_FOUND"),
        (f'{{ findings(school: "{TARGET}", severity: "x") {{ ruleId }} }}', INTRANET, "INVALID_INPUT"),
        ('mutation { publishVariant(variantId: "abc") { version } }', ADMIN, "FORBIDDEN"),
        (f'mutation {{ publishVariant(variantId: "{HUGE}") {{ version }} }}', ADMIN, "FORBIDDEN"),
        ('mutation { publishVariant(variantId: "999999") { version } }', ADMIN, "FORBIDDEN"),
        ('mutation { publishVariant(variantId: "abc") { version } }', LEGAL, "INVALID_INPUT"),
        ('mutation { publishVariant(variantId: "999999") { version } }', LEGAL, "NOT_FOUND"),
        ('{ variantDiff(variantId: "999999") { key } }', ADMIN, "FORBIDDEN"),
        ('{ variantDiff(variantId: "999999") { key } }', LEGAL, "NOT_FOUND"),
        (
            f'mutation {{ publishRootTemplateVersion(versionId: "{HUGE}", changeKind: "x", changelog: "") '
            "{ status } }",
            MEMBER,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ publishRootTemplateVersion(versionId: "{HUGE}", changeKind: "x", changelog: "") '
            "{ status } }",
            LEGAL,
            "INVALID_INPUT",
        ),
        (f'{{ rootTemplateDiff(fromVersionId: "{HUGE}", toVersionId: "1") {{ key }} }}', LEGAL, "INVALID_INPUT"),
        (
            'mutation { acknowledge(documentVersionId: "abc", documentSha256: "x", language: "xx") { id } }',
            MEMBER,
            "FORBIDDEN",
        ),
        ('mutation { acknowledge(documentVersionId: "999999", documentSha256: "x") { id } }', MEMBER, "FORBIDDEN"),
        ('mutation { acknowledge(documentVersionId: "abc", documentSha256: "x") { id } }', ADMIN, "FORBIDDEN"),
        (
            f'mutation {{ recordPaperAcknowledgement(school: "{NOWHERE}", personExternalId: "x", '
            'documentVersionId: "abc", reason: "") { id } }',
            ADMIN,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ recordPaperAcknowledgement(school: "{TARGET}", personExternalId: "x", '
            'documentVersionId: "999999", reason: "Visa papier signé à l\'accueil") { id } }',
            ADMIN,
            "NOT_FOUND",  # no person "x" at the caller's own school: theirs to know
        ),
        (
            f'mutation {{ recordPaperAcknowledgement(school: "{TARGET}", personExternalId: "E00002", '
            'documentVersionId: "999999", reason: "Visa papier signé à l\'accueil") { id } }',
            ADMIN,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ recordTrainingCoverage(school: "{NOWHERE}", year: 1, population: "x", trained: -1, '
            "total: 0) }",
            ADMIN,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ recordTrainingCoverage(school: "{TARGET}", year: 1, population: "x", trained: -1, '
            "total: 0) }",
            ADMIN,
            "INVALID_INPUT",
        ),
        ("{ barometer(year: 1) { year } }", MEMBER, "FORBIDDEN"),
        (f'{{ evidence(school: "{NOWHERE}", person: "x", date: "2025-01-01") {{ date }} }}', ADMIN, "FORBIDDEN"),
        (f'{{ evidence(school: "{NOWHERE}", person: "x", date: "2025-01-01") {{ date }} }}', LEGAL, "NOT_FOUND"),
        (f'{{ evidence(school: "{TARGET}", person: "x", date: "2025-01-01") {{ date }} }}', ADMIN, "NOT_FOUND"),
        (f'{{ evidence(school: "{TARGET}", person: "x", date: "2025-01-01") {{ date }} }}', ADMIN_OTHER, "FORBIDDEN"),
        (
            f'{{ evidence(school: "{TARGET}", person: "E00001", date: "2999-01-01") {{ date }} }}',
            ADMIN,
            "INVALID_INPUT",
        ),
        ('{ receipt(code: "x") { id } }', INTRANET, "FORBIDDEN"),
        ('{ receipt(code: "x") { id } }', MEMBER, "NOT_FOUND"),
        # correction requests (issue 20, part 4): an unknown request is another school's to its administration
        ('mutation { decideCorrectionRequest(requestId: "999999", done: true) { id } }', ADMIN, "FORBIDDEN"),
        (f'mutation {{ decideCorrectionRequest(requestId: "{HUGE}", done: true) {{ id }} }}', ADMIN, "FORBIDDEN"),
        ('mutation { decideCorrectionRequest(requestId: "abc", done: true) { id } }', LEGAL, "FORBIDDEN"),
        (
            'mutation { requestCorrection(section: "nowhere", field: "", requestedText: "") { id } }',
            MEMBER,
            "INVALID_INPUT",
        ),
        ('{ correctionRequests(status: "maybe") { id } }', MEMBER, "FORBIDDEN"),
        ('{ correctionRequests(status: "maybe") { id } }', ADMIN, "INVALID_INPUT"),
        # legal holds (issue 20): refused before the person or the hold named is looked for
        (
            f'mutation {{ placeLegalHold(school: "{NOWHERE}", personExternalId: "x", reason: "") {{ id }} }}',
            ADMIN,
            "FORBIDDEN",
        ),
        (
            f'mutation {{ placeLegalHold(school: "{NOWHERE}", personExternalId: "x", reason: "Dossier 2026-12") {{ id }} }}',
            LEGAL,
            "NOT_FOUND",
        ),
        (
            f'mutation {{ placeLegalHold(school: "{TARGET}", personExternalId: "E00001", reason: "x") {{ id }} }}',
            LEGAL,
            "INVALID_INPUT",
        ),
        (f'mutation {{ releaseLegalHold(id: "{HUGE}") {{ id }} }}', MEMBER, "FORBIDDEN"),
        (f'mutation {{ releaseLegalHold(id: "{HUGE}") {{ id }} }}', LEGAL, "INVALID_INPUT"),
        ('mutation { releaseLegalHold(id: "999999") { id } }', LEGAL, "NOT_FOUND"),
    ],
)
def test_what_a_caller_is_told_about_what_they_name(
    api: Api, token: TokenFactory, operation: str, caller: tuple, expected: str
) -> None:
    response = api.graphql(operation, token=token(*caller))
    body = response.json()
    assert response.status_code == 200, body
    assert [e["extensions"]["code"] for e in body["errors"]] == [expected], body
    if expected == "FORBIDDEN":
        assert "may not" in body["errors"][0]["message"], body
        assert NOWHERE not in response.text and "Known codes" not in response.text


def test_anonymous_queries_of_public_fields_are_answered(api: Api) -> None:
    body = api.data(f'{{ organisations {{ code }} organisation(code: "{TARGET}") {{ code }} documentKinds {{ key }} }}')
    assert body["organisation"] == {"code": TARGET}


def test_a_guarded_field_behind_a_fragment_is_still_refused(api: Api) -> None:
    _assert_authenticate(api.graphql("query { ...F } fragment F on Query { me { person { externalId } } }"))
    _assert_authenticate(api.graphql("query { organisations { code } ... on Query { barometer(year: 1) { year } } }"))


def test_an_invalid_operation_may_be_refused_before_identity(api: Api) -> None:
    response = api.graphql("mutation { noSuchField }")
    assert response.status_code in (200, 400)
    assert response.json()["errors"][0].get("extensions", {}).get("code") != "UNAUTHENTICATED"


def test_the_refusal_is_audited(api: Api, db: Database) -> None:
    since = last_audit_id(db)
    api.graphql('mutation { publishVariant(variantId: "1") { version } }')
    with db.reading() as session:
        rows = session.execute(sa.text("SELECT action, outcome FROM audit_event WHERE id > :i"), {"i": since}).all()
    assert [tuple(r) for r in rows] == [("mutation.publishVariant", "refused")]


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.integers(), st.text(max_size=12), st.integers().map(str)))
def test_an_id_names_a_row_only_when_it_is_a_whole_number_in_range(value: int | str) -> None:
    found = row_id(value)
    if found is None:
        return
    assert 1 <= found <= MAX_ROW_ID
    assert found == (value if isinstance(value, int) else int(value.strip()))
    assert isinstance(value, int) or value.strip().isdigit()


@pytest.mark.parametrize(
    "path",
    [
        "/documents/" + "0" * 64,
        "/documents/not-a-hash",
        "/receipts/ZZZZ-ZZZZ.json",
        "/receipts/ZZZZ-ZZZZ.docx",
        "/receipts/ZZZZ-ZZZZ.pdf",
        "/receipts/a.b.exe",
    ],
)
def test_anonymous_callers_of_plain_routes_are_told_to_authenticate(api: Api, path: str) -> None:
    response = api.request("GET", path)
    assert response.status_code == 401, (path, response.text)
    assert response.json()["detail"] == AUTHENTICATION_REQUIRED
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/privacy", "/privacy?lang=en", "/privacy.json", "/privacy.json?lang=en"])
def test_public_plain_routes_answer_anonymous_callers(api: Api, token: TokenFactory, path: str) -> None:
    """The register of processing (issue 20) is public: anonymous callers and every role get the same."""
    anonymous = api.request("GET", path)
    assert anonymous.status_code == 200, (path, anonymous.text)
    for value in (token("intranet", TARGET), token("legal")):
        signed = api.request("GET", path, headers={"Authorization": f"Bearer {value}"})
        assert (signed.status_code, signed.content) == (200, anonymous.content)
