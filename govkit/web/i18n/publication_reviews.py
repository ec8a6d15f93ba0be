"""The words of the publication reviews and of four eyes (govkit.web.publication_reviews)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "reviews": {"fr": "Publications", "en": "Publications"},
    "reviews_help": {
        "fr": "Publier une version de la trame génère le document de chaque école (en tâche de fond) et ouvre une revue : "
        "chaque école y est prête ou en échec, avec ses différences ; un bouton met ensuite en vigueur, à une date, "
        "les écoles prêtes. Une publication substantielle attend d'abord l'approbation d'un second juriste (quatre yeux).",
        "en": "Publishing a root template version renders each school's document (in background jobs) and opens a review: "
        "each school is ready or failed there, with its differences; one button then puts the ready schools in force "
        "from a date. A substantive publication first waits for a second legal officer's approval (four eyes).",
    },
    "review_superseded_by": {
        "fr": "Revue dépassée : une version plus récente de la même trame a été publiée. Ses écoles se mettent en vigueur depuis la",
        "en": "Superseded review: a later version of the same root template was published. Its schools are put in force from the",
    },
    "review_superseded": {"fr": "dépassée par une version plus récente", "en": "superseded by a later version"},
    "review_superseded_link": {"fr": "revue n°", "en": "review"},
    "approvals_waiting": {"fr": "En attente d'un second juriste", "en": "Waiting for a second legal officer"},
    "approvals_none": {"fr": "Aucune demande en attente.", "en": "No request waiting."},
    "approval_yours": {
        "fr": "Vous avez fait cette demande : un autre juriste doit la valider.",
        "en": "You made this request: another legal officer must decide on it.",
    },
    "approval_requested_by": {"fr": "Demandée par", "en": "Requested by"},
    "approval_comment_optional": {"fr": "Commentaire (facultatif)", "en": "Comment (optional)"},
    "approval_comment_required": {"fr": "Motif du refus", "en": "Reason for refusing"},
    "approve_request": {"fr": "Approuver", "en": "Approve"},
    "refuse_request": {"fr": "Refuser", "en": "Refuse"},
    "on_day": {"fr": "le", "en": "on"},
    "decided_by": {"fr": "par", "en": "by"},
    "published_by_on": {"fr": "Publiée par", "en": "Published by"},
    "reviews_opened": {"fr": "Revues de publication", "en": "Publication reviews"},
    "reviews_none": {"fr": "Aucune revue ouverte.", "en": "No review opened."},
    "review_document": {"fr": "Document", "en": "Document"},
    "review": {"fr": "Revue de publication", "en": "Publication review"},
    "review_history": {"fr": "Historique", "en": "History"},
    "review_opened_at": {"fr": "Ouverte le", "en": "Opened on"},
    "review_progress": {"fr": "Avancement", "en": "Progress"},
    "review_rendered": {"fr": "générées", "en": "rendered"},
    "review_failed": {"fr": "en échec", "en": "failed"},
    "review_pending": {"fr": "en cours", "en": "pending"},
    "review_in_force": {"fr": "en vigueur", "en": "in force"},
    "review_reload": {
        "fr": "Des documents sont en cours de génération : recharger la page",
        "en": "Documents are being rendered: reload the page",
    },
    "review_schools": {"fr": "Les écoles", "en": "The schools"},
    "review_detail": {"fr": "Détail", "en": "Detail"},
    "review_choose": {"fr": "Choisir", "en": "Choose"},
    "review_missing": {"fr": "Valeurs du profil manquantes :", "en": "Profile values missing:"},
    "review_diffs": {"fr": "Différences", "en": "Differences"},
    "review_against_in_force": {
        "fr": "Par rapport à la version en vigueur de l'école",
        "en": "Against the school's version in force",
    },
    "review_against_root": {"fr": "Par rapport à la trame", "en": "Against the root template"},
    "review_put_in_force": {"fr": "Mettre en vigueur", "en": "Put in force"},
    "review_effective_from": {"fr": "En vigueur à partir du", "en": "In force from"},
    "review_scope": {"fr": "Écoles", "en": "Schools"},
    "review_scope_all": {"fr": "toutes les écoles prêtes", "en": "every ready school"},
    "review_scope_chosen": {"fr": "les écoles cochées", "en": "the schools ticked"},
    "review_done_approved": {
        "fr": "Approuvé : la version est publiée, les documents des écoles sont en cours de génération.",
        "en": "Approved: the version is published, the schools' documents are being rendered.",
    },
    "review_render_again": {"fr": "Générer à nouveau les écoles en échec", "en": "Render the failed schools again"},
    "review_render_again_help": {
        "fr": "Une fois le profil de l'école complété, générez à nouveau son document.",
        "en": "Once the school's profile is completed, render its document again.",
    },
    "review_done_render_again": {
        "fr": "Les documents des écoles en échec sont à nouveau en cours de génération.",
        "en": "The failed schools' documents are being rendered again.",
    },
    "review_done_refused": {"fr": "Demande refusée.", "en": "Request refused."},
    "review_done_in_force": {
        "fr": "Mis en vigueur : les campagnes de prise de connaissance sont ouvertes.",
        "en": "Put in force: the acknowledgement campaigns are open.",
    },
    "version_requested": {
        "fr": "Publication de la version {number} demandée : un second juriste doit l'approuver (page Publications).",
        "en": "Publication of version {number} requested: a second legal officer must approve it (Publications page).",
    },
}

#: The errors of four eyes (govkit.approvals) and publication reviews (govkit.flows.root_publication); merged into govkit.web.i18n.errors.MESSAGES.
ERRORS: dict[str, dict[str, str]] = {
    "four_eyes_same_officer": {
        "fr": "Vous avez fait cette demande : un second juriste, et non son auteur, doit la valider (quatre yeux).",
        "en": "You requested this approval: a second legal officer, not the requester, must decide on it (four eyes).",
    },
    "four_eyes_required": {
        "fr": "Une publication substantielle doit être approuvée par un second juriste (quatre yeux) : publiez depuis la page de la trame.",
        "en": "A substantive publication needs a second legal officer's approval (four eyes): publish from the template's page.",
    },
    "approval_pending": {
        "fr": "Une approbation a déjà été demandée par {by} (demande {id}) : elle attend un second juriste.",
        "en": "An approval was already requested by {by} (request {id}): it waits for a second legal officer.",
    },
    "no_approval": {"fr": "Aucune demande d'approbation n° {id}.", "en": "No approval request {id}."},
    "approval_decided": {
        "fr": "La demande {id} a déjà été traitée par {by} ({status}).",
        "en": "Request {id} was already decided by {by} ({status}).",
    },
    "refusal_comment_required": {
        "fr": "Dites pourquoi vous refusez : un commentaire est nécessaire.",
        "en": "Say why you refuse: a comment is required.",
    },
    "comment_long": {
        "fr": "Le commentaire est limité à {most} caractères.",
        "en": "The comment is limited to {most} characters.",
    },
    "approval_unknown_action": {
        "fr": "govkit ne sait pas exécuter « {action} » : la demande reste en attente.",
        "en": "govkit does not know how to carry out «{action}»: the request stays pending.",
    },
    "no_review": {"fr": "Aucune revue de publication n° {id}.", "en": "No publication review {id}."},
    "not_in_review": {
        "fr": "L'école {school} ne fait pas partie de cette revue.",
        "en": "{school} is not in this review.",
    },
    "review_in_force_already": {
        "fr": "Cette revue a déjà été mise en vigueur ; aucune école n'attend.",
        "en": "This review was put in force already; no school is waiting.",
    },
    "review_superseded": {
        "fr": "Cette revue est dépassée : la version {version} de la même trame a été publiée depuis (revue n° {newer}) ; "
        "mettez plutôt cette revue-là en vigueur.",
        "en": "This review is superseded: version {version} of the same root template was published since "
        "(review {newer}); put that review in force instead.",
    },
    "review_none_ready": {
        "fr": "Aucune école de cette revue n'est encore prête.",
        "en": "No school of this review is ready yet.",
    },
    "review_none_failed": {
        "fr": "Aucune école en échec à générer à nouveau dans cette revue.",
        "en": "No failed school of this review to render again.",
    },
    "review_choose_school": {"fr": "Choisissez au moins une école.", "en": "Choose at least one school."},
    "review_date_required": {
        "fr": "Indiquez la date d'entrée en vigueur.",
        "en": "Give the date the versions come into force.",
    },
    "school_in_force_already": {
        "fr": "L'école {school} a déjà été mise en vigueur pour cette revue.",
        "en": "{school} was put in force already for this review.",
    },
    "school_pending": {
        "fr": "Le document de l'école {school} est encore en cours de génération : attendez-le.",
        "en": "The document of {school} is still being rendered: wait for it.",
    },
    "school_failed": {
        "fr": "Le document de l'école {school} n'a pas pu être généré (voir la revue) : il ne peut pas être mis en vigueur.",
        "en": "The document of {school} could not be rendered (see the review): it cannot be put in force.",
    },
    "already_published": {
        "fr": "La version {version} a déjà été publiée le {day} ; une version publiée ne change plus.",
        "en": "Version {version} was already published on {day}; published versions are immutable.",
    },
    "not_valid_version": {
        "fr": "Cette version n'a pas passé la validation : elle ne peut pas être publiée.",
        "en": "This version did not pass validation and cannot be published.",
    },
    "first_substantive": {
        "fr": "La première version publiée d'une trame est une modification substantielle.",
        "en": "The first published version of a root template is a substantive change.",
    },
}
