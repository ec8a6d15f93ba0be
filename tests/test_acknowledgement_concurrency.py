"""Concurrent acknowledgements on real connections (a fresh database per test, both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from govkit import migrations
from govkit.acknowledgements import chain
from govkit.acknowledgements import service as acks
from govkit.auth.roles import SYSTEM
from govkit.db import Database, create_db_engine
from govkit.demo.loader import load_demo
from govkit.documents import service as documents
from govkit.graphql.context import worker_pool
from tests.ack_helpers import member, someone
from tests.conftest import BACKENDS, fresh_database_url, make_settings
from tests.docx_factory import minimal_docx

SCHOOL = "telecom-paris"


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, int]]:
    url = fresh_database_url(request.param, "govkit_test_concurrency", tmp_path)
    migrations.upgrade(url=url)
    engine = create_db_engine(url)
    db = Database(engine)
    load_demo(db=db, persons_per_school=90)
    settings = make_settings()
    upload = documents.upload_root_template_version(
        db=db,
        actor=SYSTEM,
        pool=worker_pool(settings),
        kind="internal",
        language="fr",
        filename="t.docx",
        data=minimal_docx(),
        max_bytes=10**7,
    )
    assert upload.version is not None
    documents.publish_root_template_version(
        db=db,
        actor=SYSTEM,
        version_id=upload.version.id,  # type: ignore[arg-type]
        change_kind="substantive",
        changelog="Essai",
    )
    summary = documents.render_variants(
        db=db, actor=SYSTEM, pool=worker_pool(settings), kind="internal", language="fr", schools=[SCHOOL]
    )
    document = documents.publish_variant(db=db, actor=SYSTEM, variant_id=summary.variants[0][1].id)  # type: ignore[arg-type]
    yield db, document.id  # type: ignore[misc]
    engine.dispose()


def _count(db: Database) -> int:
    with db.reading() as session:
        return session.execute(sa.text("SELECT count(*) FROM acknowledgement")).scalar_one()


def test_fifty_concurrent_calls_by_one_person_make_one_record(live: tuple[Database, int]) -> None:
    db, document_id = live
    actor = member(db, SCHOOL, "E00001")
    with ThreadPoolExecutor(max_workers=16) as pool:
        receipts = list(
            pool.map(lambda _: acks.acknowledge(db=db, actor=actor, document_version_id=document_id), range(50))
        )
    assert len({r.record.id for r in receipts}) == 1
    assert _count(db) == 1
    assert chain.verify(db).ok


def test_fifty_persons_at_once_make_fifty_chained_records(live: tuple[Database, int]) -> None:
    db, document_id = live
    actors = [member(db, SCHOOL, someone(db, SCHOOL, "student", only=False, skip=i)) for i in range(50)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        receipts = list(pool.map(lambda a: acks.acknowledge(db=db, actor=a, document_version_id=document_id), actors))
    assert len({r.record.id for r in receipts}) == 50
    assert _count(db) == 50
    report = chain.verify(db)
    assert report.ok
    assert report.records == 50
