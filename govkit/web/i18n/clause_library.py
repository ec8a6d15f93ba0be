"""The interface's words of the clause library page, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "cl_title": {"fr": "Bibliothèque des clauses", "en": "Clause library"},
    "cl_intro": {
        "fr": "Les clauses que les trames peuvent contenir, et celles que chaque document doit contenir (le socle) "
        "à une date. Un changement du socle s'applique à partir de sa date : les contrôles d'une date antérieure "
        "ne le demandent pas.",
        "en": "The clauses templates may hold, and those each document must hold (its common base) on a day. A change "
        "of the common base applies from its day: checks as of an earlier day do not ask for it.",
    },
    "cl_seed": {
        "fr": "La base ne contient encore aucune clause : la bibliothèque livrée avec govkit s'applique.",
        "en": "The database holds no clause yet: the library shipped with govkit applies.",
    },
    "cl_done_added": {"fr": "Clause ajoutée à la bibliothèque.", "en": "Clause added to the library."},
    "cl_done_renamed": {"fr": "Intitulés de la clause modifiés.", "en": "The clause's titles were changed."},
    "cl_done_required": {
        "fr": "Clause ajoutée au socle à partir de la date choisie.",
        "en": "Clause required from the day chosen.",
    },
    "cl_done_removed": {
        "fr": "Clause retirée du socle à partir de la date choisie.",
        "en": "Clause no longer required from the day chosen.",
    },
    "cl_done_requested": {
        "fr": "Demande enregistrée : un second juriste doit l'approuver (double validation).",
        "en": "Request recorded: a second legal officer must approve it (four eyes).",
    },
    "cl_done_approved": {
        "fr": "Demande approuvée : le socle est modifié.",
        "en": "Request approved: the common base changed.",
    },
    "cl_done_refused": {"fr": "Demande refusée : rien ne change.", "en": "Request refused: nothing changes."},
    "cl_on_day": {"fr": "Socle en vigueur le", "en": "Common base on"},
    "cl_pending": {"fr": "Demandes en attente d'un second juriste", "en": "Requests awaiting a second legal officer"},
    "cl_request": {"fr": "Demande", "en": "Request"},
    "cl_requested_by": {"fr": "Demandée par", "en": "Requested by"},
    "cl_decision": {"fr": "Décision", "en": "Decision"},
    "cl_comment": {"fr": "Commentaire (obligatoire pour refuser)", "en": "Comment (required to refuse)"},
    "cl_approve": {"fr": "Approuver", "en": "Approve"},
    "cl_refuse": {"fr": "Refuser", "en": "Refuse"},
    "cl_requests": {"fr": "Demandes de modification du socle", "en": "Requests to change the common base"},
    "cl_status": {"fr": "Statut", "en": "Status"},
    "cl_status_pending": {"fr": "en attente", "en": "pending"},
    "cl_status_approved": {"fr": "approuvée", "en": "approved"},
    "cl_status_refused": {"fr": "refusée", "en": "refused"},
    "cl_decided_by": {"fr": "Décidée par", "en": "Decided by"},
    "cl_action_add": {"fr": "Ajouter au socle", "en": "Require"},
    "cl_action_remove": {"fr": "Retirer du socle", "en": "Stop requiring"},
    "cl_required_count": {"fr": "clauses du socle", "en": "required clauses"},
    "cl_planned": {"fr": "Exigées plus tard", "en": "Required later"},
    "cl_from": {"fr": "à partir du", "en": "from"},
    "cl_history": {"fr": "Historique du socle", "en": "History of the common base"},
    "cl_period": {"fr": "Période", "en": "Period"},
    "cl_since_start": {"fr": "depuis l'origine", "en": "from the start"},
    "cl_until": {"fr": "jusqu'au", "en": "until"},
    "cl_still": {"fr": "toujours exigée", "en": "still required"},
    "cl_never": {"fr": "annulée avant de s'appliquer", "en": "withdrawn before it applied"},
    "cl_asked": {"fr": "Ajout : par, pourquoi", "en": "Added: by, why"},
    "cl_ended": {"fr": "Retrait : par, pourquoi", "en": "Removed: by, why"},
    "cl_approved_by": {"fr": "approuvé par", "en": "approved by"},
    "cl_clauses": {"fr": "Les clauses", "en": "The clauses"},
    "cl_key": {"fr": "Clé", "en": "Key"},
    "cl_title_fr": {"fr": "Intitulé en français", "en": "French title"},
    "cl_title_en": {"fr": "Intitulé en anglais", "en": "English title"},
    "cl_required_by": {"fr": "Exigée dans", "en": "Required in"},
    "cl_none": {"fr": "aucun document", "en": "no document"},
    "cl_revisions": {"fr": "Intitulés successifs", "en": "Titles over time"},
    "cl_revision_count": {"fr": "version(s)", "en": "version(s)"},
    "cl_add_clause": {"fr": "Ajouter une clause", "en": "Add a clause"},
    "cl_key_help": {
        "fr": "Mots en minuscules séparés par des points, par exemple vss.cyber : la clé ne change plus ensuite.",
        "en": "Lower-case words joined by dots, for example vss.cyber: the key never changes afterwards.",
    },
    "cl_rename_clause": {"fr": "Renommer une clause", "en": "Rename a clause"},
    "cl_clause": {"fr": "Clause", "en": "Clause"},
    "cl_reason": {"fr": "Raison (10 caractères au moins)", "en": "Reason (10 characters at least)"},
    "cl_change_required": {"fr": "Modifier le socle d'un document", "en": "Change a document's common base"},
    "cl_change": {"fr": "Modification", "en": "Change"},
    "cl_effective": {"fr": "À partir du", "en": "From"},
    "cl_four_eyes_on": {
        "fr": "Double validation active : la modification attendra l'approbation d'un second juriste.",
        "en": "Four eyes are on: the change will wait for a second legal officer's approval.",
    },
    "cl_four_eyes_off": {
        "fr": "Double validation inactive : la modification s'applique dès son enregistrement.",
        "en": "Four eyes are off: the change applies as soon as it is recorded.",
    },
    "cl_submit_add": {"fr": "Ajouter la clause", "en": "Add the clause"},
    "cl_submit_rename": {"fr": "Enregistrer les intitulés", "en": "Save the titles"},
    "cl_submit_change": {"fr": "Enregistrer la modification", "en": "Record the change"},
    "cl_nav": {"fr": "Clauses", "en": "Clauses"},
}


#: What went wrong with a change of the library (govkit.documents.clause_service, required_clauses),
#: merged into govkit.web.i18n.errors.MESSAGES.
ERRORS: dict[str, dict[str, str]] = {
    "clause_reason_required": {
        "fr": "Donnez la raison du changement ({least} caractères au moins).",
        "en": "Give the reason for the change ({least} characters at least).",
    },
    "clause_key_invalid": {
        "fr": "La clé « {key} » n'est pas valable : des mots en minuscules séparés par des points, {most} caractères au plus.",
        "en": "The key “{key}” is not valid: lower-case words joined by dots, {most} characters at most.",
    },
    "clause_title_required": {
        "fr": "Chaque intitulé, français et anglais, est requis ({most} caractères au plus).",
        "en": "Both titles, French and English, are required ({most} characters at most).",
    },
    "no_clause": {
        "fr": "La clause « {key} » n'est pas dans la bibliothèque.",
        "en": "No clause “{key}” in the library.",
    },
    "clause_exists": {
        "fr": "La clause « {key} » est déjà dans la bibliothèque : renommez-la plutôt.",
        "en": "The clause “{key}” is in the library already: rename it instead.",
    },
    "clause_same_titles": {
        "fr": "Ce sont déjà les intitulés de la clause « {key} » : rien ne change.",
        "en": "These are the titles of “{key}” already: nothing changes.",
    },
    "required_clause_action": {
        "fr": "Choisissez d'ajouter la clause au socle ou de l'en retirer.",
        "en": "Choose to require the clause or to stop requiring it.",
    },
    "required_clause_date_range": {
        "fr": "La date {day} est hors limites (du {earliest} à cinq ans d'ici).",
        "en": "The day {day} is out of range ({earliest} to five years ahead).",
    },
    "required_clause_already": {
        "fr": "La clause « {clause} » fait déjà partie du socle de « {title} » (depuis : {since}).",
        "en": "The clause “{clause}” is required in “{title}” already (since: {since}).",
    },
    "required_clause_overlap": {
        "fr": "La clause « {clause} » était exigée dans « {title} » jusqu'au {until} : ajoutez-la à partir de ce jour.",
        "en": "The clause “{clause}” was required in “{title}” until {until}: require it from that day or later.",
    },
    "required_clause_absent": {
        "fr": "La clause « {clause} » ne fait pas partie du socle de « {title} » : rien à retirer.",
        "en": "The clause “{clause}” is not required in “{title}”: nothing to remove.",
    },
    "required_clause_before": {
        "fr": "La clause « {clause} » n'est exigée dans « {title} » qu'à partir du {since} : retirez-la à partir de ce jour.",
        "en": "The clause “{clause}” is required in “{title}” from {since} only: remove it from that day or later.",
    },
}
