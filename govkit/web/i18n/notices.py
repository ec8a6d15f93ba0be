"""The interface's words of e-mail notices, reminders and digests, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # the dev outbox (govkit.web.outbox)
    "outbox": {"fr": "Boîte d'envoi locale", "en": "Local outbox"},
    "outbox_help": {
        "fr": "Aucun serveur SMTP n'est configuré (GOVKIT_SMTP_HOST) : les courriels sont gardés ici au lieu "
        "d'être envoyés. Page de développement seulement.",
        "en": "No SMTP server is configured (GOVKIT_SMTP_HOST): e-mails are kept here instead of being sent. "
        "Development page only.",
    },
    "outbox_count": {"fr": "courriels gardés, du plus récent au plus ancien", "en": "kept e-mails, newest first"},
    "outbox_empty": {"fr": "La boîte d'envoi est vide.", "en": "The outbox is empty."},
    "notice_to": {"fr": "À", "en": "To"},
    "notice_kept_at": {"fr": "gardé le", "en": "kept on"},
    "notice_kind_opening": {"fr": "ouverture de campagne", "en": "campaign opening"},
    "notice_kind_reminder": {"fr": "relance", "en": "reminder"},
    "notice_kind_overdue": {"fr": "retard", "en": "overdue"},
    "notice_kind_digest": {"fr": "synthèse", "en": "digest"},
    # the failed deliveries on a school's dashboard (govkit.web.dashboard)
    "failed_notices": {"fr": "Courriels non remis", "en": "E-mails not delivered"},
    "failed_notices_help": {
        "fr": "Le serveur de courriel a refusé ces messages, ou ne les a pas acceptés après plusieurs tentatives. "
        "Vérifiez l'adresse de la personne, puis réimportez-la.",
        "en": "The mail server refused these messages, or did not accept them after several attempts. "
        "Check the person's address, then import it again.",
    },
    "no_failed_notices": {"fr": "Aucun courriel non remis.", "en": "No e-mail left undelivered."},
    "notice_person": {"fr": "Personne", "en": "Person"},
    "notice_address": {"fr": "Adresse", "en": "Address"},
    "notice_kind": {"fr": "Courriel", "en": "E-mail"},
    "notice_attempts": {"fr": "Tentatives", "en": "Attempts"},
    "notice_answer": {"fr": "Réponse du serveur", "en": "Server's answer"},
    "notice_no_answer": {"fr": "aucune réponse", "en": "no answer"},
}
