"""The words of the proof of display and of erased personal data on the member's pages, in French
and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "shown": {"fr": "Document présenté", "en": "Document shown"},
    "shown_not_recorded": {
        "fr": "non enregistré (visa papier, report, ou prise de connaissance antérieure à cet enregistrement)",
        "en": "not recorded (paper visa, carried forward, or acknowledged before govkit recorded it)",
    },
    "personal_data_erased": {
        "fr": "Données personnelles effacées : l'enregistrement reste vérifiable par ses empreintes salées.",
        "en": "Personal data erased: the record stays verifiable through its salted digests.",
    },
}
