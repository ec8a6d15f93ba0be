"""What went wrong, said on the pages in their language.

The services raise errors with an English message (what the API answers) and, for those a page can
show, a ``key`` and ``params`` (govkit.errors.GovkitError, govkit.auth.tokens.InvalidToken). A page
says ``MESSAGES[key]`` in its language with the parameters; an error without a key (or with a key
this module does not know) is said by its code (``BY_CODE``): a French page never shows the English
message. tests/web/test_error_words.py checks that every key raised in govkit has both languages.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from govkit.documents.kinds import catalogue
from govkit.labels import label
from govkit.web.i18n import (
    clause_editing,
    clause_library,
    legal_holds,
    own_data,
    plan_records,
    provisions,
    publication_reviews,
)

#: The message of each error key, in French and English; ``{name}`` is a parameter of the error.
MESSAGES: dict[str, dict[str, str]] = {
    # the clause search (govkit.search)
    "search_empty": {"fr": "Tapez les mots à chercher.", "en": "Type the words to look for."},
    "search_too_long": {
        "fr": "La recherche est trop longue : {most} caractères au plus.",
        "en": "The query is too long: {most} characters at most.",
    },
    "search_control": {
        "fr": "La recherche contient des caractères de contrôle : tapez des mots seulement.",
        "en": "The query contains control characters: type words only.",
    },
    "search_no_words": {
        "fr": "La recherche ne contient aucun mot à chercher (seulement de la ponctuation, ou des mots exclus).",
        "en": "The query has no word to look for (only punctuation, or only excluded words).",
    },
    "search_too_many_terms": {
        "fr": "La recherche contient trop de mots ou d'expressions : {most} au plus.",
        "en": "The query has too many words or phrases: {most} at most.",
    },
    "search_bad_source": {
        "fr": "Choisissez où chercher : trames et écoles, versions des écoles ou trames.",
        "en": "Choose where to look: root templates and schools, schools' versions or root templates.",
    },
    "search_bad_first": {
        "fr": "Demandez de 1 à {most} résultats.",
        "en": "Ask for 1 to {most} results.",
    },
    "search_unreadable": {
        "fr": "Cette recherche n'a pas pu être lue : utilisez des mots, des « expressions » et des -exclusions.",
        "en": 'This query could not be read: use words, "phrases" and -exclusions.',
    },
    # signing in (govkit.auth)
    "authenticate": {"fr": "Connectez-vous pour voir cette page.", "en": "Sign in to see this page."},
    "form_expired": {
        "fr": "Le formulaire a expiré ou ne vient pas de govkit : reconnectez-vous.",
        "en": "The form expired or did not come from govkit: sign in again.",
    },
    "token_invalid": {
        "fr": "Ce jeton n'est pas valable : il n'a pas pu être vérifié (mal formé, mal signé ou émis pour un autre service).",
        "en": "This token is not valid: it could not be verified (malformed, wrongly signed or issued for another service).",
    },
    "token_expired": {
        "fr": "Ce jeton n'est pas valable : il a expiré ; demandez-en un nouveau.",
        "en": "This token is not valid: it has expired; ask for a new one.",
    },
    "token_revoked": {
        "fr": "Ce jeton n'est pas valable : il a été révoqué.",
        "en": "This token is not valid: it was revoked.",
    },
    "identity_no_person": {
        "fr": "Aucune personne de govkit ne correspond à ce compte : demandez à votre école de vous inscrire.",
        "en": "No person of govkit matches this account: ask your school to import you.",
    },
    "identity_several_schools": {
        "fr": "Ce compte correspond à des personnes de plusieurs écoles : le jeton doit nommer l'école.",
        "en": "This account matches persons of several schools: the token must name the school.",
    },
    "sso_not_configured": {
        "fr": "Aucun fournisseur d'identité n'est configuré.",
        "en": "No identity provider is configured.",
    },
    "sso_expired": {"fr": "La connexion a expiré : recommencez.", "en": "The sign-in expired: try again."},
    "sso_failed": {
        "fr": "Le fournisseur d'identité ne vous a pas connecté·e.",
        "en": "The identity provider did not sign you in.",
    },
    # who may see what (govkit.access)
    "forbidden": {
        "fr": "Votre rôle ({role}) ne permet pas de voir ou de faire ceci.",
        "en": "Your role ({role}) may not see or do this.",
    },
    "members_only": {
        "fr": "Cette page est celle des élèves et des personnels connectés en leur nom.",
        "en": "This page is for students and staff signed in as themselves.",
    },
    "invalid_id": {"fr": "« {value} » n'est pas un identifiant valable.", "en": "{value!r} is not a valid id."},
    "bad_version_ids": {
        "fr": "Choisissez deux versions à comparer (identifiants numériques).",
        "en": "Choose two versions to compare (numeric ids).",
    },
    # what a page names
    "no_page": {"fr": "Cette page n'existe pas.", "en": "No such page."},
    "no_organisation": {"fr": "Aucune école n'a le code « {code} ».", "en": "No school has the code {code!r}."},
    "no_campaign": {"fr": "Aucune campagne n° {id}.", "en": "No campaign {id}."},
    "invalid_cursor": {
        "fr": "Lien de page non valable : revenez à la première page de la liste.",
        "en": "Invalid page link: go back to the first page of the list.",
    },
    "page_size": {"fr": "Une page compte de 1 à {most} lignes.", "en": "A page has 1 to {most} rows."},
    "bad_date": {
        "fr": "Date « {text} » non reconnue (AAAA-MM-JJ).",
        "en": "Date {text!r} not recognised (YYYY-MM-DD).",
    },
    "bad_language": {"fr": "La langue est fr ou en.", "en": "The language is fr or en."},
    "no_person": {
        "fr": "Aucune personne d'identifiant « {person} » dans cette école.",
        "en": "No person with id {person!r} at this school.",
    },
    "no_person_record": {
        "fr": "Votre fiche de personne est introuvable : demandez à votre école.",
        "en": "Your person record cannot be found: ask your school.",
    },
    "no_barometer": {"fr": "Pas de baromètre pour {year}.", "en": "No barometer for {year}."},
    "unknown_job_status": {"fr": "État de tâche inconnu : « {text} ».", "en": "Unknown job status {text!r}."},
    # documents and acknowledgements
    "no_document": {
        "fr": "Aucun document de ce nom que vous puissiez lire.",
        "en": "No document of that name that you may read.",
    },
    "bad_sha256": {
        "fr": "Un document se désigne par les 64 caractères hexadécimaux de son empreinte SHA-256.",
        "en": "A document is identified by the 64 hexadecimal characters of its SHA-256.",
    },
    "no_document_version": {"fr": "Aucune version de document n° {id}.", "en": "No document version {id}."},
    "not_in_force_here": {
        "fr": "Ce document n'est pas en vigueur dans votre école.",
        "en": "This document is not in force at your school.",
    },
    "html_failed": {
        "fr": "Ce document ne peut pas être affiché ici : téléchargez-le.",
        "en": "This document cannot be shown here: download it.",
    },
    "no_receipt": {
        "fr": "Aucun accusé de réception de ce code que vous puissiez lire.",
        "en": "No receipt with this code that you may read.",
    },
    "not_acknowledged_kind": {
        "fr": "« {title} » est un document d'information : il ne s'accepte pas.",
        "en": "“{title}” is for information: it is not acknowledged.",
    },
    "acknowledge_french": {
        "fr": "Le texte français est celui qui fait foi : acceptez la version française ; l'anglais est une traduction.",
        "en": "The French text is the one in force: accept the French version; the English text is a translation.",
    },
    "other_school_document": {
        "fr": "Ce document appartient à une autre école.",
        "en": "This document belongs to another school.",
    },
    "person_left": {
        "fr": "Cette personne a quitté l'école : rien à accepter.",
        "en": "This person has left the school: nothing to accept.",
    },
    "not_in_force_yet": {
        "fr": "La version {version} n'entre en vigueur que le {day}.",
        "en": "Version {version} only comes into force on {day}.",
    },
    "no_longer_in_force": {
        "fr": "La version {version} de « {title} » n'est plus en vigueur : acceptez la version {current}.",
        "en": "Version {version} of “{title}” is no longer in force: accept version {current}.",
    },
    "not_concerned": {
        "fr": "« {title} » ne concerne pas vos populations.",
        "en": "“{title}” does not concern your populations.",
    },
    "stale_document": {
        "fr": "Le document lu n'est plus la version en vigueur : rechargez-le et relisez-le.",
        "en": "The document you read is not the version in force: reload it and read it again.",
    },
    # proof of display (govkit.acknowledgements.decisions.shown, deliveries)
    "shown_sha256_required": {
        "fr": "Indiquez l'empreinte SHA-256 de la version qui vous a été présentée (documentSha256) : govkit "
        "n'enregistre que la prise de connaissance d'une version dont il sait qu'elle a été présentée.",
        "en": "Give the SHA-256 of the version shown to the person (documentSha256): govkit records an "
        "acknowledgement only of the version it knows was shown.",
    },
    "not_delivered": {
        "fr": "La version {version} de ce document ne vous a jamais été présentée : ouvrez-la sur votre page "
        "(ou téléchargez-la) avant de l'accepter.",
        "en": "Version {version} of this document was never delivered to you: open it on your page (or "
        "download it) before accepting it.",
    },
    "displayed_in_future": {
        "fr": "La date d'affichage (displayedAt) est dans le futur : indiquez quand l'intranet a affiché le document.",
        "en": "displayedAt is in the future: give the time the intranet displayed the document.",
    },
    "displayed_before_publication": {
        "fr": "La date d'affichage (displayedAt) précède la publication de la version {version}.",
        "en": "displayedAt is before version {version} was published.",
    },
    "display_incomplete": {
        "fr": "displayedBy et displayedAt vont ensemble : l'intranet qui a affiché le document, et quand.",
        "en": "displayedBy and displayedAt go together: the intranet that displayed the document, and when.",
    },
    "displayed_by_too_long": {
        "fr": "Le nom de l'intranet (displayedBy) compte au plus 200 caractères.",
        "en": "displayedBy is at most 200 characters.",
    },
    "displayed_at_time_zone": {
        "fr": "La date d'affichage (displayedAt) indique son fuseau horaire, par exemple 2025-09-01T08:30:00Z.",
        "en": "displayedAt gives its time zone, e.g. 2025-09-01T08:30:00Z.",
    },
    "pdf_not_ready": {
        "fr": "Le PDF de ce document est en préparation : lisez-le sur cette page ou téléchargez le .docx.",
        "en": "The PDF of this document is being prepared: read it on this page or download the .docx.",
    },
    "evidence_format": {
        "fr": "Un dossier de preuve est un .docx ou un .json.",
        "en": "An evidence file is .docx or .json.",
    },
    "evidence_future": {
        "fr": "Le dossier de preuve porte sur une date passée ou aujourd'hui, pas le {day}.",
        "en": "An evidence file is about a past date or today, not {day}.",
    },
    # the template editor
    "bad_change_kind": {
        "fr": "La nature de la modification est rédactionnelle ou substantielle.",
        "en": "The kind of change is editorial or substantive.",
    },
    "changelog_required": {
        "fr": "Une note de version est requise : dites ce qui change et pourquoi.",
        "en": "A changelog note is required: say what changed and why.",
    },
    "changelog_long": {
        "fr": "La note de version est limitée à {most} caractères.",
        "en": "The changelog note is limited to {most} characters.",
    },
    "no_root_version": {"fr": "Aucune version de trame n° {id}.", "en": "No root template version {id}."},
    "no_version_to_edit": {
        "fr": "Aucune version de « {title} » à modifier pour l'instant.",
        "en": "No version of “{title}” to edit yet.",
    },
    "no_profile": {
        "fr": "L'école « {code} » n'a pas encore de profil.",
        "en": "The school {code!r} has no profile yet.",
    },
    "render_failed": {
        "fr": "L'aperçu n'a pas pu être généré pour cette école.",
        "en": "The preview could not be rendered for this school.",
    },
    "file_too_large": {
        "fr": "Le fichier fait {size} octets ; la limite est de {most} octets.",
        "en": "The file is {size} bytes; the limit is {most} bytes.",
    },
    "concurrent_upload": {
        "fr": "Un autre téléversement de cette trame a eu lieu au même moment : réessayez.",
        "en": "Another upload of this template happened at the same time: try again.",
    },
}
MESSAGES.update(clause_editing.ERRORS)  # editing clauses and reviewing tracked changes

MESSAGES.update(clause_library.ERRORS)  # the clause library's (issue 19)
MESSAGES.update(publication_reviews.ERRORS)  # four eyes and publication reviews
MESSAGES.update(plan_records.ERRORS)  # the plan's records, waivers and rule parameters
MESSAGES.update(provisions.ERRORS)  # local provisions
MESSAGES.update(own_data.ERRORS)  # one's own data and correction requests (issue 20)
MESSAGES.update(legal_holds.ERRORS)  # legal holds (issue 20)

#: What a page says of an error that has no key of its own, by the error's code.
BY_CODE: dict[str, dict[str, str]] = {
    "UNAUTHENTICATED": {"fr": "Connectez-vous pour continuer.", "en": "Sign in to continue."},
    "FORBIDDEN": {"fr": "Vous n'avez pas accès à ceci.", "en": "You may not see or do this."},
    "NOT_FOUND": {
        "fr": "Ce que vous demandez n'existe pas ou ne vous est pas accessible.",
        "en": "What you asked for does not exist or is not yours to see.",
    },
    "INVALID_INPUT": {"fr": "La demande n'est pas valable.", "en": "The request is not valid."},
    "CONFLICT": {
        "fr": "Les données ont changé entre-temps : rechargez la page et recommencez.",
        "en": "The data changed in the meantime: reload the page and try again.",
    },
    "ERROR": {"fr": "La demande n'a pas abouti.", "en": "The request did not succeed."},
}


def _shown(name: str, value: Any, language: str) -> Any:
    """A parameter as a page shows it: dates as dd/mm/yyyy, a role as its word."""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if name == "role":
        return label("role", value, language)
    return value


def parameters(params: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The parameters of an error as a page shows them, plus ``title`` when they name a document kind."""
    shown = {name: _shown(name, value, language) for name, value in params.items()}
    kind = params.get("kind")
    if kind and "title" not in shown:
        try:
            shown["title"] = catalogue().kind(str(kind)).title.get(language)
        except (KeyError, LookupError):
            shown["title"] = str(kind)
    return shown


def fields(text: str) -> set[str]:
    """The names of the parameters a message uses."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


def say(error: object, language: str) -> str:
    """What a page shows of ``error`` in ``language``: a GovkitError or InvalidToken (its key and
    parameters), or an error key given as a string; by the error's code when its key is unknown."""
    language = language if language in ("fr", "en") else "fr"
    key = error if isinstance(error, str) else getattr(error, "key", None)
    params = getattr(error, "params", None) or {}
    entry = MESSAGES.get(key) if key else None
    if entry is not None:
        try:
            return entry[language].format(**parameters(params, language))
        except (KeyError, IndexError, ValueError):
            pass  # a parameter missing: the general message below
    code = getattr(error, "code", "ERROR")
    return BY_CODE.get(code, BY_CODE["ERROR"])[language]
