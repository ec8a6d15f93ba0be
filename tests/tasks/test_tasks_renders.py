"""Render jobs, one school each, run by the in-process engine on both databases (inside the test's
transaction); real `govkit worker` processes run them in tests/tasks/test_tasks_worker.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select

import govkit.tasks  # noqa: F401 - registers the tasks
from govkit.access.roles import SYSTEM, Principal, Role
from govkit.composition import render_pool
from govkit.db import Database
from govkit.documents import service as documents
from govkit.documents.models import RootTemplateVersion, Variant
from govkit.documents.variants import RENDER_VARIANT, render_school_variant
from govkit.documents.workers import WorkerPool
from govkit.errors import Forbidden, InvalidInput
from govkit.jobs.inprocess import InProcessQueue
from govkit.jobs.models import InProcessJob, JobFailure
from govkit.organisations.models import Organisation
from tests.conftest import Api, TokenFactory, make_settings
from tests.docx_factory import minimal_docx

SCHOOLS = 8  # the demo's


@pytest.fixture
def pool() -> WorkerPool:
    return render_pool(make_settings())


@pytest.fixture
def queue(db: Database, pool: WorkerPool) -> Iterator[InProcessQueue]:
    jobs = InProcessQueue(db, make_settings(job_retry_base_seconds=0.05), {"render_pool": pool})
    yield jobs
    jobs.close()


def new_root_version(db: Database, pool: WorkerPool, *, body: str = "", publish: bool = True) -> RootTemplateVersion:
    """A new root template version of the internal regulation (fr), published unless told otherwise."""
    upload = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=pool,
        kind="internal",
        language="fr",
        filename="trame.docx",
        data=minimal_docx(body=body or "Version des tâches de fond pour {{ school.short_name }}."),
        max_bytes=10**7,
    )
    assert upload.version is not None, upload.report
    assert upload.version.id is not None
    if publish:
        documents.publish_root_template_version(
            db=db, actor=SYSTEM, version_id=upload.version.id, change_kind="substantive", changelog="Essai"
        )
    return upload.version


def variants_by_school(db: Database, version_id: int) -> dict[str, int]:
    with db.reading() as session:
        rows = session.exec(
            select(Organisation.code, func.count(col(Variant.id)))
            .join(Variant, col(Variant.organisation_id) == Organisation.id)
            .where(Variant.root_template_version_id == version_id)
            .group_by(Organisation.code)
        ).all()
    return dict(rows)


def render_jobs(db: Database) -> list[InProcessJob]:
    with db.reading() as session:
        query = select(InProcessJob).where(InProcessJob.task_name == RENDER_VARIANT).order_by(col(InProcessJob.id))
        return list(session.exec(query).all())


def test_one_job_per_school_renders_each_variant_once(db: Database, pool: WorkerPool, queue: InProcessQueue) -> None:
    version = new_root_version(db, pool)
    keys = documents.queue_renders(db=db, actor=SYSTEM, jobs=queue, kind="internal", language="fr")
    assert len(keys) == SCHOOLS
    assert f"render:{version.id}:imt-mines-ales:fr" in keys
    queue.drain(timeout=60)
    by_school = variants_by_school(db, version.id)  # type: ignore[arg-type]
    assert len(by_school) == SCHOOLS
    assert set(by_school.values()) == {1}
    jobs = render_jobs(db)
    assert sorted(j.key for j in jobs) == sorted(keys)  # type: ignore[type-var]
    assert {(j.status, j.attempts) for j in jobs} == {("succeeded", 1)}
    assert jobs[0].args == {"version_id": version.id, "school": jobs[0].key.split(":")[2], "language": "fr"}  # type: ignore[union-attr]
    # queued again: the jobs run, and find every variant rendered already
    documents.queue_renders(db=db, actor=SYSTEM, jobs=queue, kind="internal", language="fr")
    queue.drain(timeout=60)
    assert variants_by_school(db, version.id) == by_school  # type: ignore[arg-type]
    assert len(render_jobs(db)) == 2 * SCHOOLS


def test_a_school_admin_queues_only_their_school(db: Database, pool: WorkerPool, queue: InProcessQueue) -> None:
    new_root_version(db, pool)
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == "imt-bs")).one()
    admin = Principal(role=Role.SCHOOL_ADMIN, subject="t:admin", organisation_id=org.id, organisation_code="imt-bs")
    keys = documents.queue_renders(db=db, actor=admin, jobs=queue, kind="internal", language="fr")
    assert [k.split(":")[2] for k in keys] == ["imt-bs"]
    with pytest.raises(Forbidden):
        documents.queue_renders(
            db=db, actor=admin, jobs=queue, kind="internal", language="fr", schools=["imt-nord-europe"]
        )
    queue.drain(timeout=60)
    assert [j.key for j in render_jobs(db)] == keys


def test_a_render_that_cannot_succeed_fails_its_job_with_the_reason(
    db: Database, pool: WorkerPool, queue: InProcessQueue
) -> None:
    with db.transaction() as session:  # a new school, without a profile yet
        parent = session.exec(select(Organisation).where(Organisation.code == "imt-bs")).one().parent_id
        session.add(
            Organisation(code="imt-new", type="school", name="IMT Nouvelle", short_name="IMT N", parent_id=parent)
        )
    version = new_root_version(db, pool)
    documents.queue_renders(db=db, actor=SYSTEM, jobs=queue, kind="internal", language="fr", schools=["imt-new"])
    queue.drain(timeout=60)
    (job,) = render_jobs(db)
    assert job.status == "failed"
    assert job.attempts == 3  # the first and its two retries
    with db.reading() as session:
        reasons = set(session.exec(select(JobFailure.reason).where(JobFailure.job_id == job.id)).all())
    assert reasons == {"RenderError: imt-new: imt-new has no profile yet."}
    assert variants_by_school(db, version.id) == {}  # type: ignore[arg-type]


def test_only_a_published_version_in_its_language_is_rendered(db: Database, pool: WorkerPool) -> None:
    draft = new_root_version(db, pool, publish=False)
    given = {"db": db, "actor": SYSTEM, "pool": pool, "school": "imt-bs"}
    with pytest.raises(InvalidInput, match="not published"):
        render_school_variant(version_id=draft.id, language="fr", **given)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="not 'en'"):
        render_school_variant(version_id=new_root_version(db, pool).id, language="en", **given)  # type: ignore[arg-type]


RENDER_IN_BACKGROUND = """mutation($schools: [String!]) {
  renderVariants(kind: "internal", language: "fr", schools: $schools, background: true) {
    queued jobKeys rendered variants { id }
  }
}"""


def test_render_variants_in_the_background_through_graphql(
    api: Api, token: TokenFactory, db: Database, backend: str
) -> None:
    version = new_root_version(db, render_pool(make_settings()))
    legal = token("legal")
    result = api.data(RENDER_IN_BACKGROUND, {"schools": ["imt-bs", "imt-atlantique"]}, token=legal)["renderVariants"]
    assert result == {
        "queued": 2,
        "jobKeys": [f"render:{version.id}:imt-bs:fr", f"render:{version.id}:imt-atlantique:fr"],
        "rendered": 0,
        "variants": [],
    }
    wiring = api.app.state.wiring
    wiring.jobs.drain(timeout=60)
    if isinstance(wiring.jobs, InProcessQueue):
        wiring.jobs.close()  # its thread would outlive the test's connection
    if backend == "sqlite":  # run in-process, once the mutation committed
        assert variants_by_school(db, version.id) == {"imt-bs": 1, "imt-atlantique": 1}  # type: ignore[arg-type]
    else:  # queued for govkit worker, in the same transaction
        with db.reading() as session:
            queued = session.execute(
                sa.text("SELECT lock, task_name, status FROM procrastinate_jobs ORDER BY id")
            ).all()
        assert [tuple(r) for r in queued] == [(k, RENDER_VARIANT, "todo") for k in result["jobKeys"]]
    school_admin = token("school_admin", school="imt-bs")
    response = api.graphql(RENDER_IN_BACKGROUND, {"schools": ["imt-atlantique"]}, token=school_admin)
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
