"""The interface's words in French and English (content stays in the documents' language).

Each area keeps its words in a module of this package (``common`` for what every page shares);
``TEXTS`` merges them, and a key defined by two modules is an error at import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from govkit.web.i18n import (
    clause_editing,
    clause_library,
    clause_search,
    common,
    evidence_display,
    legal_holds,
    notices,
    own_data,
    person_reads,
    plan_records,
    privacy_register,
    provisions,
    public_documents,
    publication_reviews,
    sealed_receipts,
    sign_in_links,
)

_MODULES: tuple[Mapping[str, Mapping[str, str]], ...] = (
    common.TEXTS,
    clause_editing.TEXTS,
    notices.TEXTS,
    sign_in_links.TEXTS,
    public_documents.TEXTS,
    evidence_display.TEXTS,
    sealed_receipts.TEXTS,
    publication_reviews.TEXTS,
    clause_library.TEXTS,
    plan_records.TEXTS,
    provisions.TEXTS,
    clause_search.TEXTS,
    privacy_register.TEXTS,
    own_data.TEXTS,
    legal_holds.TEXTS,
    person_reads.TEXTS,
)


def _merged() -> dict[str, Mapping[str, str]]:
    merged: dict[str, Mapping[str, str]] = {}
    for texts in _MODULES:
        for key, entry in texts.items():
            if key in merged:
                raise ValueError(f"interface text {key!r} is defined twice")
            merged[key] = entry
    return merged


TEXTS = _merged()


def translator(language: str) -> Callable[[str], str]:
    """``t(key)``: the text ``key`` in ``language`` (French when it has no such translation)."""

    def t(key: str) -> str:
        entry = TEXTS.get(key)
        return entry.get(language, entry["fr"]) if entry else key

    return t
