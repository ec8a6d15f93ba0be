"""Per-request DataLoaders: one batched, authorised service call per kind of fact."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from strawberry.dataloader import DataLoader

from govkit.auth.roles import Principal
from govkit.db import Database
from govkit.organisations import service as organisations
from govkit.organisations.models import Campus, Commitment, Organisation, ProfileRevision

K = TypeVar("K")
V = TypeVar("V")


def _batched(
    db: Database, actor: Principal, function: Callable[..., dict[Any, Any]], keyword: str, default: Any
) -> Callable[[list[Any]], Any]:
    async def load(keys: list[Any]) -> Sequence[Any]:
        found = await anyio.to_thread.run_sync(partial(function, db=db, actor=actor, **{keyword: keys}))
        return [found.get(key, default) for key in keys]

    return load


class Loaders:
    """Created for each request, so that nothing is cached across callers."""

    def __init__(self, db: Database, actor: Principal) -> None:
        self.organisation: DataLoader[int, Organisation | None] = DataLoader(
            _batched(db, actor, organisations.organisations_by_id, "ids", None)
        )
        self.campuses: DataLoader[int, list[Campus]] = DataLoader(
            _batched(db, actor, organisations.campuses_by_organisation, "organisation_ids", [])
        )
        self.profile: DataLoader[int, ProfileRevision | None] = DataLoader(
            _batched(db, actor, organisations.profiles_by_organisation, "organisation_ids", None)
        )
        self.commitments: DataLoader[int, list[Commitment]] = DataLoader(
            _batched(db, actor, organisations.commitments_by_organisation, "organisation_ids", [])
        )
        self.commitment_history: DataLoader[int, list[Commitment]] = DataLoader(
            _batched(
                db,
                actor,
                partial(organisations.commitments_by_organisation, history=True),
                "organisation_ids",
                [],
            )
        )
