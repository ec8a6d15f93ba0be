"""The interface's words of public documents in force, their PDF and HTML, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "public_version": {"fr": "Version", "en": "Version"},
    "public_in_force_since": {"fr": "en vigueur depuis le", "en": "in force since"},
    "public_takes_effect": {"fr": "Cette version entre en vigueur le", "en": "This version takes effect on"},
    "public_superseded": {"fr": "Cette version n'est plus en vigueur.", "en": "This version is no longer in force."},
    "public_see_in_force": {"fr": "Voir la version en vigueur", "en": "See the version in force"},
    "public_formats": {"fr": "Formats et langues", "en": "Formats and languages"},
    "public_pdf": {"fr": "PDF", "en": "PDF"},
    "public_docx": {"fr": "Word (.docx)", "en": "Word (.docx)"},
    "public_html": {"fr": "Lire en ligne", "en": "Read online"},
    # a link to the document in that language, written in that language
    "public_this_language": {"fr": "Version française", "en": "English version"},
    # the name of a language in itself (the link to the page in that language)
    "public_language_name": {"fr": "Français", "en": "English"},
    "public_language_fr": {"fr": "en français", "en": "in French"},
    "public_language_en": {"fr": "en anglais", "en": "in English"},
    "public_all_documents": {"fr": "Tous les documents en vigueur", "en": "All the documents in force"},
    "public_index_title": {"fr": "Documents en vigueur", "en": "Documents in force"},
    "public_index_intro": {
        "fr": "Les règlements, l'annexe égalité et les fiches réflexes en vigueur aujourd'hui, en libre accès.",
        "en": "The regulations, the equality annex and the reflex sheets in force today, free to read.",
    },
    "public_none": {"fr": "Aucun document public n'est en vigueur.", "en": "No public document is in force."},
    "public_json": {"fr": "Les mêmes informations en JSON", "en": "The same in JSON"},
    "public_document_language": {"fr": "Langue du document :", "en": "Document language:"},
    "public_read_pdf": {"fr": "Télécharger le PDF", "en": "Download the PDF"},
    "public_public_page": {"fr": "Page publique du document", "en": "Public page of the document"},
}

#: Month names, for the effective dates of the public pages ("1er septembre 2025", "1 September 2025").
MONTHS: dict[str, tuple[str, ...]] = {
    "fr": (
        *("janvier", "février", "mars", "avril", "mai", "juin"),
        *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    ),
    "en": (
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ),
}
