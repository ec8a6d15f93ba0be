"""The words of the public page of the register of processing (govkit.web.privacy_page)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "privacy_link": {
        "fr": "Données personnelles : ce que govkit conserve et pourquoi",
        "en": "Personal data: what govkit keeps and why",
    },
    "privacy_nav": {"fr": "Autres formats et langues", "en": "Other formats and languages"},
    "privacy_json": {"fr": "Le même registre en JSON", "en": "The same register in JSON"},
    "privacy_contents": {"fr": "Catégories de données", "en": "Categories of data"},
    "privacy_command": {
        "fr": "Le même registre, en Markdown ou en JSON, s'obtient en ligne de commande :",
        "en": "The same register, in Markdown or JSON, is printed by the command:",
    },
    "privacy_recipients_none": {"fr": "Aucun rôle du personnel.", "en": "No staff role."},
}
