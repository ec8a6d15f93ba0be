"""The certificate of an acknowledgement: a small .docx anyone can open and check (pure)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.shared import Pt

from govkit.acknowledgements.receipts import shown_text
from govkit.documents.ooxml import read_entries, rezip

FIXED = datetime(2021, 1, 1)


def certificate_docx(receipt: dict, verify_url: str) -> bytes:
    """A one-page certificate: document hash, when it was shown, time, identity method, verification code."""
    document = Document()
    document.core_properties.title = f"Attestation de prise de connaissance {receipt['verification_code']}"
    document.core_properties.author = "govkit"
    document.core_properties.created = document.core_properties.modified = FIXED
    document.add_heading("Attestation de prise de connaissance / Acknowledgement certificate", level=1)
    moment = datetime.fromisoformat(receipt["acknowledged_at"]).astimezone(UTC)
    rows = [
        ("Personne / Person", f"{receipt['person']['name']} ({receipt['person']['external_id']})"),
        ("École / School", receipt["school"]),
        (
            "Document",
            f"{receipt['document']['title']} — version {receipt['document']['version']} "
            f"({receipt['document']['language']}), en vigueur le {receipt['document']['effective_from']}",
        ),
        ("Empreinte SHA-256 du document", receipt["document"]["sha256"]),
        ("Document présenté / Shown", shown_text(receipt)),
        ("Date et heure (UTC)", moment.strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("Mode / Method", receipt["method"]),
        ("Authentification", receipt["authentication"]),
        ("Enregistré par / Recorded by", receipt["recorded_by"]),
        ("Code de vérification", receipt["verification_code"]),
        ("Empreinte de l'enregistrement", receipt["record_hash"]),
        ("Enregistrement précédent", receipt["previous_hash"]),
    ]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph()
    document.add_paragraph("Texte accepté / Wording accepted :").runs[0].bold = True
    document.add_paragraph(receipt["wording"])
    check = document.add_paragraph(
        f"Vérification : {verify_url} — indiquer le code et l'empreinte SHA-256 du document. "
        "Verification: give the code and the document's SHA-256 fingerprint."
    )
    check.runs[0].font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return rezip(read_entries(buffer.getvalue()))
