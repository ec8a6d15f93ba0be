"""The words of the plan's records pages (commitments and arrangements, training and surveys, waivers,
rule parameters: govkit.web.plan_records, plan_training, plan_rules), in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # navigation
    "plan_commitments": {"fr": "Engagements et dispositifs", "en": "Commitments and arrangements"},
    "plan_training_and_surveys": {"fr": "Formations et enquêtes", "en": "Training and surveys"},
    "plan_waivers": {"fr": "Dérogations", "en": "Waivers"},
    "plan_parameters": {"fr": "Paramètres des règles", "en": "Rule parameters"},
    "plan_back_to_dashboard": {"fr": "Tableau de bord de l'école", "en": "The school's dashboard"},
    "plan_all_commitments": {"fr": "Tous les engagements", "en": "All commitments"},
    # what a form says
    "plan_fields_to_check": {"fr": "Champs à vérifier :", "en": "Fields to check:"},
    "plan_saved": {"fr": "Enregistré.", "en": "Saved."},
    "commitment_saved": {"fr": "Engagement enregistré.", "en": "Commitment recorded."},
    "commitment_attached": {"fr": "Justificatif ajouté.", "en": "Evidence file added."},
    "commitment_joined": {"fr": "Adhésion enregistrée.", "en": "Membership recorded."},
    "commitment_left": {"fr": "Retrait enregistré.", "en": "Opt-out recorded."},
    "plan_waiver_granted": {"fr": "Dérogation accordée.", "en": "Waiver granted."},
    "plan_waiver_requested": {
        "fr": "Dérogation d'une erreur : demande enregistrée ; un second juriste doit l'approuver.",
        "en": "Waiver of an error: request recorded; a second legal officer must approve it.",
    },
    "plan_waiver_approved": {
        "fr": "Demande approuvée : dérogation accordée.",
        "en": "Request approved: waiver granted.",
    },
    "plan_waiver_refused": {"fr": "Demande refusée.", "en": "Request refused."},
    "plan_waiver_requests": {"fr": "Demandes de dérogation à valider", "en": "Waiver requests to approve"},
    "plan_waiver_requests_help": {
        "fr": "La dérogation d'une erreur demande l'accord d'un second juriste (double validation) ; celui qui "
        "l'a demandée ne peut pas la valider.",
        "en": "Waiving an error needs a second legal officer's approval (four eyes); the officer who asked cannot "
        "approve it.",
    },
    "plan_request": {"fr": "Demande", "en": "Request"},
    "plan_requested": {"fr": "Demandée le", "en": "Requested on"},
    "plan_approved_by": {"fr": "Approuvée par", "en": "Approved by"},
    "plan_refused_by": {"fr": "refusée par", "en": "refused by"},
    "plan_approve": {"fr": "Approuver", "en": "Approve"},
    "plan_refuse": {"fr": "Refuser", "en": "Refuse"},
    "plan_comment_optional": {"fr": "Commentaire (facultatif)", "en": "Comment (optional)"},
    "plan_comment_required": {"fr": "Raison du refus", "en": "Reason for refusing"},
    "plan_parameter_saved": {"fr": "Nouvelle valeur enregistrée.", "en": "New value recorded."},
    # records and their history
    "plan_history": {"fr": "Historique", "en": "History"},
    "plan_history_help": {
        "fr": "Chaque enregistrement, du plus récent au plus ancien, avec qui l'a fait et quand (heure de Paris) ; "
        "rien n'est modifié ni effacé.",
        "en": "Every record, newest first, with who made it and when (Paris time); nothing is edited or erased.",
    },
    "plan_history_training_help": {
        "fr": "L'enregistrement en vigueur puis ceux qu'il corrige, avec qui les a faits et quand (heure de Paris).",
        "en": "The record in force, then those it corrects, with who made them and when (Paris time).",
    },
    "plan_recorded": {"fr": "Enregistré", "en": "Recorded"},
    "plan_last_change": {"fr": "Dernier enregistrement", "en": "Last recorded"},
    "plan_record_no": {"fr": "n°", "en": "no."},
    "plan_corrects": {"fr": "corrige le n°", "en": "corrects no."},
    "plan_corrected_by": {"fr": "corrigé par le n°", "en": "corrected by no."},
    "plan_since": {"fr": "depuis le", "en": "from"},
    # commitments
    "plan_commitments_help": {
        "fr": "Les engagements du plan d'action (charte, référent, plan VSS, cellule d'écoute…) et la façon dont "
        "l'école les tient : en propre, mutualisés, par un dispositif de groupe ou un prestataire. Joignez le "
        "justificatif en PDF (charte signée, convention).",
        "en": "The action plan's commitments (charter, referent, VSS plan, listening cell…) and how the school "
        "holds them: its own, shared, through a group arrangement or a provider. Attach the evidence as a PDF "
        "(signed charter, convention).",
    },
    "plan_commitments_recorded": {"fr": "Engagements enregistrés", "en": "Recorded commitments"},
    "plan_no_commitment": {"fr": "Aucun engagement enregistré.", "en": "No commitment recorded."},
    "plan_type": {"fr": "Type", "en": "Type"},
    "plan_title": {"fr": "Intitulé", "en": "Title"},
    "plan_effective_on": {"fr": "En vigueur depuis", "en": "In effect from"},
    "plan_expires_on": {"fr": "Échéance", "en": "Expires on"},
    "plan_provider": {"fr": "Prestataire", "en": "Provider"},
    "plan_provider_help": {
        "fr": "Pour un dispositif prestataire : le nom du prestataire et la convention.",
        "en": "For an external arrangement: the provider's name and the convention.",
    },
    "plan_members": {"fr": "Écoles associées", "en": "Schools served"},
    "plan_members_help": {
        "fr": "Pour un dispositif mutualisé : les codes des écoles servies, séparés par des virgules.",
        "en": "For a shared arrangement: the codes of the schools served, separated by commas.",
    },
    "plan_note": {"fr": "Remarque", "en": "Note"},
    "plan_files": {"fr": "Justificatifs", "en": "Evidence files"},
    "plan_evidence_file": {"fr": "Justificatif (PDF)", "en": "Evidence file (PDF)"},
    "plan_evidence_help": {"fr": "Un fichier PDF, au plus", "en": "A PDF file, at most"},
    "plan_evidence_link": {"fr": "lien vers le justificatif", "en": "link to the evidence"},
    "plan_mebibytes": {"fr": "Mio", "en": "MiB"},
    "plan_kibibytes": {"fr": "Kio", "en": "KiB"},
    "plan_not_in_effect": {"fr": "pas en vigueur aujourd'hui", "en": "not in effect today"},
    "plan_in_effect_today": {"fr": "En vigueur aujourd'hui", "en": "In effect today"},
    "plan_record_commitment": {"fr": "Enregistrer un engagement", "en": "Record a commitment"},
    "plan_save_record": {"fr": "Enregistrer l'engagement", "en": "Record the commitment"},
    "plan_attach": {"fr": "Ajouter un justificatif", "en": "Add an evidence file"},
    "plan_attach_button": {"fr": "Ajouter le justificatif", "en": "Add the evidence file"},
    "plan_update": {"fr": "Mettre à jour", "en": "Update"},
    "plan_update_help": {
        "fr": "Une mise à jour est un nouvel enregistrement : l'historique garde les précédents.",
        "en": "An update is a new record: the history keeps the earlier ones.",
    },
    "plan_change_kind": {"fr": "Nature de la mise à jour", "en": "Kind of update"},
    "plan_change_state": {
        "fr": "Nouvel état à partir de sa date (l'enregistrement précédent reste vrai avant)",
        "en": "A new state from its date (the earlier record stays true before it)",
    },
    "plan_change_correction": {
        "fr": "Correction : l'enregistrement précédent était erroné",
        "en": "A correction: the earlier record was wrong",
    },
    "plan_save_update": {"fr": "Enregistrer la mise à jour", "en": "Record the update"},
    # group arrangements
    "plan_group_arrangements": {"fr": "Dispositifs de groupe", "en": "Group arrangements"},
    "plan_group_arrangements_help": {
        "fr": "Les dispositifs du siège auxquels une école adhère par convention (et dont elle peut se retirer).",
        "en": "The head office's arrangements a school joins by agreement (and may opt out of).",
    },
    "plan_no_group_arrangement": {"fr": "Aucun dispositif de groupe.", "en": "No group arrangement."},
    "plan_member_since": {"fr": "membre depuis le", "en": "member since"},
    "plan_not_member": {"fr": "l'école n'y adhère pas", "en": "the school is not a member"},
    "plan_from": {"fr": "À partir du", "en": "From"},
    "plan_join": {"fr": "Adhérer", "en": "Join"},
    "plan_join_source": {"fr": "Décision ou convention (facultatif)", "en": "Decision or convention (optional)"},
    "plan_leave": {"fr": "Se retirer", "en": "Opt out"},
    "plan_leave_reason": {"fr": "Raison du retrait", "en": "Reason for opting out"},
    # training and surveys
    "plan_training": {"fr": "Formations", "en": "Training"},
    "plan_surveys": {"fr": "Enquêtes", "en": "Surveys"},
    "plan_no_training": {"fr": "Aucune formation enregistrée.", "en": "No training recorded."},
    "plan_no_survey": {"fr": "Aucune enquête enregistrée.", "en": "No survey recorded."},
    "plan_academic_year": {"fr": "Année universitaire", "en": "Academic year"},
    "plan_academic_year_help": {
        "fr": "Son année de début : 2025 pour 2025/2026.",
        "en": "Its start year: 2025 for 2025/2026.",
    },
    "plan_year": {"fr": "Année", "en": "Year"},
    "plan_audience": {"fr": "Public", "en": "Audience"},
    "plan_training_code": {"fr": "Code de la formation", "en": "Training code"},
    "plan_training_code_help": {
        "fr": "Lettres minuscules, chiffres et tirets bas, par exemple : sensibilisation.",
        "en": "Lower-case letters, digits and underscores, for example: awareness.",
    },
    "plan_trained": {"fr": "Formés", "en": "Trained"},
    "plan_total": {"fr": "Effectif", "en": "Total"},
    "plan_everyone": {"fr": "Tout le public l'a suivie", "en": "The whole audience took it"},
    "plan_everyone_short": {"fr": "tous", "en": "everyone"},
    "plan_held_on": {"fr": "Date de la session", "en": "Date of the session"},
    "plan_held_on_help": {
        "fr": "Un jour (2025-09-15), un mois (2025-09) ou une année.",
        "en": "A day (2025-09-15), a month (2025-09) or a year.",
    },
    "plan_invited": {"fr": "Invités", "en": "Invited"},
    "plan_respondents": {"fr": "Répondants", "en": "Respondents"},
    "plan_population_total": {"fr": "Population totale", "en": "Whole population"},
    "plan_record_training": {"fr": "Enregistrer une formation", "en": "Record a training session"},
    "plan_save_training": {"fr": "Enregistrer la formation", "en": "Record the training"},
    "plan_record_survey": {"fr": "Enregistrer une enquête", "en": "Record a survey"},
    "plan_save_survey": {"fr": "Enregistrer l'enquête", "en": "Record the survey"},
    "plan_correct": {"fr": "Corriger ou mettre à jour", "en": "Correct or update"},
    "plan_correct_help": {
        "fr": "Le nouvel enregistrement remplace celui-ci ; l'historique garde le précédent.",
        "en": "The new record replaces this one; the history keeps the earlier one.",
    },
    "plan_save_correction": {"fr": "Enregistrer", "en": "Save"},
    # waivers
    "plan_waivers_help": {
        "fr": "Une dérogation fait taire un constat jusqu'à une date, avec une raison ; le constat reste visible "
        "comme dérogé à la prochaine analyse.",
        "en": "A waiver silences a finding until a date, with a reason; the finding stays visible as waived from "
        "the next rule run.",
    },
    "plan_findings_to_waive": {"fr": "Constats en cours", "en": "Open findings"},
    "plan_nothing_to_waive": {"fr": "Aucune erreur ni alerte en cours.", "en": "No open error or warning."},
    "plan_waive": {"fr": "Déroger", "en": "Waive"},
    "plan_grant_waiver": {"fr": "Accorder une dérogation", "en": "Grant a waiver"},
    "plan_four_eyes": {"fr": "erreur : double validation", "en": "error: second approval"},
    "plan_waiver_key": {"fr": "Clé du constat (facultatif)", "en": "Finding key (optional)"},
    "plan_waiver_key_help": {
        "fr": "Vide : la dérogation vaut pour toute la règle dans cette école.",
        "en": "Empty: the waiver covers the whole rule at this school.",
    },
    "plan_reason": {"fr": "Raison", "en": "Reason"},
    "plan_waiver_expires": {"fr": "Valable jusqu'au (exclu)", "en": "Valid until (excluded)"},
    "plan_grant": {"fr": "Accorder la dérogation", "en": "Grant the waiver"},
    "plan_waivers_granted": {"fr": "Dérogations accordées", "en": "Waivers granted"},
    "plan_no_waiver": {"fr": "Aucune dérogation accordée.", "en": "No waiver granted."},
    "plan_waiver_until": {"fr": "Jusqu'au", "en": "Until"},
    "plan_granted": {"fr": "Accordée", "en": "Granted"},
    "plan_in_force": {"fr": "en vigueur", "en": "in force"},
    "plan_expired": {"fr": "expirée", "en": "expired"},
    # rule parameters
    "plan_parameters_help": {
        "fr": "Chaque seuil, échéance ou population des règles, avec sa valeur du jour, sa source et son "
        "historique. Une nouvelle valeur vaut à partir de sa date : les analyses des jours précédents gardent "
        "l'ancienne.",
        "en": "Each threshold, deadline or population of the rules, with its value today, its source and its "
        "history. A new value holds from its date: runs of earlier days keep the former one.",
    },
    "plan_parameter_values": {"fr": "Valeurs du jour", "en": "Values today"},
    "plan_parameter": {"fr": "Paramètre", "en": "Parameter"},
    "plan_value": {"fr": "Valeur", "en": "Value"},
    "plan_value_help": {
        "fr": "Comme dans le fichier de la règle : 0.8, 2, 2026-12-31 ou une liste entre crochets.",
        "en": "As in the rule's file: 0.8, 2, 2026-12-31 or a list in brackets.",
    },
    "plan_valid_from": {"fr": "À partir du", "en": "From"},
    "plan_source": {"fr": "Source", "en": "Source"},
    "plan_source_plan": {"fr": "citation du plan d'action", "en": "a quote of the action plan"},
    "plan_source_law": {"fr": "texte de loi (et article)", "en": "a legal text (and article)"},
    "plan_source_default": {"fr": "valeur par défaut expliquée", "en": "an explained default"},
    "plan_source_text": {"fr": "Citation, texte ou explication", "en": "Quote, text or explanation"},
    "plan_article": {"fr": "Article (texte de loi)", "en": "Article (legal text)"},
    "plan_set_parameter": {"fr": "Changer la valeur d'un paramètre", "en": "Change a parameter's value"},
    "plan_save_parameter": {"fr": "Enregistrer la valeur", "en": "Record the value"},
    "plan_file_value": {"fr": "valeur du fichier de la règle", "en": "the rule file's value"},
    "plan_change": {"fr": "Changer", "en": "Change"},
}

#: The errors of the plan's records (govkit.web.plan_records, waivers, rule parameters); merged into govkit.web.i18n.errors.MESSAGES.
ERRORS: dict[str, dict[str, str]] = {
    "commitment_invalid": {
        "fr": "L'engagement n'est pas valable ; rien n'a été enregistré. Vérifiez les champs ci-dessous.",
        "en": "The commitment is not valid; nothing was saved. Check the fields below.",
    },
    "record_invalid": {
        "fr": "L'enregistrement n'est pas valable ; rien n'a été enregistré. Vérifiez les champs ci-dessous.",
        "en": "The record is not valid; nothing was saved. Check the fields below.",
    },
    "no_commitment_record": {
        "fr": "Aucun engagement n° {id} de l'école « {code} ».",
        "en": "No commitment record {id} of {code!r}.",
    },
    "evidence_empty": {
        "fr": "Le fichier est vide : choisissez le PDF du justificatif.",
        "en": "The file is empty: choose the evidence PDF.",
    },
    "evidence_too_large": {
        "fr": "Le fichier fait {size} octets ; la limite est de {most} octets. Rien n'a été enregistré.",
        "en": "The file is {size} bytes; the limit is {most} bytes. Nothing was saved.",
    },
    "evidence_not_pdf": {
        "fr": "Un justificatif est un fichier PDF ; ce fichier n'en est pas un. Rien n'a été enregistré.",
        "en": "Evidence is a PDF file; this file is not one. Nothing was saved.",
    },
    "no_training_record": {
        "fr": "Aucune formation ni enquête n° {id} dans cette école.",
        "en": "No training or survey record {id} at this school.",
    },
    "no_evidence_file": {
        "fr": "Aucun justificatif de cette empreinte que vous puissiez lire.",
        "en": "No evidence file with this fingerprint that you may read.",
    },
    "no_rule": {"fr": "Aucune règle « {rule} ».", "en": "No rule {rule!r}."},
    "waiver_reason": {
        "fr": "Donnez la raison de la dérogation (10 caractères au moins).",
        "en": "Give the reason for the waiver (at least 10 characters).",
    },
    "waiver_expiry_past": {
        "fr": "Une dérogation expire à une date future.",
        "en": "A waiver expires on a future date.",
    },
    "waiver_expiry_far": {
        "fr": "Une dérogation dure deux ans au plus : réexaminez-la alors.",
        "en": "A waiver lasts two years at most: review it then.",
    },
    "parameter_reason": {
        "fr": "Donnez la raison du changement (10 caractères au moins).",
        "en": "Give the reason for the change (at least 10 characters).",
    },
    "parameter_valid_from": {
        "fr": "La date d'effet va du {earliest} à cinq ans d'ici.",
        "en": "The date it takes effect is between {earliest} and five years from now.",
    },
    "parameter_value": {
        "fr": "Cette valeur ne convient pas au paramètre {name} de la règle {rule}.",
        "en": "This value does not suit parameter {name} of rule {rule}.",
    },
    "parameter_value_json": {
        "fr": "Écrivez la valeur comme dans le fichier de la règle : un nombre (0.8), une date (2026-12-31) "
        "ou une liste entre crochets.",
        "en": "Write the value as in the rule's file: a number (0.8), a date (2026-12-31) or a list in brackets.",
    },
    "parameter_deadline_early": {
        "fr": "L'échéance précède l'entrée en vigueur de la règle {rule} ({effective}).",
        "en": "The deadline is before rule {rule} takes effect ({effective}).",
    },
    "parameter_source": {
        "fr": "La source n'est pas valable : une citation du plan, un texte de loi (et son article) ou une "
        "valeur par défaut expliquée.",
        "en": "The source is not valid: a quote of the plan, a legal text (and its article) or an explained default.",
    },
    "parameter_quote": {
        "fr": "La citation n'est pas dans le plan d'action.",
        "en": "The quote is not found in the action plan.",
    },
    "compare_same": {
        "fr": "Comparez deux versions de la même trame (même document, même langue).",
        "en": "Compare two versions of the same root template (same kind and language).",
    },
}
