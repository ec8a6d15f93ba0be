"""Every column of the correction requests' table says whether it holds personal data, and which
(govkit.privacy.declarations; the register of processing is generated from them)."""

from __future__ import annotations

from govkit.privacy.correction_models import CorrectionRequest
from govkit.privacy.declarations import Category, declaration_of


def test_every_column_of_correction_request_is_declared() -> None:
    declared = {c.name: declaration_of(c) for c in CorrectionRequest.__table__.columns}  # type: ignore[attr-defined]
    assert all(declared.values()), [name for name, found in declared.items() if not found]
    personal = {name for name, found in declared.items() if found and found["personal"]}
    assert {"person_id", "field", "requested_text", "note", "requested_at", "decided_at", "decided_by"} == personal
    assert {declared[name]["category"] for name in personal} == {Category.CORRECTION.value, Category.ACTOR.value}
    assert all(declared[name]["why"] for name in set(declared) - personal)
