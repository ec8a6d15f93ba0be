"""The interface's words of the local provisions pages, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "provisions": {"fr": "Dispositions propres", "en": "Local provisions"},
    "provisions_help": {
        "fr": "Aux emplacements prévus par chaque trame, l'école peut ajouter ses propres dispositions, en "
        "français et en anglais (un paragraphe par ligne, texte simple). Le service juridique les approuve ou les "
        "renvoie avec un commentaire ; une fois approuvées, elles figurent dans les prochaines versions des "
        "documents de l'école, jamais dans les clauses du socle commun.",
        "en": "At the places each root template provides, the school may add its own provisions, in French and "
        "English (one paragraph per line, plain text). Legal staff approve them or send them back with a comment; "
        "once approved, they are in the school's next document versions, never in the common-base clauses.",
    },
    "provisions_review": {"fr": "Dispositions propres à examiner", "en": "Local provisions to review"},
    "provisions_review_help": {
        "fr": "Les dispositions proposées par les écoles : approuvez-les, ou renvoyez-les avec un commentaire.",
        "en": "The provisions the schools proposed: approve them, or send them back with a comment.",
    },
    "provisions_none_pending": {"fr": "Aucune disposition n'attend d'examen.", "en": "No provision awaits review."},
    "provision_status": {"fr": "État", "en": "Status"},
    "provision_status_none": {"fr": "aucune disposition", "en": "no provision"},
    "provision_status_proposed": {"fr": "proposée, en attente d'examen", "en": "proposed, awaiting review"},
    "provision_status_approved": {"fr": "approuvée", "en": "approved"},
    "provision_status_sent_back": {"fr": "renvoyée à l'école", "en": "sent back to the school"},
    "provision_approved_text": {"fr": "Texte approuvé", "en": "Approved text"},
    "provision_revision": {"fr": "Révision", "en": "Revision"},
    "provision_history": {"fr": "Historique", "en": "History"},
    "provision_proposed": {"fr": "Proposée par, le", "en": "Proposed by, on"},
    "provision_decision": {"fr": "Décision", "en": "Decision"},
    "provision_comment": {"fr": "Commentaire", "en": "Comment"},
    "provision_text_fr": {"fr": "Texte en français", "en": "French text"},
    "provision_text_en": {"fr": "Texte en anglais", "en": "English text"},
    "provision_propose": {"fr": "Proposer", "en": "Propose"},
    "provision_waiting": {
        "fr": "Une proposition attend la décision du service juridique.",
        "en": "A proposal awaits legal staff's decision.",
    },
    "provision_replaces": {"fr": "Elle remplacera la révision approuvée", "en": "It will replace approved revision"},
    "provision_approve": {"fr": "Approuver", "en": "Approve"},
    "provision_send_back": {"fr": "Renvoyer", "en": "Send back"},
    "provision_done_proposed": {
        "fr": "Disposition proposée : elle attend la décision du service juridique.",
        "en": "Provision proposed: it awaits legal staff's decision.",
    },
    "provision_done_approved": {
        "fr": "Disposition approuvée : elle figurera dans les prochaines versions des documents de l'école.",
        "en": "Provision approved: it will be in the school's next document versions.",
    },
    "provision_done_sent_back": {
        "fr": "Disposition renvoyée à l'école avec votre commentaire.",
        "en": "Provision sent back to the school with your comment.",
    },
}

#: The errors of local provisions (govkit.documents.provisions); merged into govkit.web.i18n.errors.MESSAGES.
ERRORS: dict[str, dict[str, str]] = {
    "unknown_provision_place": {
        "fr": "Le document « {kind} » n'a pas d'emplacement « {place} » pour des dispositions propres.",
        "en": "Document kind {kind} has no provision place {place}.",
    },
    "provision_text_refused": {
        "fr": "Texte refusé : une disposition propre est du texte simple (un paragraphe par ligne, 20 au plus, "
        "6 000 caractères au plus), sans balises de modèle ({{{{ }}}}, {{% %}}, {{# #}}), ni marqueur de clause (:::), "
        "ni caractère de contrôle.",
        "en": "Text refused: a local provision is plain text (one paragraph per line, at most 20, at most 6,000 "
        "characters), with no template tags ({{{{ }}}}, {{% %}}, {{# #}}), clause markers (:::) or control characters.",
    },
    "provision_pending": {
        "fr": "La révision {number} de cette disposition attend la décision du service juridique : "
        "attendez-la avant d'en proposer une autre.",
        "en": "Revision {number} of this provision awaits legal staff's review: wait for their decision "
        "before proposing again.",
    },
    "provision_decided": {
        "fr": "La révision {number} a déjà été examinée.",
        "en": "Revision {number} was already decided.",
    },
    "provision_comment_needed": {
        "fr": "Dites pourquoi la disposition est renvoyée (un commentaire de 5 caractères au moins).",
        "en": "Say why the provision is sent back (a comment of 5 characters or more).",
    },
    "no_provision_revision": {
        "fr": "Aucune révision de disposition {id}.",
        "en": "No provision revision {id}.",
    },
}
