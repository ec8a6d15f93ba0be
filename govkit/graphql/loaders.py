"""Per-request DataLoaders: one batched, authorised service call per kind of fact."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property, partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from govkit.auth.roles import Principal
from govkit.db import Database
from govkit.disconnects import run_service
from govkit.organisations import service as organisations
from govkit.organisations.models import Campus, Commitment, Organisation, ProfileRevision

K = TypeVar("K")
V = TypeVar("V")


def _batched(
    db: Database, actor: Principal, function: Callable[..., dict[Any, Any]], keyword: str, default: Any
) -> Callable[[list[Any]], Any]:
    async def load(keys: list[Any]) -> Sequence[Any]:
        found = await run_service(function, db=db, actor=actor, **{keyword: keys})
        return [found.get(key, default) for key in keys]

    return load


class Loaders:
    """Created for each request, so that nothing is cached across callers; each DataLoader is
    built on first use (most requests use none)."""

    def __init__(self, db: Database, actor: Principal) -> None:
        self.db = db
        self.actor = actor

    @cached_property
    def organisation(self) -> DataLoader[int, Organisation | None]:
        return DataLoader(_batched(self.db, self.actor, organisations.organisations_by_id, "ids", None))

    @cached_property
    def campuses(self) -> DataLoader[int, list[Campus]]:
        return DataLoader(_batched(self.db, self.actor, organisations.campuses_by_organisation, "organisation_ids", []))

    @cached_property
    def profile(self) -> DataLoader[int, ProfileRevision | None]:
        return DataLoader(
            _batched(self.db, self.actor, organisations.profiles_by_organisation, "organisation_ids", None)
        )

    @cached_property
    def commitments(self) -> DataLoader[int, list[Commitment]]:
        return DataLoader(
            _batched(self.db, self.actor, organisations.commitments_by_organisation, "organisation_ids", [])
        )

    @cached_property
    def commitment_history(self) -> DataLoader[int, list[Commitment]]:
        history = partial(organisations.commitments_by_organisation, history=True)
        return DataLoader(_batched(self.db, self.actor, history, "organisation_ids", []))
