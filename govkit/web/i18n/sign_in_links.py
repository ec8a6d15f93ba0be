"""The interface's words of one-click sign-in links from the e-mails, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "link_title": {"fr": "Connexion par lien", "en": "Sign in with a link"},
    "link_intro": {
        "fr": "Ce lien, reçu par courriel, vous connecte à govkit pour lire et accepter vos documents. "
        "Il ne sert qu'une fois.",
        "en": "This link, received by e-mail, signs you in to govkit to read and accept your documents. "
        "It works only once.",
    },
    "link_continue": {"fr": "Continuer vers mes documents", "en": "Continue to your documents"},
    "link_not_you": {
        "fr": "Si ce courriel ne vous était pas destiné, fermez simplement cette page.",
        "en": "If this e-mail was not meant for you, just close this page.",
    },
    "link_or_sso": {
        "fr": "Vous pouvez aussi vous connecter avec le compte de votre école :",
        "en": "You can also sign in with your school account:",
    },
    "link_sso": {"fr": "Se connecter avec le compte de l'école", "en": "Sign in with your school account"},
    "link_refused_title": {"fr": "Ce lien ne fonctionne pas", "en": "This link does not work"},
    "link_unknown": {
        "fr": "Ce lien de connexion n'existe pas : vérifiez qu'il a été copié en entier depuis le courriel.",
        "en": "This sign-in link does not exist: check that it was copied whole from the e-mail.",
    },
    "link_used": {
        "fr": "Ce lien de connexion a déjà servi : chaque lien ne fonctionne qu'une fois.",
        "en": "This sign-in link has already been used: each link works only once.",
    },
    "link_expired": {
        "fr": "Ce lien de connexion a expiré.",
        "en": "This sign-in link has expired.",
    },
    "link_departed": {
        "fr": "Ce lien de connexion n'est plus valable.",
        "en": "This sign-in link is no longer valid.",
    },
    "link_form_expired": {
        "fr": "Le formulaire a expiré ou ne vient pas de govkit : rouvrez le lien reçu par courriel.",
        "en": "The form expired or did not come from govkit: open the link from the e-mail again.",
    },
    "link_reopen": {"fr": "Rouvrir le lien", "en": "Open the link again"},
    "link_too_many": {
        "fr": "Trop de tentatives de connexion : patientez une minute, puis réessayez.",
        "en": "Too many sign-in attempts: wait a minute, then try again.",
    },
    "link_signin_instead": {
        "fr": "Vous pouvez vous connecter autrement, ou attendre le prochain courriel de rappel.",
        "en": "You can sign in another way, or wait for the next reminder e-mail.",
    },
    "link_to_signin": {"fr": "Aller à la page de connexion", "en": "Go to the sign-in page"},
}
