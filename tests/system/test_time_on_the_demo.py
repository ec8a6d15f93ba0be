"""Issue 15's "done when", tried as a new user would on the demo (a database of its own per backend).

- `govkit check --as-of 2022-12-31` reports none of the referents, cells, platforms, charters and
  protocols the plan documents in 2021 as missing;
- `govkit check` afterwards shows the same current findings as before, none flipped;
- `publishedDocuments(asOf: <a day before the latest publication takes effect>)` gives the
  earlier version;
- the evidence file of a student on a day between two substantive versions names the earlier
  version and that student's receipt for it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from govkit.access.roles import SYSTEM, Role
from govkit.auth.service import create_token
from govkit.composition import render_pool
from govkit.days import utc_today
from govkit.db import Database, create_db_engine
from govkit.documents import service as documents
from govkit.documents.edit import clause_source, replace_clause
from govkit.documents.inspect import clause_keys
from govkit.flows.publication import publish_variant
from tests.cli.test_cli_on_demo_data import govkit
from tests.conftest import BACKENDS, Api, fresh_database_url, make_settings
from tests.system.test_demo_dates import DOCUMENTED_IN_2021, RULES

SCHOOL = "imt-atlantique"


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    where = tmp_path_factory.mktemp("demo-time")
    url = fresh_database_url(request.param, "govkit_test_demo_time", where)
    loaded = govkit("demo", "--no-serve", url=url, cwd=where)
    assert loaded.returncode == 0, loaded.stderr
    return url, where


def check(url: str, where: Path, *args: str) -> dict:
    ran = govkit("check", "--format", "json", *args, url=url, cwd=where)
    assert ran.returncode in (0, 1), ran.stderr  # 1: unwaived errors remain
    return json.loads(ran.stdout)


def open_findings(run: dict) -> dict[tuple[str, str, str], str]:
    return {(f["school"], f["rule"], f["key"]): f["severity"] for f in run["findings"] if f["status"] != "resolved"}


def test_a_past_date_is_judged_by_the_plan_and_leaves_the_present_alone(
    demo: tuple[str, Path],
) -> None:
    url, where = demo
    before = check(url, where)
    assert before["basis"] == "current"

    past = check(url, where, "--as-of", "2022-12-31")
    assert past["basis"] == "as_of" and past["as_of"] == "2022-12-31"
    assert {f["status"] for f in past["findings"]} == {"new"}  # the first run of that date
    reported = {(f["school"], f["rule"]): f for f in past["findings"] if f["status"] != "resolved"}
    for school, type_ in DOCUMENTED_IN_2021:
        finding = reported.get((school, RULES[type_]))
        assert finding is None, f"{school}: {finding}"  # documented in 2021: in place at the end of 2022

    inside_2021 = check(url, where, "--as-of", "2021-10-31")
    undocumented = {
        (f["school"], f["rule"]): (f["severity"], f["key"])
        for f in inside_2021["findings"]
        if f["status"] != "resolved" and f["school"] in {s for s, _ in DOCUMENTED_IN_2021}
    }
    # dated only to 2021 by the état des lieux: not documented inside 2021, never "missing"
    assert ("imt-mines-albi", RULES["reporting_channel"]) in undocumented
    for school, type_ in DOCUMENTED_IN_2021:
        if (school, RULES[type_]) in undocumented:
            assert undocumented[school, RULES[type_]] == ("info", f"{type_}/not_documented"), school

    after = check(url, where)
    assert after["basis"] == "current"
    assert open_findings(after) == open_findings(before)
    # compared with the previous CURRENT run: nothing new, nothing resolved by the past runs
    assert {f["status"] for f in after["findings"]} <= {"open"}

    tables = govkit("check", "--as-of", "2022-12-31", "--lang", "en", url=url, cwd=where)
    printed = " ".join(tables.stdout.split())  # the console wraps long lines
    assert "as of 2022-12-31 (stored apart: the current findings are unchanged)" in printed, printed[-400:]


def _new_internal_version_for(url: str, school: str, effective_from: date) -> int:
    """Legal staff publish a substantive root version of internal/fr; the school puts its variant
    in force from ``effective_from``. Returns the new document version's number."""
    engine = create_db_engine(url)
    db, pool = Database(engine), render_pool(make_settings(url))
    try:
        templates = documents.list_root_templates(db=db, actor=SYSTEM, kind="internal")
        (current,) = next(versions for template, versions in templates if template.language == "fr")
        found = documents.download(db=db, actor=SYSTEM, sha256=current.sha256).data
        key = clause_keys(found)[0]
        edited = replace_clause(found, key, clause_source(found, key) + "\n\nUne obligation nouvelle.")
        uploaded = documents.upload_root_template_version(
            db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", filename="i.docx", data=edited,
            max_bytes=10**7,
        )  # fmt: skip
        assert uploaded.version is not None
        documents.publish_root_template_version(
            db=db, actor=SYSTEM, version_id=uploaded.version.id, change_kind="substantive", changelog="Ajout"
        )
        summary = documents.render_variants(
            db=db, actor=SYSTEM, pool=pool, kind="internal", language="fr", schools=[school]
        )
        ((_org, variant),) = summary.variants
        published = publish_variant(db=db, actor=SYSTEM, variant_id=variant.id or 0, effective_from=effective_from)
        return published.number
    finally:
        pool.close()
        engine.dispose()


PUBLISHED = """query($school: String!, $asOf: Date) {
  publishedDocuments(school: $school, kind: "internal", language: "fr", asOf: $asOf) { id version effectiveFrom sha256 }
}"""
ACKNOWLEDGE = """mutation($id: ID!, $sha: String!) {
  acknowledge(documentVersionId: $id, documentSha256: $sha) { verificationCode version }
}"""
EVIDENCE = """query($school: String!, $person: String!, $date: Date!) {
  evidence(school: $school, person: $person, date: $date) {
    kinds { kind standing statementFr
      version { version effectiveFrom effectiveTo }
      acknowledgement { verificationCode chain { verified } } }
  }
}"""


def test_the_version_in_force_and_the_evidence_file_between_two_versions(demo: tuple[str, Path]) -> None:
    url, _where = demo
    settings = make_settings(url)
    engine = create_db_engine(url)
    try:
        api = Api(Database(engine), settings)
        student = "E00001"
        member, _ = create_token(
            db=api.db, settings=settings, role=Role.MEMBER, school_code=SCHOOL, person_external_id=student
        )
        legal, _ = create_token(db=api.db, settings=settings, role=Role.LEGAL)
        today = utc_today()
        (first,) = api.data(PUBLISHED, {"school": SCHOOL}, token=legal)["publishedDocuments"]
        bearer = {"Authorization": f"Bearer {member}"}
        assert api.request("GET", f"/documents/{first['sha256']}", headers=bearer).status_code == 200  # shown
        receipt = api.data(ACKNOWLEDGE, {"id": first["id"], "sha": first["sha256"]}, token=member)["acknowledge"]
        assert receipt["version"] == first["version"]

        later = today + timedelta(days=30)
        number = _new_internal_version_for(url, SCHOOL, later)
        assert number == first["version"] + 1

        def in_force(day: date) -> int:
            (found,) = api.data(PUBLISHED, {"school": SCHOOL, "asOf": day.isoformat()}, token=legal)[
                "publishedDocuments"
            ]
            return found["version"]

        assert in_force(today) == first["version"]  # a day before the latest publication takes effect
        assert in_force(later) == number

        file = api.data(EVIDENCE, {"school": SCHOOL, "person": student, "date": today.isoformat()}, token=legal)
        (internal,) = [k for k in file["evidence"]["kinds"] if k["kind"] == "internal"]
        assert internal["version"]["version"] == first["version"]
        assert internal["version"]["effectiveTo"] == later.isoformat()
        assert internal["standing"] == "ACKNOWLEDGED"
        assert internal["acknowledgement"]["verificationCode"] == receipt["verificationCode"]
        assert internal["acknowledgement"]["chain"]["verified"] is True
    finally:
        engine.dispose()
