"""The words of the clause editor and of the review of tracked changes, in French and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "markup_help": {
        "fr": "Une ligne vide sépare deux paragraphes ; les lignes qui se suivent forment un seul paragraphe.",
        "en": "A blank line separates two paragraphs; lines that follow each other form one paragraph.",
    },
    "markup_rules": {"fr": "Mise en forme", "en": "Formatting"},
    "markup_bold": {"fr": "**mot** : gras", "en": "**word**: bold"},
    "markup_italic": {"fr": "*mot* : italique", "en": "*word*: italics"},
    "markup_heading": {
        "fr": "« ## » en début de ligne : titre d'article ; « ### » : sous-titre",
        "en": "'## ' at the start of a line: article heading; '### ': subheading",
    },
    "markup_bullet": {
        "fr": "« - » en début de ligne : élément de liste à puces",
        "en": "'- ' at the start of a line: bullet item",
    },
    "markup_break": {
        "fr": "\\ en fin de ligne : retour à la ligne dans le paragraphe",
        "en": "\\ at the end of a line: line break inside the paragraph",
    },
    "markup_escape": {
        "fr": "\\* : un astérisque ; \\ devant « - » ou « ## » en début de ligne : texte ordinaire",
        "en": "\\*: an asterisk; \\ before '- ' or '## ' at the start of a line: plain text",
    },
    "markup_tags": {
        "fr": "Les balises {{ … }}, {% … %} et {%p … %} (seules sur leur ligne) restent telles quelles.",
        "en": "Tags {{ … }}, {% … %} and {%p … %} (alone on their line) stay as they are.",
    },
    "edited_from": {"fr": "Texte de la version", "en": "Text of version"},
    "review_title": {"fr": "Modifications suivies", "en": "Tracked changes"},
    "review_back": {"fr": "Retour à la trame", "en": "Back to the template"},
    "review_file": {"fr": "Fichier téléversé", "en": "Uploaded file"},
    "review_uploaded": {"fr": "Téléversé par", "en": "Uploaded by"},
    "review_open": {"fr": "à examiner", "en": "to review"},
    "review_accepted": {"fr": "acceptées dans un brouillon", "en": "accepted into a draft"},
    "review_refused": {"fr": "refusé", "en": "refused"},
    "review_help": {
        "fr": "Les insertions et suppressions du fichier, clause par clause. Accepter crée une nouvelle version en brouillon, toutes les modifications appliquées ; refuser n'en garde rien.",
        "en": "The file's insertions and deletions, clause by clause. Accepting makes a new draft version with every change applied; refusing keeps nothing of it.",
    },
    "review_outside": {"fr": "Hors des clauses", "en": "Outside the clauses"},
    "review_inserted": {"fr": "inséré", "en": "inserted"},
    "review_deleted": {"fr": "supprimé", "en": "deleted"},
    "review_insertion": {"fr": "insertion", "en": "insertion"},
    "review_deletion": {"fr": "suppression", "en": "deletion"},
    "review_changes": {"fr": "modifications", "en": "changes"},
    "review_change": {"fr": "Modification", "en": "Change"},
    "review_text": {"fr": "Texte", "en": "Text"},
    "review_author": {"fr": "Auteur", "en": "Author"},
    "review_paragraph": {"fr": "Paragraphe", "en": "Paragraph"},
    "review_accept_help": {
        "fr": "Le brouillon est validé comme tout téléversement, puis se publie comme toute version.",
        "en": "The draft is validated as any upload, then published as any version.",
    },
    "review_accept": {"fr": "Accepter les modifications dans un brouillon", "en": "Accept the changes into a draft"},
    "review_accept_clauses": {
        "fr": "Clauses dont les modifications sont acceptées",
        "en": "Clauses whose changes are accepted",
    },
    "review_reason": {"fr": "Motif du refus", "en": "Reason for refusing"},
    "review_refuse": {"fr": "Refuser le fichier", "en": "Refuse the file"},
    "tracked_reviews": {"fr": "Fichiers avec modifications suivies", "en": "Files with tracked changes"},
}

#: The messages of the errors of clause editing and tracked changes (merged into govkit.web.i18n.errors).
ERRORS: dict[str, dict[str, str]] = {
    "no_clause": {"fr": "La trame n'a pas de clause {key}.", "en": "The template has no clause {key}."},
    "clause_empty": {
        "fr": "Le texte de la clause est vide : une clause garde au moins un paragraphe.",
        "en": "The clause text is empty: a clause keeps at least one paragraph.",
    },
    "clause_long": {
        "fr": "Une clause est limitée à {most} caractères.",
        "en": "A clause is limited to {most} characters.",
    },
    "clause_not_editable": {
        "fr": "La clause {key} contient un élément que l'éditeur ne sait pas garder ({what}) : modifiez-la dans Word et téléversez le .docx.",
        "en": "Clause {key} holds {what}, which the clause editor cannot keep: edit it in Word and upload the .docx.",
    },
    "no_review": {"fr": "Aucun fichier à examiner n° {id}.", "en": "No tracked change review {id}."},
    "review_decided": {
        "fr": "Ce fichier a déjà été traité par {by}.",
        "en": "This upload was already {status} by {by}.",
    },
    "review_decided_now": {
        "fr": "Quelqu'un d'autre a traité ce fichier au même moment.",
        "en": "This upload was decided at the same time by someone else.",
    },
    "review_reason_required": {"fr": "Dites pourquoi le fichier est refusé.", "en": "Say why the upload is refused."},
    "review_reason_long": {
        "fr": "Le motif est limité à {most} caractères.",
        "en": "The reason is limited to {most} characters.",
    },
    "review_unknown_clause": {
        "fr": "Le fichier n'a pas de modification suivie dans {keys}.",
        "en": "The upload has no tracked change in {keys}.",
    },
    "review_no_clause": {
        "fr": "Choisissez les clauses dont les modifications sont acceptées.",
        "en": "Choose the clauses whose changes are accepted.",
    },
    "clause_edit_stale": {
        "fr": "La version {version} a été enregistrée depuis l'ouverture de cette clause : rouvrez la clause et refaites la modification.",
        "en": "Version {version} was saved since this clause was opened: open the clause again and redo the change.",
    },
}
