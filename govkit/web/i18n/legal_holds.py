"""The interface's words of the legal holds page (issue 20, part 3), in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "legal_holds": {"fr": "Suspensions d'effacement", "en": "Legal holds"},
    "legal_holds_help": {
        "fr": "Pendant une procédure, le service juridique peut suspendre l'effacement des données personnelles "
        "d'une personne nommée, avec la raison (le dossier concerné). Une personne sous suspension n'est jamais "
        "effacée ; une fois la suspension levée, ses données sont effacées au prochain passage de la tâche de "
        "conservation si le délai est écoulé. Chaque suspension et chaque levée sont journalisées.",
        "en": "During a case, legal staff may suspend the erasure of a named person's personal data, with the "
        "reason (the case concerned). A held person is never erased; once the hold is released, their data are "
        "erased at the next run of the retention job if the period is over. Each hold and release is audited.",
    },
    "legal_hold_place": {"fr": "Suspendre l'effacement", "en": "Place a legal hold"},
    "legal_hold_school": {"fr": "École (code)", "en": "School (code)"},
    "legal_hold_person": {"fr": "Identifiant de la personne à l'école", "en": "Person's identifier at the school"},
    "legal_hold_reason_label": {
        "fr": "Raison (le dossier, 10 caractères au moins)",
        "en": "Reason (the case, 10+ characters)",
    },
    "legal_holds_open": {"fr": "Suspensions en cours", "en": "Open holds"},
    "legal_holds_released": {"fr": "Suspensions levées", "en": "Released holds"},
    "legal_holds_none": {"fr": "Aucune suspension en cours.", "en": "No open legal hold."},
    "legal_hold_placed": {"fr": "Posée par, le", "en": "Placed by, on"},
    "legal_hold_released_by": {"fr": "Levée par, le", "en": "Released by, on"},
    "legal_hold_release": {"fr": "Lever la suspension", "en": "Release the hold"},
    "legal_hold_done_placed": {"fr": "Suspension enregistrée.", "en": "Legal hold placed."},
    "legal_hold_done_released": {"fr": "Suspension levée.", "en": "Legal hold released."},
    # a receipt whose person was erased (govkit.flows.retention)
    "erased_under_retention": {
        "fr": "Données personnelles effacées le {day} en application de la règle de conservation.",
        "en": "Personal data erased on {day} under the retention rule.",
    },
    "erased_on": {"fr": "Données personnelles effacées le {day}.", "en": "Personal data erased on {day}."},
}

#: What the legal holds page says of the service's refusals (govkit.web.i18n.errors adds them).
ERRORS: dict[str, dict[str, str]] = {
    "legal_hold_reason": {
        "fr": "Donnez la raison de la suspension ({min} à {max} caractères).",
        "en": "Give the reason of the hold ({min} to {max} characters).",
    },
    "legal_hold_person": {
        "fr": "Aucune personne de cet identifiant dans cette école.",
        "en": "No person has this identifier at this school.",
    },
    "legal_hold_open": {
        "fr": "Cette personne est déjà sous suspension.",
        "en": "This person is under a legal hold already.",
    },
    "legal_hold_erased": {
        "fr": "Les données personnelles de cette personne sont déjà effacées.",
        "en": "This person's personal data were erased already.",
    },
    "legal_hold": {"fr": "Cette suspension n'existe pas.", "en": "There is no such legal hold."},
    "legal_hold_released": {"fr": "Cette suspension est déjà levée.", "en": "This legal hold was released already."},
    "legal_hold_id": {"fr": "Ce n'est pas un numéro de suspension.", "en": "This is not a legal hold's number."},
}
