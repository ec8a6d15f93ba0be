"""The words of the proof of display and of erased personal data on the member's pages, in French
and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "personal_data_erased": {
        "fr": "Données personnelles effacées : l'enregistrement reste vérifiable par ses empreintes salées.",
        "en": "Personal data erased: the record stays verifiable through its salted digests.",
    },
}
