"""The chain of today against a checkpoint's state: unchanged, it holds; one record rewritten with
every later hash recomputed (the chain verifies by itself), the first rewritten record is named.
No signature here (tests/checkpoints/test_checkpoints.py has the whole file)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from govkit.acknowledgements import chain
from govkit.checkpoints import chain_reading
from govkit.checkpoints.comparison import Divergence, compare
from govkit.checkpoints.file_format import ChainState
from govkit.checkpoints.service import chain_state
from govkit.db import Database
from tests.checkpoints.chain_helpers import append_records, chain_ids, rewrite


def state_of(db: Database) -> ChainState:
    with db.reading() as session:
        return chain_state(session)


def divergence(db: Database, state: ChainState) -> Divergence | None:
    with db.reading() as session:
        records = ((x.id, x.record_hash, x.verification_code) for x in chain_reading.links(session, limit=state.count))
        return compare(state, records)


def code_of(db: Database, record_id: int) -> str:
    with db.reading() as session:
        return str(
            session.execute(
                sa.text("SELECT verification_code FROM acknowledgement WHERE id = :id"), {"id": record_id}
            ).scalar_one()
        )


def test_a_rewritten_record_is_named_though_the_chain_verifies(db: Database) -> None:
    append_records(db, 12)
    state = state_of(db)
    append_records(db, 3)  # records after the checkpoint change nothing
    assert divergence(db, state) is None
    ids = chain_ids(db)
    target = ids[-9]  # before the checkpoint
    rewrite(db, target)
    assert chain.verify(db).ok  # every hash consistent: the plain check passes
    found = divergence(db, state)
    assert found is not None
    assert (found.record_id, found.verification_code) == (target, code_of(db, target))
    assert found.position == ids.index(target) + 1


def test_a_record_rewritten_after_the_checkpoint_is_not_its_business(db: Database) -> None:
    append_records(db, 4)
    state = state_of(db)
    append_records(db, 2)
    rewrite(db, chain_ids(db)[-1])
    assert chain.verify(db).ok
    assert divergence(db, state) is None


@contextmanager
def undone(db: Database) -> Iterator[None]:
    """What the block writes, undone at its end (a savepoint of the test's transaction)."""
    connection = db.bind
    assert isinstance(connection, sa.Connection)
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.integers(min_value=1, max_value=6),
    after=st.integers(min_value=0, max_value=3),
    pick=st.integers(min_value=0, max_value=10**6),
)
def test_every_checkpoint_holds_and_any_rewritten_record_before_it_is_named(
    db: Database, before: int, after: int, pick: int
) -> None:
    with undone(db):
        append_records(db, before)
        state = state_of(db)
        assert divergence(db, state) is None
        if after:
            append_records(db, after)
        assert divergence(db, state) is None
        anchored = chain_ids(db)[: state.count]
        target = anchored[pick % len(anchored)]
        rewrite(db, target)
        assert chain.verify(db).ok
        found = divergence(db, state)
        assert found is not None and found.record_id == target
