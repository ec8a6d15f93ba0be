"""The interface's words of the sealed PDF receipts, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "sealed_pdf": {"fr": "Télécharger le reçu scellé (PDF)", "en": "Download the sealed receipt (PDF)"},
    "seal": {"fr": "Sceau électronique", "en": "Electronic seal"},
    "seal_sealed": {"fr": "scellé le {at}", "en": "sealed on {at}"},
    "seal_timestamped": {"fr": "horodaté par {tsa} le {at}", "en": "time-stamped by {tsa} on {at}"},
    "seal_own_clock": {
        "fr": "heure de l'horloge de govkit (aucune autorité d'horodatage)",
        "en": "time from govkit's own clock (no time-stamping authority)",
    },
    "seal_sealing": {
        "fr": "en cours de scellement : le PDF sera prêt dans quelques secondes",
        "en": "being sealed: the PDF will be ready in a few seconds",
    },
    "seal_unsealed": {
        "fr": "non scellé : govkit n'a pas de certificat de scellement configuré",
        "en": "not sealed: govkit has no sealing certificate configured",
    },
    "seal_failed": {
        "fr": "le scellement a échoué, il sera tenté de nouveau",
        "en": "sealing failed; it will be retried",
    },
    "seal_pending_page": {
        "fr": "Le reçu est en cours de scellement : la page se recharge dans quelques secondes.",
        "en": "The receipt is being sealed: the page reloads in a few seconds.",
    },
}
