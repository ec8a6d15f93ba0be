"""The words of the read log shown to the person (govkit.privacy.reads; the member page /ui/me)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "reads_of_my_data": {"fr": "Consultations de vos données", "en": "Who read your data"},
    "reads_of_my_data_help": {
        "fr": "Chaque consultation de vos données personnelles (nom, courriel, identifiant) par le personnel est "
        "enregistrée : quand, par quel rôle de quelle école, comment et quelles données. Le nom de la personne "
        "qui a consulté n'est pas affiché ; le délégué à la protection des données peut vous le communiquer "
        "si vous en avez besoin pour exercer vos droits.",
        "en": "Every read of your personal data (name, e-mail, identifier) by staff is recorded: when, by which role "
        "of which school, how and which data. The name of the staff member is not shown; the data protection "
        "officer can give it to you if you need it to exercise your rights.",
    },
    "reads_none": {"fr": "Personne n'a consulté vos données.", "en": "Nobody has read your data."},
    "read_when": {"fr": "Quand (Paris)", "en": "When (Paris)"},
    "read_by": {"fr": "Par", "en": "By"},
    "read_channel": {"fr": "Comment", "en": "How"},
    "read_fields": {"fr": "Données", "en": "Data"},
    "read_group_wide": {"fr": "groupe IMT", "en": "IMT group"},
    "read_channel_page": {"fr": "page", "en": "page"},
    "read_channel_graphql": {"fr": "API (GraphQL)", "en": "API (GraphQL)"},
    "read_channel_csv": {"fr": "export CSV", "en": "CSV export"},
    "read_channel_cli": {"fr": "export par un administrateur", "en": "export by an administrator"},
    # the fields read (govkit.privacy.exposure.PERSONAL_FIELDS), as the person is shown them
    "read_field_external_id": {"fr": "identifiant", "en": "identifier"},
    "read_field_person_external_id": {"fr": "identifiant", "en": "identifier"},
    "read_field_given_name": {"fr": "prénom", "en": "given name"},
    "read_field_family_name": {"fr": "nom", "en": "family name"},
    "read_field_email": {"fr": "courriel", "en": "e-mail"},
    "read_field_recipient": {"fr": "courriel", "en": "e-mail"},
    "read_field_entry_date": {"fr": "date d'arrivée", "en": "entry date"},
    "read_field_preferred_language": {"fr": "langue", "en": "language"},
    "read_field_wording": {"fr": "texte accepté", "en": "words accepted"},
    "read_field_pseudonym": {"fr": "pseudonyme", "en": "pseudonym"},
    "read_field_all": {"fr": "toutes vos données (export)", "en": "all your data (export)"},
}
