"""The clause texts of the documents in force and of their root template versions, for the rule
that compares them (govkit.rules.clause_text): read from the stored .docx, once per file."""

from __future__ import annotations

import dataclasses
import zipfile
from collections import OrderedDict

import sqlalchemy as sa
from lxml import etree
from sqlmodel import col

from govkit.documents.inspect import read_clauses
from govkit.documents.models import Blob
from govkit.rules.facts import DocumentFact

#: Clause texts by SHA-256 of the file (content-addressed: never stale), the most recent first out.
_CACHE: OrderedDict[str, tuple[tuple[str, str], ...]] = OrderedDict()
_CACHE_SIZE = 512


def _read(data: bytes) -> tuple[tuple[str, str], ...]:
    """(key, text) of each clause of a stored file; none when it is not a readable .docx."""
    try:
        return tuple((c.key, c.text) for c in read_clauses(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        return ()


def _texts(connection: sa.Connection, digests: set[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The clause texts of each file: one statement, whatever the number of files (those read
    already are not fetched again)."""
    found = {d: _CACHE[d] for d in digests if d in _CACHE}
    wanted = sorted(d for d in digests if d not in found)
    rows = connection.execute(sa.select(col(Blob.sha256), col(Blob.data)).where(col(Blob.sha256).in_(wanted)))
    for digest, data in rows:
        found[digest] = _CACHE[digest] = _read(bytes(data))
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def with_clause_texts(connection: sa.Connection, documents: dict[int, list[DocumentFact]]) -> None:
    """Give the document in force of each kind and language (per organisation) its clause texts and
    its root's, in place."""
    latest: dict[tuple[int, str, str], int] = {}
    for organisation_id, facts in documents.items():
        for index, fact in enumerate(facts):
            key = (organisation_id, fact.kind, fact.language)
            best = latest.get(key)
            if best is None or (fact.effective_from, fact.number) > (
                facts[best].effective_from,
                facts[best].number,
            ):
                latest[key] = index
    digests = {
        d
        for (organisation_id, _kind, _language), index in latest.items()
        for d in (documents[organisation_id][index].sha256, documents[organisation_id][index].root_sha256)
        if d
    }
    texts = _texts(connection, digests)
    for (organisation_id, _kind, _language), index in latest.items():
        fact = documents[organisation_id][index]
        documents[organisation_id][index] = dataclasses.replace(
            fact, clause_texts=texts.get(fact.sha256, ()), root_clause_texts=texts.get(fact.root_sha256, ())
        )
