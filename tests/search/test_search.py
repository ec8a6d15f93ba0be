"""Search across clauses (govkit.search) over the demo data, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from govkit.access.roles import Principal, Role
from govkit.db import Database
from govkit.documents.clause_index import IndexedClause
from govkit.documents.models import DocumentVersion
from govkit.errors import Forbidden, GovkitError, InvalidInput, NotAuthenticated, NotFound
from govkit.organisations.models import Organisation
from govkit.search import service
from govkit.search.query import MAX_QUERY, parse

LEGAL = Principal(role=Role.LEGAL, subject="legal-test")
PHRASE = "cellule d'écoute"


def scoped(db: Database, role: Role, code: str) -> Principal:
    with db.reading() as session:
        org = session.exec(select(Organisation).where(Organisation.code == code)).one()
    return Principal(role=role, subject=f"{role.value}-test", organisation_id=org.id, organisation_code=code)


def schools_with_french_internal(db: Database) -> set[str]:
    with db.reading() as session:
        rows = session.exec(
            select(Organisation.code)
            .join(DocumentVersion, DocumentVersion.organisation_id == Organisation.id)  # type: ignore[arg-type]
            .where(DocumentVersion.kind == "internal", DocumentVersion.language == "fr")
        ).all()
    return set(rows)


@pytest.mark.parametrize("typed", [PHRASE, f'"{PHRASE}"', "cellule d’écoute", "Cellule D'ÉCOUTE"])
def test_the_listening_cell_is_found_in_each_schools_version_in_force(db: Database, typed: str) -> None:
    hits = service.search_clauses(db=db, actor=LEGAL, text=typed, language="fr", source="schools", first=100)
    assert hits
    assert all(h.in_force and h.language == "fr" and h.source == "school" for h in hits)
    internal = {h.school for h in hits if h.kind == "internal"}
    assert internal == schools_with_french_internal(db)
    listening = [h for h in hits if h.clause_key == "vss.listening_cell" and h.kind == "internal"]
    assert {h.school for h in listening} == internal
    for hit in listening:
        assert hit.title == "Cellule d'écoute"
        assert any(f.highlighted and f.text.lower().startswith(("cellule", "écoute")) for f in hit.snippet), hit
        assert hit.path == f"/ui/search/documents/{hit.document_version_id}#clause-vss.listening_cell"
        assert hit.school_name and hit.effective_from is not None


def test_an_english_query_finds_english_clauses(db: Database) -> None:
    hits = service.search_clauses(db=db, actor=LEGAL, text="listening cell", source="schools", first=100)
    assert hits
    assert {h.language for h in hits} == {"en"}  # the French versions say "cellule d'écoute"
    assert any(h.clause_key == "vss.listening_cell" for h in hits)
    roots = service.search_clauses(db=db, actor=LEGAL, text="listening cell", source="roots", language="en")
    assert roots and {h.source for h in roots} == {"root"}  # the root templates too


def test_the_exact_phrase_is_narrower_than_its_words(db: Database) -> None:
    words = service.search_clauses(db=db, actor=LEGAL, text="cell listening", language="en", first=100)
    phrase = service.search_clauses(db=db, actor=LEGAL, text='"cell listening"', language="en", first=100)
    assert words and not phrase


def test_french_stemming_or_folded_accents(db: Database, backend: str) -> None:
    """PostgreSQL stems French words (écoutes → écout); SQLite folds accents (ecoute → écoute)."""
    text = "cellules d'écoutes" if backend == "postgresql" else "cellule d'ecoute"
    hits = service.search_clauses(db=db, actor=LEGAL, text=text, language="fr", first=5)
    assert hits and hits[0].language == "fr"


def test_filters_by_kind_school_source_and_exclusion(db: Database) -> None:
    annex = service.search_clauses(db=db, actor=LEGAL, text="listening cell", kind="equality_annex", first=100)
    assert annex and {h.kind for h in annex} == {"equality_annex"}
    one = service.search_clauses(db=db, actor=LEGAL, text=PHRASE, school="imt-atlantique", first=100)
    assert one and {h.school for h in one} == {"imt-atlantique"}
    roots = service.search_clauses(db=db, actor=LEGAL, text=PHRASE, source="roots", first=100)
    assert roots and {h.source for h in roots} == {"root"} and all(h.published for h in roots)
    without = service.search_clauses(db=db, actor=LEGAL, text=f"{PHRASE} -signalement", language="fr", first=100)
    every = service.search_clauses(db=db, actor=LEGAL, text=PHRASE, language="fr", first=100)
    assert "vss.reporting" in {h.clause_key for h in every}  # "le signalement peut aussi être fait … cellule d'écoute"
    assert without and "vss.reporting" not in {h.clause_key for h in without}
    either = service.search_clauses(db=db, actor=LEGAL, text="cellule or représailles", language="fr", first=100)
    assert {"vss.listening_cell", "vss.retaliation"} <= {h.clause_key for h in either}


def test_all_versions_includes_superseded_ones(db: Database) -> None:
    in_force = service.search_clauses(db=db, actor=LEGAL, text=PHRASE, first=100)
    every = service.search_clauses(db=db, actor=LEGAL, text=PHRASE, in_force_only=False, first=100)
    assert len(every) >= len(in_force)
    assert {(h.document_version_id, h.root_template_version_id, h.clause_key) for h in in_force} <= {
        (h.document_version_id, h.root_template_version_id, h.clause_key) for h in every
    }


def test_who_finds_what(db: Database) -> None:
    admin = scoped(db, Role.SCHOOL_ADMIN, "imt-atlantique")
    hits = service.search_clauses(db=db, actor=admin, text=PHRASE, first=100)
    assert {h.school for h in hits if h.source == "school"} == {"imt-atlantique"}
    assert any(h.source == "root" for h in hits)  # the roots are the group's
    with pytest.raises(Forbidden):
        service.search_clauses(db=db, actor=admin, text=PHRASE, school="telecom-paris")
    with pytest.raises(Forbidden):  # an unknown school is refused as another's would be
        service.search_clauses(db=db, actor=admin, text=PHRASE, school="no-such-school")
    member = scoped(db, Role.MEMBER, "telecom-paris")
    mine = service.search_clauses(db=db, actor=member, text=PHRASE, first=100)
    assert mine and {h.school for h in mine} == {"telecom-paris"}  # no root templates
    auditor = Principal(role=Role.AUDITOR, subject="auditor-test")
    assert len(service.search_clauses(db=db, actor=auditor, text=PHRASE, first=100)) == len(
        service.search_clauses(db=db, actor=LEGAL, text=PHRASE, first=100)
    )
    with pytest.raises(NotAuthenticated):
        service.search_clauses(db=db, actor=Principal(role=None), text=PHRASE)
    with pytest.raises(NotFound):
        service.search_clauses(db=db, actor=LEGAL, text=PHRASE, school="no-such-school")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "search_empty"),
        ("   ", "search_empty"),
        ("x" * (MAX_QUERY + 1), "search_too_long"),
        ('"" -- !!! ?', "search_no_words"),
        ("-cellule", "search_no_words"),
        ("cellule\x00", "search_control"),
        (" ".join(f"w{i}" for i in range(20)), "search_too_many_terms"),
    ],
)
def test_bad_queries_are_named(db: Database, text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.search_clauses(db=db, actor=LEGAL, text=text)
    assert caught.value.key == key


def test_bad_filters_are_named(db: Database) -> None:
    for kwargs in ({"language": "de"}, {"kind": "poem"}, {"source": "web"}, {"first": 0}, {"first": 1000}):
        with pytest.raises(InvalidInput):
            service.search_clauses(db=db, actor=LEGAL, text=PHRASE, **kwargs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80) | st.text(alphabet="\"-()*:^+ORNDTAoe'éa ", max_size=40))
def test_any_query_answers_or_is_refused_clearly(db: Database, text: str) -> None:
    refused: InvalidInput | None = None
    try:
        hits = service.search_clauses(db=db, actor=LEGAL, text=text, first=5)
    except InvalidInput as exc:
        refused, hits = exc, []
    assert refused is None or (refused.key or "").startswith("search_")
    assert len(hits) <= 5


def test_parse_is_the_same_query_for_both_databases() -> None:
    query = parse('cellule "d\'écoute interne" -alcool or représailles')
    assert query.websearch() == 'cellule "d écoute interne" -alcool or représailles'
    assert query.fts5() == '("cellule" AND "d écoute interne" OR "représailles") NOT "alcool"'


def test_reindex_rebuilds_the_same_rows(db: Database) -> None:
    def rows() -> list[tuple[object, ...]]:
        with db.reading() as session:
            return sorted(
                (r.root_template_version_id or 0, r.document_version_id or 0, r.position, r.clause_key, r.body)
                for r in session.exec(select(IndexedClause)).all()
            )

    before = rows()
    assert before
    done = service.reindex_clauses(db=db, actor=LEGAL)
    assert done.clauses == len(before)
    assert rows() == before
    assert service.search_clauses(db=db, actor=LEGAL, text=PHRASE, first=3)
    with pytest.raises(Forbidden):  # legal staff (or the system) only
        service.reindex_clauses(db=db, actor=Principal(role=Role.AUDITOR, subject="auditor-test"))


def test_every_published_version_was_indexed_when_published(db: Database) -> None:
    with db.reading() as session:
        missing = session.execute(
            sa.text(
                "SELECT count(*) FROM document_version d WHERE NOT EXISTS "
                "(SELECT 1 FROM indexed_clause c WHERE c.document_version_id = d.id) AND d.clauses <> '[]'"
            )
        ).scalar()
    assert missing == 0


def test_a_version_page_lists_its_clauses(db: Database) -> None:
    hit = service.search_clauses(db=db, actor=LEGAL, text=PHRASE, source="schools", first=1)[0]
    assert hit.document_version_id is not None
    view = service.version_clauses(db=db, actor=LEGAL, source="school", version_id=hit.document_version_id)
    assert hit.clause_key in [c.clause_key for c in view.clauses]
    other = scoped(db, Role.SCHOOL_ADMIN, "telecom-paris" if hit.school != "telecom-paris" else "imt-atlantique")
    with pytest.raises(Forbidden):
        service.version_clauses(db=db, actor=other, source="school", version_id=hit.document_version_id)
    with pytest.raises(GovkitError):
        service.version_clauses(db=db, actor=LEGAL, source="root", version_id="x")


def test_versions_stored_before_the_index_are_indexed_once(db: Database) -> None:
    with db.transaction() as session:
        before = session.exec(select(sa.func.count()).select_from(IndexedClause)).one()
        session.execute(sa.delete(IndexedClause).where(sa.column("document_version_id").is_not(None)))
    assert not service.search_clauses(db=db, actor=LEGAL, text=PHRASE, source="schools")
    done = service.index_missing_clauses(db=db, actor=LEGAL)
    assert done.root_versions == 0 and done.document_versions > 0
    again = service.index_missing_clauses(db=db, actor=LEGAL)
    assert again.clauses == 0
    with db.reading() as session:
        assert session.exec(select(sa.func.count()).select_from(IndexedClause)).one() == before
    assert service.search_clauses(db=db, actor=LEGAL, text=PHRASE, source="schools")
