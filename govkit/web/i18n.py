"""The interface's words in French and English (content stays in the documents' language)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "app": {"fr": "govkit — règlements et prises de connaissance", "en": "govkit — regulations and acknowledgements"},
    "skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "signin": {"fr": "Se connecter", "en": "Sign in"},
    "signout": {"fr": "Se déconnecter", "en": "Sign out"},
    "token": {"fr": "Jeton d'accès", "en": "Access token"},
    "token_help": {
        "fr": "Collez le jeton remis par votre école (govkit token create).",
        "en": "Paste the token your school gave you (govkit token create).",
    },
    "my_documents": {"fr": "Mes documents", "en": "My documents"},
    "to_acknowledge": {"fr": "Documents à lire et à accepter", "en": "Documents to read and accept"},
    "nothing_pending": {"fr": "Rien à accepter : vous êtes à jour.", "en": "Nothing to accept: you are up to date."},
    "history": {"fr": "Mes prises de connaissance", "en": "My acknowledgements"},
    "read": {"fr": "Lire", "en": "Read"},
    "download": {"fr": "Télécharger (.docx)", "en": "Download (.docx)"},
    "deadline": {"fr": "À accepter avant le", "en": "To accept by"},
    "overdue": {"fr": "en retard", "en": "overdue"},
    "version": {"fr": "version", "en": "version"},
    "in_force": {"fr": "en vigueur depuis le", "en": "in force since"},
    "translation": {"fr": "Traduction anglaise", "en": "English translation"},
    "wording": {
        "fr": "En cliquant, vous acceptez exactement ce texte :",
        "en": "By clicking, you accept exactly this text:",
    },
    "accept": {"fr": "J'ai lu et j'accepte", "en": "I have read and accept"},
    "receipt": {"fr": "Accusé de réception", "en": "Receipt"},
    "certificate": {"fr": "Télécharger l'attestation (.docx)", "en": "Download the certificate (.docx)"},
    "code": {"fr": "Code de vérification", "en": "Verification code"},
    "fingerprint": {"fr": "Empreinte SHA-256 du document", "en": "Document SHA-256 fingerprint"},
    "time": {"fr": "Date et heure (UTC)", "en": "Date and time (UTC)"},
    "method": {"fr": "Mode", "en": "Method"},
    "school": {"fr": "École", "en": "School"},
    "schools": {"fr": "Écoles", "en": "Schools"},
    "documents_in_force": {"fr": "Documents en vigueur", "en": "Documents in force"},
    "campaigns": {"fr": "Campagnes de prise de connaissance", "en": "Acknowledgement campaigns"},
    "population": {"fr": "Population", "en": "Population"},
    "concerned": {"fr": "Concernés", "en": "Concerned"},
    "acknowledged": {"fr": "Ont accepté", "en": "Acknowledged"},
    "pending": {"fr": "En attente", "en": "Pending"},
    "rate": {"fr": "Taux", "en": "Rate"},
    "pending_persons": {"fr": "Personnes en attente", "en": "Pending persons"},
    "search": {"fr": "Rechercher", "en": "Search"},
    "search_label": {"fr": "Nom, courriel ou identifiant", "en": "Name, e-mail or id"},
    "next_page": {"fr": "Page suivante", "en": "Next page"},
    "export_csv": {"fr": "Exporter en CSV", "en": "Export as CSV"},
    "findings": {"fr": "Constats", "en": "Findings"},
    "no_findings": {"fr": "Aucun constat (lancez govkit check).", "en": "No findings (run govkit check)."},
    "severity": {"fr": "Gravité", "en": "Severity"},
    "rule": {"fr": "Règle", "en": "Rule"},
    "finding": {"fr": "Constat", "en": "Finding"},
    "source": {"fr": "Source (plan d'action)", "en": "Source (action plan)"},
    "waived": {"fr": "dérogation", "en": "waived"},
    "barometer": {"fr": "Baromètre", "en": "Barometer"},
    "group": {"fr": "Groupe", "en": "Group"},
    "kind": {"fr": "Document", "en": "Document"},
    "language": {"fr": "Langue", "en": "Language"},
    "signed_in_as": {"fr": "Connecté·e :", "en": "Signed in:"},
    "invalid_token": {"fr": "Ce jeton n'est pas valable :", "en": "This token is not valid:"},
    "switch_language": {"fr": "English", "en": "Français"},
}


def translator(language: str):  # noqa: ANN201 - a callable for the templates
    def t(key: str) -> str:
        entry = TEXTS.get(key)
        return entry.get(language, entry["fr"]) if entry else key

    return t
