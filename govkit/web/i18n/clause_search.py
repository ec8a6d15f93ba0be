"""The interface's words of the clause search page (govkit.web.search_page), in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "clause_search": {"fr": "Recherche dans les articles", "en": "Search the clauses"},
    "clause_search_help": {
        "fr": "Cherchez un mot ou une expression dans les articles des trames et des versions des écoles. "
        "Tous les mots sont requis ; « entre guillemets » pour une expression exacte ; -mot pour exclure ; "
        "« or » pour l'un ou l'autre.",
        "en": "Look for a word or a phrase in the clauses of the root templates and of the schools' versions. "
        'Every word is required; "in quotes" for an exact phrase; -word to exclude; "or" for either.',
    },
    "clause_search_query": {"fr": "Mots ou expression", "en": "Words or phrase"},
    "clause_search_language": {"fr": "Langue", "en": "Language"},
    "clause_search_kind": {"fr": "Type de document", "en": "Document kind"},
    "clause_search_school": {"fr": "École", "en": "School"},
    "clause_search_source": {"fr": "Où chercher", "en": "Where to look"},
    "clause_search_versions": {"fr": "Versions", "en": "Versions"},
    "clause_search_any": {"fr": "Indifférent", "en": "Any"},
    "clause_search_source_all": {"fr": "Trames et écoles", "en": "Root templates and schools"},
    "clause_search_source_schools": {"fr": "Versions des écoles", "en": "Schools' versions"},
    "clause_search_source_roots": {"fr": "Trames", "en": "Root templates"},
    "clause_search_in_force": {"fr": "En vigueur seulement", "en": "In force only"},
    "clause_search_all_versions": {"fr": "Toutes les versions", "en": "All versions"},
    "clause_search_submit": {"fr": "Chercher", "en": "Search"},
    "clause_search_results": {"fr": "Résultats", "en": "Results"},
    "clause_search_none": {"fr": "Aucun article ne correspond.", "en": "No clause matches."},
    "clause_search_root": {"fr": "Trame", "en": "Root template"},
    "clause_search_draft": {"fr": "brouillon", "en": "draft"},
    "clause_search_current": {"fr": "en vigueur", "en": "in force"},
    "clause_search_not_current": {"fr": "plus en vigueur", "en": "not in force"},
    "clause_search_from": {"fr": "depuis le", "en": "from"},
    "clause_search_open": {"fr": "Lire l'article", "en": "Read the clause"},
    "clause_search_version_of": {"fr": "version", "en": "version"},
    "clause_search_clauses": {"fr": "Articles", "en": "Clauses"},
    "clause_search_no_clauses": {
        "fr": "Cette version n'a aucun article indexé.",
        "en": "This version has no indexed clause.",
    },
}
