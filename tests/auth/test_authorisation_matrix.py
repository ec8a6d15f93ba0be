"""Every entry point × every role, through HTTP: deny by default, scoped to one's organisation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from govkit.access.roles import SYSTEM, Role
from govkit.auth.service import authenticate, create_token
from govkit.composition import render_pool
from govkit.db import Database
from govkit.documents import service as documents
from govkit.graphql.schema import Mutation, Query
from govkit.organisations import service as organisations
from govkit.organisations.vocabulary import ArrangementHow, CommitmentStatus, CommitmentType
from govkit.privacy import corrections
from govkit.settings import Settings
from tests.ack_helpers import acknowledge
from tests.conftest import Api, TokenFactory
from tests.docx_factory import minimal_docx

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

OK, UNAUTH, FORBID, HIDDEN = "ok", "unauthenticated", "forbidden", "not_found"


@dataclass(frozen=True)
class EntryPoint:
    name: str  # root field of Query or Mutation, or Type.field for guarded nested fields
    document: str  # may use @version@, @version2@ and @variant@: ids made by the fixture
    expected: dict[str, str]
    upload: bool = field(default=False)
    upload_name: str = "t.docx"


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


def _only(*allowed: str) -> dict[str, str]:
    return {c: OK if c in allowed else UNAUTH if c == "anonymous" else FORBID for c in CALLERS}


ROOT_READERS = _only("legal", "auditor", "school_admin", "school_admin_other")

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
    EntryPoint("documentKinds", "{ documentKinds { key requiredClauses { key } } }", PUBLIC),
    EntryPoint("rootTemplates", "{ rootTemplates { kind versions { number } } }", ROOT_READERS),
    EntryPoint(
        "rootTemplateDiff",
        '{ rootTemplateDiff(fromVersionId: "@version@", toVersionId: "@version2@") { key } }',
        ROOT_READERS,
    ),
    EntryPoint("publishedDocuments", f'{{ publishedDocuments(school: "{TARGET}") {{ kind sha256 }} }}', _readers()),
    EntryPoint(
        "documentHistory",
        f'{{ documentHistory(school: "{TARGET}", kind: "internal") {{ version effectiveTo }} }}',
        _readers(),
    ),
    EntryPoint(
        "variantDiff",
        '{ variantDiff(variantId: "@variant@") { key } }',
        _only("legal", "auditor", "school_admin"),
    ),
    EntryPoint(
        "uploadRootTemplateVersion",
        'mutation($file: Upload!) { uploadRootTemplateVersion(kind: "study", language: "fr", file: $file) { valid } }',
        _only("legal"),
        upload=True,
    ),
    EntryPoint(
        "publishRootTemplateVersion",
        'mutation { publishRootTemplateVersion(versionId: "@version2@", changeKind: "editorial", '
        'changelog: "Relecture") { status } }',
        _only("legal"),
    ),
    EntryPoint(
        "renderVariants",
        f'mutation {{ renderVariants(kind: "internal", language: "fr", schools: ["{TARGET}"]) {{ rendered }} }}',
        _only("legal", "school_admin"),
    ),
    EntryPoint(
        "publishVariant",
        'mutation { publishVariant(variantId: "@variant@") { version } }',
        _only("legal", "school_admin"),
    ),
    EntryPoint("me", "{ me { person { externalId } pendingDocuments { wording } } }", _only("member", "member_other")),
    EntryPoint(
        "campaigns",
        f'{{ campaigns(school: "{TARGET}") {{ kind concerned pendingPersons(first: 2) {{ totalCount }} }} }}',
        _only("legal", "auditor", "school_admin", "intranet"),
    ),
    EntryPoint(
        "receipt",
        '{ receipt(code: "@code@") { verificationCode } }',
        {
            **_only("legal", "auditor", "school_admin", "member"),
            # intranets may read no receipt at all: refused before the code is looked up
            **dict.fromkeys(("school_admin_other", "member_other"), HIDDEN),
        },
    ),
    EntryPoint(
        "acknowledge",
        'mutation { acknowledge(documentVersionId: "@document@", documentSha256: "@sha@") { verificationCode } }',
        _only("member"),
    ),
    EntryPoint(
        "recordPaperAcknowledgement",
        f'mutation {{ recordPaperAcknowledgement(school: "{TARGET}", personExternalId: "E00002", '
        'documentVersionId: "@document@", reason: "Visa papier signé à l\'accueil") { method } }',
        _only("school_admin"),
    ),
    EntryPoint(
        "findings",
        f'{{ findings(school: "{TARGET}") {{ ruleId }} }}',
        _only("legal", "auditor", "school_admin", "intranet"),
    ),
    EntryPoint(
        "barometer",
        "{ barometer(year: 2022) { year schools { school } } }",
        _only("legal", "auditor", "school_admin", "school_admin_other", "intranet", "intranet_other"),
    ),
    EntryPoint("runRules", "mutation { runRules { id } }", _only("legal")),
    EntryPoint("ruleRuns", "{ ruleRuns { id basis asOf } }", _only("legal", "auditor")),
    EntryPoint(
        "ruleParameters",
        '{ ruleParameters(ruleId: "network.referent-meetings") { name value } }',
        _only("legal", "auditor", "school_admin", "school_admin_other", "intranet", "intranet_other"),
    ),
    EntryPoint(
        "setRuleParameter",
        'mutation { setRuleParameter(ruleId: "network.referent-meetings", name: "per_year", value: 3, '
        'validFrom: "2023-01-01", source: { default: "quarterly meetings decided" }, '
        'reason: "Décision du comité de groupe") { value } }',
        _only("legal"),
    ),
    EntryPoint(
        "clauseLibrary",
        '{ clauseLibrary(asOf: "2026-01-01") { clauses { key } kinds { kind requiredClauses } } }',
        _only("legal", "auditor", "school_admin", "school_admin_other"),
    ),
    EntryPoint(
        "addClause",
        'mutation { addClause(key: "vss.matrix", titleFr: "Matrice", titleEn: "Matrix", '
        'reason: "Décision du comité juridique") { key } }',
        _only("legal"),
    ),
    EntryPoint(
        "renameClause",
        'mutation { renameClause(key: "vss.online", titleFr: "Cyberviolences", titleEn: "Cyber-violence", '
        'reason: "Décision du comité juridique") { key } }',
        _only("legal"),
    ),
    EntryPoint(
        "addRequiredClause",
        'mutation { addRequiredClause(kind: "study", clause: "vss.online", from: "2026-09-01", '
        'reason: "Décision du comité juridique") { applied { clause } approval { id } } }',
        _only("legal"),
    ),
    EntryPoint(
        "removeRequiredClause",
        'mutation { removeRequiredClause(kind: "study", clause: "vss.sanctions", from: "2026-09-01", '
        'reason: "Décision du comité juridique") { applied { clause } approval { id } } }',
        _only("legal"),
    ),
    EntryPoint(
        "arrangements", f'{{ arrangements(school: "{TARGET}") {{ title members {{ organisation }} }} }}', _readers()
    ),
    EntryPoint(
        "joinArrangement",
        f'mutation {{ joinArrangement(commitmentId: "@arrangement@", school: "{TARGET}", validFrom: "2023-01-01") '
        "{ role } }",
        _writers(),
    ),
    EntryPoint(
        "optOutOfArrangement",
        f'mutation {{ optOutOfArrangement(commitmentId: "@arrangement@", school: "{TARGET}", validFrom: "2024-01-01", '
        'reason: "Plateforme propre retenue") { role } }',
        _writers(),
    ),
    EntryPoint("auditLog", "{ auditLog(first: 5) { entries { action } } }", _only("legal", "auditor")),
    EntryPoint(
        "grantWaiver",
        f'mutation {{ grantWaiver(ruleId: "listening.cell", school: "{TARGET}", reason: "Revue annuelle en cours", '
        f'expiresOn: "{(__import__("datetime").datetime.now(__import__("datetime").UTC).date() + __import__("datetime").timedelta(days=30)).isoformat()}") '
        "{ waiver { id } approval { id } } }",
        _only("legal"),
    ),
    EntryPoint(
        "recordTrainingCoverage",
        f'mutation {{ recordTrainingCoverage(school: "{TARGET}", year: 2025, population: "student", trained: 90, '
        "total: 100) }",
        _only("legal", "school_admin"),
    ),
    EntryPoint(
        "recordTraining",
        f'mutation {{ recordTraining(school: "{TARGET}", academicYear: 2022, audience: STAFF, training: "x", '
        'title: "Sensibilisation") { id } }',
        _only("legal", "school_admin"),
    ),
    EntryPoint(
        "recordSurvey",
        f'mutation {{ recordSurvey(school: "{TARGET}", year: 2022, title: "Enquête", audience: STUDENTS, '
        "status: PLANNED) { id } }",
        _only("legal", "school_admin"),
    ),
    EntryPoint(
        "importTraining",
        f'mutation($file: Upload!) {{ importTraining(school: "{TARGET}", file: $file) {{ created }} }}',
        _only("legal", "school_admin"),
        upload=True,
        upload_name="training.csv",
    ),
    EntryPoint(
        "importSurveys",
        f'mutation($file: Upload!) {{ importSurveys(school: "{TARGET}", file: $file) {{ created }} }}',
        _only("legal", "school_admin"),
        upload=True,
        upload_name="surveys.csv",
    ),
    EntryPoint(
        "trainingRecords",
        f'{{ trainingRecords(school: "{TARGET}") {{ id }} }}',
        _only("legal", "auditor", "school_admin", "intranet"),
    ),
    EntryPoint(
        "surveys",
        f'{{ surveys(school: "{TARGET}") {{ id }} }}',
        _only("legal", "auditor", "school_admin", "intranet"),
    ),
    EntryPoint(
        "importPersons",
        f'mutation($file: Upload!) {{ importPersons(school: "{TARGET}", file: $file) {{ imported errors {{ line }} }} }}',
        _only("legal", "school_admin"),
        upload=True,
        upload_name="persons.csv",
    ),
    EntryPoint("tokens", "{ tokens { id role school } }", _only("legal")),
    EntryPoint("revokeToken", 'mutation { revokeToken(id: "@grant@") { alreadyRevoked } }', _only("legal")),
    # background jobs name schools and documents of the whole group: head office's legal staff only
    EntryPoint("jobs", "{ jobs(first: 5) { id task status failureReason } }", _only("legal")),
    # the clause search: whoever reads a school's documents searches them (issue 19, helper 4)
    EntryPoint(
        "searchClauses",
        f'{{ searchClauses(query: "cellule", school: "{TARGET}", first: 3) {{ clauseKey url }} }}',
        _readers(),
    ),
    EntryPoint(
        "evidence",
        f'{{ evidence(school: "{TARGET}", person: "E00001", date: "2025-01-01") {{ school kinds {{ standing }} }} }}',
        _only("legal", "school_admin"),
    ),
    EntryPoint(
        "notices",
        f'{{ notices(school: "{TARGET}") {{ counts {{ failed }} nodes {{ smtpAnswer }} }} }}',
        _only("legal", "school_admin"),
    ),
    EntryPoint(
        "setNoticeSchedule",
        f'mutation {{ setNoticeSchedule(school: "{TARGET}", reminderDays: [7, 14]) {{ reminderDays }} }}',
        _only("legal", "school_admin"),
    ),
    EntryPoint("noticeTemplates", "{ noticeTemplates { name } }", _only("legal")),
    EntryPoint(
        "chainCheckpoints", "{ chainCheckpoints { id headHash sendings { recipient } } }", _only("legal", "auditor")
    ),
    EntryPoint("makeChainCheckpoint", "mutation { makeChainCheckpoint { id recordCount } }", _only("legal", "auditor")),
    # four eyes and publication reviews ("x": no such id, INVALID_INPUT once authorised)
    EntryPoint("pendingApprovals", "{ pendingApprovals { id } }", _only("legal", "auditor")),
    EntryPoint("approvals", '{ approvals(target: "root_template_version:1") { id } }', _only("legal", "auditor")),
    EntryPoint("approve", 'mutation { approve(approvalId: "x") { id } }', _only("legal")),
    EntryPoint(
        "refuseApproval", 'mutation { refuseApproval(approvalId: "x", comment: "Non.") { id } }', _only("legal")
    ),
    EntryPoint(
        "publishRootVersion",
        'mutation { publishRootVersion(versionId: "x", changeKind: "editorial", changelog: "Relecture") { status } }',
        _only("legal"),
    ),
    EntryPoint("publicationReviews", "{ publicationReviews { id } }", ROOT_READERS),
    EntryPoint("publicationReview", '{ publicationReview(id: "x") { id } }', _only("legal", "auditor")),
    EntryPoint("renderReviewAgain", 'mutation { renderReviewAgain(reviewId: "x") { id } }', _only("legal")),
    # local provisions (issue 19): the school's administration proposes, legal staff decide
    EntryPoint("provisionPlaces", '{ provisionPlaces(kind: "internal") { key } }', PUBLIC),
    EntryPoint(
        "localProvisions",
        f'{{ localProvisions(school: "{TARGET}") {{ place {{ key }} status }} }}',
        _only("legal", "auditor", "school_admin"),
    ),
    EntryPoint("pendingProvisions", "{ pendingProvisions { place { key } } }", _only("legal")),
    EntryPoint(
        "proposeLocalProvision",
        f'mutation {{ proposeLocalProvision(school: "{TARGET}", kind: "internal", place: "campus_access", '
        'textFr: "Badge obligatoire.", textEn: "Badge required.") { id } }',
        _only("school_admin"),
    ),
    EntryPoint("approveLocalProvision", 'mutation { approveLocalProvision(revisionId: "x") { id } }', _only("legal")),
    EntryPoint(
        "sendBackLocalProvision",
        'mutation { sendBackLocalProvision(revisionId: "x", comment: "Préciser.") { id } }',
        _only("legal"),
    ),
    # clause edits and tracked changes (issue 19): root templates are legal staff's to change
    EntryPoint(
        "clauseSource",
        '{ clauseSource(kind: "internal", language: "fr", key: "vss.inquiry") { title } }',
        ROOT_READERS,
    ),
    EntryPoint(
        "editClause",
        'mutation { editClause(kind: "internal", language: "fr", key: "vss.inquiry", text: "**Enquête** interne.") '
        "{ valid } }",
        _only("legal"),
    ),
    EntryPoint(
        "trackedChangeReviews",
        '{ trackedChangeReviews(kind: "internal", language: "fr") { id } }',
        ROOT_READERS,
    ),
    EntryPoint("trackedChangeReview", '{ trackedChangeReview(id: "x") { id } }', ROOT_READERS),
    EntryPoint("acceptTrackedChanges", 'mutation { acceptTrackedChanges(reviewId: "x") { valid } }', _only("legal")),
    EntryPoint(
        "refuseTrackedChanges",
        'mutation { refuseTrackedChanges(reviewId: "x", reason: "Non.") { id } }',
        _only("legal"),
    ),
    EntryPoint(
        "putReviewInForce",
        'mutation { putReviewInForce(reviewId: "x", effectiveFrom: "2030-01-01") { id } }',
        _only("legal"),
    ),
    # one's own data and correction requests (issue 20, part 4): the member asks, the administration of
    # their school decides, legal staff read every school's requests
    EntryPoint("Me.myData", "{ me { myData } }", _only("member", "member_other")),
    EntryPoint("myCorrectionRequests", "{ myCorrectionRequests { id status } }", _only("member", "member_other")),
    EntryPoint(
        "correctionRequests",
        "{ correctionRequests { id requester { externalId } } }",
        _only("legal", "school_admin", "school_admin_other"),
    ),
    EntryPoint(
        "requestCorrection",
        'mutation { requestCorrection(section: "other", field: "Nom", requestedText: "Dupont") { id } }',
        _only("member", "member_other"),
    ),
    EntryPoint(
        "decideCorrectionRequest",
        'mutation { decideCorrectionRequest(requestId: "@correction@", done: false, decisionNote: "") { id } }',
        _only("school_admin"),
    ),
    # legal holds (issue 20): legal staff only suspend the erasure of named persons
    EntryPoint("legalHolds", "{ legalHolds(includeReleased: true) { id reason } }", _only("legal")),
    EntryPoint(
        "placeLegalHold",
        f'mutation {{ placeLegalHold(school: "{TARGET}", personExternalId: "E00002", '
        'reason: "Dossier disciplinaire 12") { id } }',
        _only("legal"),
    ),
    EntryPoint("releaseLegalHold", 'mutation { releaseLegalHold(id: "x") { id } }', _only("legal")),
]


@pytest.fixture
def ids(db: Database, settings: Settings) -> dict[str, str]:
    """A published root template (two versions) and a variant of TARGET, in the test transaction."""
    pool = render_pool(settings)
    first = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=pool,
        kind="internal",
        language="fr",
        filename="a.docx",
        data=minimal_docx(body="Version A.", extra_clause="vss.inquiry"),
        max_bytes=10**7,
    )
    second = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=pool,
        kind="internal",
        language="fr",
        filename="b.docx",
        data=minimal_docx(body="Version B.", extra_clause="vss.inquiry"),
        max_bytes=10**7,
    )
    assert first.version is not None
    assert second.version is not None
    documents.publish_root_template_version(
        db=db,
        actor=SYSTEM,
        version_id=first.version.id,
        change_kind="substantive",
        changelog="A",  # type: ignore[arg-type]
    )
    summary = documents.render_variants(
        db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=[TARGET]
    )
    in_force = documents.published_documents(db=db, actor=SYSTEM, school=TARGET, language="fr")
    document = next(d for _org, d in in_force if d.kind == "internal")
    member_token, _ = create_token(
        db=db, settings=settings, role=Role.MEMBER, school_code=TARGET, person_external_id="E00001"
    )
    member = authenticate(db=db, settings=settings, token=member_token)
    receipt = acknowledge(db=db, actor=member, document_version_id=document.id)  # type: ignore[arg-type]
    _revocable, grant = create_token(db=db, settings=settings, role=Role.INTRANET, school_code=TARGET)
    platform = organisations.record_commitment(
        db=db,
        actor=SYSTEM,
        data=organisations.CommitmentInput(
            organisation_code="imt-dg",
            type=CommitmentType.REPORTING_PLATFORM,
            status=CommitmentStatus.IN_PLACE,
            title="Plateforme de signalement du groupe",
            how=ArrangementHow.GROUP,
        ),
    )
    return {
        "arrangement": str(platform.id),
        "grant": str(grant.id),
        "version": str(first.version.id),
        "version2": str(second.version.id),
        "variant": str(summary.variants[0][1].id),
        "document": str(document.id),
        "sha": document.sha256,
        "code": receipt.record.verification_code,
        # a correction request of TARGET's member (issue 20, part 4)
        "correction": str(
            corrections.request_correction(db=db, actor=member, section="other", field="Nom", text="Dupont").id
        ),
    }


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


def _call(api: Api, entry: EntryPoint, document: str, bearer: str | None):
    if not entry.upload:
        return api.graphql(document, token=bearer)
    operations = {"query": document, "variables": {"file": None}}
    return api.request(
        "POST",
        "/graphql",
        headers={"Authorization": f"Bearer {bearer}"} if bearer else {},
        files={
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": (entry.upload_name, _upload_body(entry.upload_name), "application/octet-stream"),
        },
    )


def _upload_body(name: str) -> bytes:
    if name == "training.csv":
        return b"academic_year,audience,training,title\n2022,staff,x,Sensibilisation\n"
    if name == "surveys.csv":
        return b"year,title,audience,status\n2022,Enquete,students,planned\n"
    if name.endswith(".csv"):
        return b"external_id,given_name,family_name,email,populations\nX900,Ana,Test,ana@t.example,student\n"
    return minimal_docx(kind="study")


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.name)
def test_authorisation(api: Api, token: TokenFactory, ids: dict[str, str], entry: EntryPoint) -> None:
    tokens = {name: token(*spec) if spec else None for name, spec in CALLERS.items()}
    document = entry.document
    for name, value in ids.items():
        document = document.replace(f"@{name}@", value)
    for caller, expected in entry.expected.items():
        response = _call(api, entry, document, tokens[caller])
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        if expected == OK:  # authorised: whatever else happens, it is not a refusal
            assert response.status_code == 200, (caller, body)
            assert not {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"} & set(codes), (caller, body)
        elif expected == UNAUTH:
            assert response.status_code == 401 and codes == ["UNAUTHENTICATED"], (caller, body)
        elif expected == HIDDEN:
            assert response.status_code == 200 and codes == ["NOT_FOUND"], (caller, body)
        else:
            assert response.status_code == 200 and codes == ["FORBIDDEN"], (caller, body)
            assert "may not" in body["errors"][0]["message"]


def test_refused_write_changes_nothing(api: Api, token: TokenFactory) -> None:
    query = f'{{ organisation(code: "{TARGET}") {{ profile {{ revision address {{ city }} }} commitmentHistory {{ id }} }} }}'
    before = api.data(query, token=token("auditor"))
    for caller in ("school_admin_other", "intranet", "member", "auditor"):
        spec = CALLERS[caller]
        assert spec is not None
        for entry in [e for e in ENTRY_POINTS if e.name in {"updateSchoolProfile", "recordCommitment"}]:
            api.graphql(entry.document, token=token(*spec))
    assert api.data(query, token=token("auditor")) == before
