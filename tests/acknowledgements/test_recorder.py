"""One way to record an acknowledgement: the recorder the factory chooses for each backend, and the
`acknowledge` mutation answered by ``service.acknowledge`` through the application's recorder."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govkit.acknowledgements.recorder import build_recorder
from govkit.acknowledgements.writers import LoopWriter, ThreadWriter
from govkit.db import Database
from govkit.errors import GovkitError
from tests.ack_helpers import acknowledge, current, deliver, member, sha256_of
from tests.conftest import Api, TokenFactory

SCHOOL = "imt-atlantique"
ACK = """mutation($id: ID!, $sha: String!, $language: String) {
  acknowledge(documentVersionId: $id, documentSha256: $sha, language: $language) { id method }
}"""


def test_the_factory_writes_from_the_event_loop_only_on_a_postgresql_engine(
    engines: dict[str, sa.Engine], backend: str
) -> None:
    engine = engines[backend]
    writer = build_recorder(Database(engine)).writer
    assert isinstance(writer, LoopWriter if backend == "postgresql" else ThreadWriter)
    with engine.connect() as connection:  # a Database bound to one connection: batches in its transaction
        assert isinstance(build_recorder(Database(connection)).writer, ThreadWriter)


def test_the_mutation_records_through_the_recorder_built_at_start_up(
    api: Api, token: TokenFactory, db: Database
) -> None:
    recorder = api.app.state.wiring.recorder
    assert type(recorder.writer) is type(build_recorder(db).writer)
    document = current(db, SCHOOL)
    student = token("member", SCHOOL, "E00001")
    deliver(db, member(db, SCHOOL, "E00001"), document.id)
    given = {"id": str(document.id), "sha": document.sha256}
    before = recorder.batches, recorder.records
    first = api.data(ACK, given, token=student)["acknowledge"]
    assert (recorder.batches, recorder.records) == (before[0] + 1, before[1] + 1)
    again = api.data(ACK, given, token=student)["acknowledge"]
    assert again == first  # found by the next batch, not recorded twice
    assert (recorder.batches, recorder.records) == (before[0] + 2, before[1] + 1)


@pytest.mark.parametrize(
    ("given", "language", "written"),
    [
        ("not-an-id", None, False),  # refused by service.acknowledge before the recorder
        ("@internal-fr@", "de", True),  # refused by the check service.acknowledge hands to the recorder
        ("@internal-en@", None, True),  # refused by the batch's decisions (the French text is in force)
    ],
)
def test_the_mutation_answers_what_service_acknowledge_decides(
    api: Api, token: TokenFactory, db: Database, given: str, language: str | None, written: bool
) -> None:
    ids = {"@internal-fr@": str(current(db, SCHOOL).id), "@internal-en@": str(current(db, SCHOOL, language="en").id)}
    document_id = ids.get(given, given)
    with pytest.raises(GovkitError) as direct:
        acknowledge(db=db, actor=member(db, SCHOOL, "E00002"), document_version_id=document_id, language=language)
    recorder = api.app.state.wiring.recorder
    batches = recorder.batches
    given = {"id": document_id, "sha": sha256_of(db, document_id), "language": language}
    body = api.graphql(ACK, given, token=token("member", SCHOOL, "E00002")).json()
    (error,) = body["errors"]
    assert (error["message"], error["extensions"]["code"]) == (direct.value.message, direct.value.code)
    assert body["data"] is None
    # the batches are written, refusals included, only once the request reached the recorder
    assert recorder.batches == batches + int(written)
    assert recorder.records == 0
