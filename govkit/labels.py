"""The words people read for govkit's codes: one mapping from (vocabulary, code) to French and English.

The API and the stored rows keep the codes (``doctoral_student``, ``carried_forward``…); pages,
notices and messages meant for people show ``label(kind, code, language)``. Every value of the
closed vocabularies (govkit.vocabulary and each domain's ``vocabulary.py``, roles, job statuses…)
has its two words here: tests/web/test_labels.py checks it against the enumerations themselves.
This module imports nothing of govkit, so that every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Words = Mapping[str, Mapping[str, str]]  # code -> {"fr": ..., "en": ...}


def _w(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


LABELS: dict[str, Words] = {
    # govkit.vocabulary.Population
    "population": {
        "student": _w("élèves", "students"),
        "apprentice": _w("apprentis", "apprentices"),
        "doctoral_student": _w("doctorants", "doctoral students"),
        "staff": _w("personnels", "staff"),
        "adjunct": _w("vacataires", "adjunct lecturers"),
        "contractor": _w("prestataires", "contractors"),
        "resident": _w("résidents (MAISEL)", "residents (student housing)"),
        "intern": _w("stagiaires", "interns"),
        "housing_staff": _w("personnels des résidences", "housing staff"),
        "catering_staff": _w("personnels de restauration", "catering staff"),
    },
    # govkit.vocabulary.TrainingAudience
    "training_audience": {
        "new_students": _w("élèves primo-entrants", "new students"),
        "new_doctoral_students": _w("nouveaux doctorants", "new doctoral students"),
        "staff": _w("personnels", "staff"),
        "management_committee": _w("comités de direction", "management committees"),
        "thesis_supervisors": _w("encadrants de thèse et tuteurs", "thesis supervisors and tutors"),
        "association_leaders": _w("responsables associatifs", "association leaders"),
        "international_students": _w("élèves internationaux", "international students"),
        "referents_and_cells": _w("référents et membres des cellules", "referents and listening cell members"),
        "catering_and_housing_staff": _w("personnels de restauration et d'hébergement", "catering and housing staff"),
    },
    # govkit.vocabulary.SurveyAudience / SurveyStatus
    "survey_audience": {
        "first_year_students": _w("élèves de première année", "first-year students"),
        "students": _w("élèves", "students"),
        "doctoral_students": _w("doctorants", "doctoral students"),
        "staff": _w("personnels", "staff"),
    },
    "survey_status": {
        "planned": _w("prévue", "planned"),
        "built": _w("prête", "built"),
        "open": _w("ouverte", "open"),
        "closed": _w("close", "closed"),
    },
    # how an acknowledgement was given (acknowledgement.method)
    "method": {
        "electronic": _w("électronique", "electronic"),
        "paper": _w("sur papier", "on paper"),
        "carried_forward": _w("reportée d'une version antérieure", "carried forward from an earlier version"),
    },
    # how a version was delivered before it was accepted (acknowledgement.shown_via, document_delivery.channel)
    "shown_via": {
        "page": _w("ouverte sur sa page govkit", "opened on their govkit page"),
        "pdf": _w("PDF téléchargé, connecté·e", "PDF downloaded while signed in"),
        "docx": _w(".docx téléchargé, connecté·e", ".docx downloaded while signed in"),
        "intranet": _w("affichée par l'intranet", "displayed by the intranet"),
    },
    # how the person was authenticated (acknowledgement.auth_method, Principal.auth_method)
    "auth_method": {
        "govkit_token": _w("jeton govkit", "govkit token"),
        "oidc": _w("compte de l'école", "school account"),
        "sign_in_link": _w("lien de connexion", "sign-in link"),
        "paper_signature": _w("signature sur papier", "paper signature"),
        "carried_forward": _w("report", "carried forward"),
        "system": _w("système", "system"),
        "none": _w("aucune", "none"),
    },
    # govkit.access.roles.Role
    "role": {
        "legal": _w("service juridique", "legal staff"),
        "school_admin": _w("administration de l'école", "school administration"),
        "member": _w("membre", "member"),
        "intranet": _w("intranet", "intranet"),
        "auditor": _w("audit", "auditor"),
    },
    # govkit.documents.diff: a clause between two texts
    "diff_status": {
        "added": _w("ajoutée", "added"),
        "removed": _w("supprimée", "removed"),
        "changed": _w("modifiée", "changed"),
        "unchanged": _w("inchangée", "unchanged"),
    },
    # a published version: editorial or substantive
    "change_kind": {
        "editorial": _w("rédactionnelle", "editorial"),
        "substantive": _w("substantielle", "substantive"),
    },
    # a root template version
    # a school in a publication review (govkit.flows.review_models)
    "review_status": {
        "pending": _w("en cours de génération", "being rendered"),
        "ready": _w("prête", "ready"),
        "failed": _w("en échec", "failed"),
        "in_force": _w("mise en vigueur", "put in force"),
    },
    # a request for a second legal officer's approval (govkit.approvals)
    "approval_status": {
        "pending": _w("en attente", "pending"),
        "approved": _w("approuvée", "approved"),
        "refused": _w("refusée", "refused"),
    },
    "version_status": {
        "draft": _w("brouillon", "draft"),
        "published": _w("publiée", "published"),
    },
    # rules: a finding's severity
    "severity": {
        "error": _w("erreur", "error"),
        "warning": _w("avertissement", "warning"),
        "info": _w("information", "information"),
    },
    # govkit.organisations.vocabulary
    "organisation_type": {
        "group": _w("groupe", "group"),
        "head_office": _w("direction générale", "head office"),
        "school": _w("école", "school"),
    },
    "commitment_type": {
        "equality_charter": _w("charte égalité F-H dans l'ESR", "gender equality charter"),
        "equality_referent": _w("référent égalité", "equality referent"),
        "vss_action_plan": _w("plan d'action VSS", "VSS action plan"),
        "intranet_vss_section": _w("rubrique VSS de l'intranet", "intranet VSS section"),
        "public_equality_section": _w("rubrique égalité du site internet", "website equality section"),
        "listening_cell": _w("cellule d'écoute", "listening cell"),
        "reporting_channel": _w("dispositif de signalement", "reporting channel"),
        "reporting_platform": _w("plateforme de signalement", "reporting platform"),
        "network_membership": _w("adhésion à un réseau", "network membership"),
        "communication_plan": _w("plan de communication", "communication plan"),
        "vss_protocol": _w("protocole de traitement des VSS", "VSS handling protocol"),
        "regulation_vss_amendment": _w("règlement modifié pour les VSS", "regulation amended for VSS"),
        "vss_survey": _w("enquête VSS", "VSS survey"),
        "other_charter": _w("autre charte", "other charter"),
        "referent_meeting": _w("réunion des référents", "referents' meeting"),
    },
    "commitment_status": {
        "planned": _w("prévu", "planned"),
        "in_progress": _w("en cours", "in progress"),
        "in_place": _w("en place", "in place"),
        "lapsed": _w("caduc", "lapsed"),
    },
    "arrangement_how": {
        "own": _w("propre", "own"),
        "shared": _w("mutualisé", "shared"),
        "group": _w("de groupe", "group"),
        "external": _w("prestataire", "external provider"),
    },
    "member_role": {
        "member": _w("membre", "member"),
        "opted_out": _w("retirée", "opted out"),
    },
    "precision": {
        "day": _w("jour", "day"),
        "month": _w("mois", "month"),
        "year": _w("année", "year"),
        "academic_year": _w("année universitaire", "academic year"),
    },
    "residence_manager": {
        "school": _w("l'école", "the school"),
        "alumni_association": _w("l'association des anciens", "the alumni association"),
        "student_association": _w("une association d'élèves", "a student association"),
        "crous": _w("le Crous", "the Crous"),
        "private": _w("un gestionnaire privé", "a private manager"),
        "other": _w("autre", "other"),
    },
    "listening_cell_kind": {
        "internal": _w("interne", "internal"),
        "external": _w("externe", "external"),
        "shared": _w("mutualisée", "shared"),
        "mixed": _w("mixte", "mixed"),
    },
    "reporting_channel_kind": {
        "platform": _w("plateforme", "platform"),
        "email": _w("courriel", "e-mail"),
        "in_person": _w("en personne", "in person"),
        "form": _w("formulaire", "form"),
    },
    "language": {
        "fr": _w("français", "French"),
        "en": _w("anglais", "English"),
    },
    # govkit.acknowledgements.vocabulary.PersonStatus
    "person_status": {
        "active": _w("présent", "active"),
        "departed": _w("parti", "departed"),
    },
    # govkit.jobs.service.JobStatus
    "job_status": {
        "queued": _w("en file", "queued"),
        "running": _w("en cours", "running"),
        "succeeded": _w("réussie", "succeeded"),
        "failed": _w("échouée", "failed"),
        "cancelled": _w("annulée", "cancelled"),
    },
    # govkit.notifications.vocabulary
    "notice_kind": {
        "opening": _w("ouverture de campagne", "campaign opening"),
        "reminder": _w("relance", "reminder"),
        "overdue": _w("retard", "overdue"),
        "digest": _w("synthèse", "digest"),
        "correction": _w("demande de rectification", "correction request"),
    },
    "notice_status": {
        "queued": _w("en attente d'envoi", "queued"),
        "sent": _w("envoyé", "sent"),
        "failed": _w("non remis", "failed"),
        "kept": _w("gardé dans la boîte locale", "kept in the local outbox"),
    },
    # govkit.evidence.facts.Standing
    "standing": {
        "acknowledged": _w("acceptée", "acknowledged"),
        "acknowledged_after": _w("acceptée après la date", "acknowledged after the date"),
        "not_acknowledged": _w("non acceptée", "not acknowledged"),
        "no_version": _w("aucune version en vigueur", "no version in force"),
    },
}


def label(kind: str, code: object, language: str) -> str:
    """The word for ``code`` of the vocabulary ``kind`` in ``language`` (fr or en; French otherwise).

    An unknown code is shown as it is (a value added to a vocabulary before its words: the test of
    the vocabularies fails until they are added)."""
    text = str(getattr(code, "value", code))
    words = LABELS.get(kind, {}).get(text)
    if words is None:
        return text
    return words.get(language, words["fr"])


def labels(kind: str, codes: Iterable[object], language: str) -> list[str]:
    """The words of several codes, in their order."""
    return [label(kind, code, language) for code in codes]
