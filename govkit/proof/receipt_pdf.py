"""The receipt of an acknowledgement as a PDF/A-2b document (fpdf2, in-process), before sealing.

``receipt_pdf(receipt, context, fonts)`` lays out, in French and English, what the acknowledgement
recorded (``Receipt.to_json()``: person, school, document and its SHA-256, wording, times, method,
authentication, chain hashes) and where to verify it (the absolute URL and its QR code), and says
whose clock gave the time. It leaves a box on the last page for the seal (``Layout.seal_box``,
where govkit.proof.pades puts the signature field). The receipt's data, as JSON, is also in the
XMP metadata (``govkit:receipt``, described by a PDF/A extension schema) so that a verifier reads
them without extracting text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import segno
from fpdf import FPDF

from govkit.days import PARIS
from govkit.proof.fonts import ReceiptFonts
from govkit.proof.pdf_text import MM_TO_PT, cut, new_pdfa, style, write

#: The seal's box: width and height in mm.
SEAL_W, SEAL_H = 120.0, 17.0
QR_SIZE = 32.0

METHODS = {
    "electronic": "électronique / electronic",
    "paper": "sur papier / on paper",
    "carried_forward": "reprise d'une prise de connaissance antérieure / carried forward",
}
AUTHENTICATIONS = {
    "oidc": "authentification unique de l'école (OpenID Connect) / school single sign-on (OpenID Connect)",
    "govkit_token": "jeton govkit / govkit token",
    "sign_in_link": "lien de connexion personnel / personal sign-in link",
    "paper_signature": "signature manuscrite sur papier / handwritten signature on paper",
    "carried_forward": "reprise / carried forward",
}
SHOWN_VIA = {
    "page": "page de l'espace personnel / member page",
    "html": "document HTML / HTML document",
    "pdf": "téléchargement PDF / PDF download",
    "docx": "téléchargement .docx / .docx download",
    "intranet": "intranet de l'école / the school's intranet",
}


@dataclass(frozen=True)
class ReceiptContext:
    """What the receipt states beside the record: where to verify, the chain's length when it was
    made, who seals it (None: not sealed) and which time-stamping authority (None: govkit's clock)."""

    verify_url: str
    chain_count: int
    sealer: str | None
    tsa: str | None
    demo: bool
    made_at: datetime


@dataclass(frozen=True)
class Layout:
    pdf: bytes
    #: The seal's place: page index (from 0) and rectangle (x1, y1, x2, y2) in PDF points.
    seal_page: int
    seal_box: tuple[int, int, int, int]


def receipt_data(receipt: Mapping[str, Any], context: ReceiptContext) -> dict[str, Any]:
    """The machine-readable data put in the XMP metadata."""
    return {
        "format": "govkit-receipt/1",
        "receipt": dict(receipt),
        "verify_url": context.verify_url,
        "chain_count": context.chain_count,
        "made_at": context.made_at.astimezone(UTC).isoformat(),
        "time_source": "tsa" if context.tsa else "govkit",
    }


def receipt_pdf(receipt: Mapping[str, Any], context: ReceiptContext, fonts: ReceiptFonts) -> Layout:
    """The receipt as PDF/A-2b bytes, and where its seal goes."""
    code = receipt["verification_code"]
    title = f"Attestation de prise de connaissance / Acknowledgement receipt {code}"
    data = receipt_data(receipt, context)
    pdf = new_pdfa(title, context.made_at, fonts, _all_text(receipt, context), data=data)
    pdf.add_page()
    _heading(pdf, context)
    _table(pdf, receipt, context)
    _wording(pdf, str(receipt.get("wording") or ""))
    page, box = _verification_and_seal(pdf, context)
    return Layout(pdf=bytes(pdf.output()), seal_page=page, seal_box=box)


def _all_text(receipt: Mapping[str, Any], context: ReceiptContext) -> str:
    return json.dumps(receipt, ensure_ascii=False) + context.verify_url + (context.sealer or "") + (context.tsa or "")


def _heading(pdf: FPDF, context: ReceiptContext) -> None:
    style(pdf, 16)
    write(pdf, pdf.l_margin, ["Attestation de prise de connaissance"], 8)
    style(pdf, 11.5, grey=90)
    write(pdf, pdf.l_margin, ["Acknowledgement receipt"], 6)
    if context.demo:
        style(pdf, 9.5)
        pdf.set_text_color(170, 0, 0)
        demo = "Sceau de DÉMONSTRATION, sans valeur probante / DEMONSTRATION seal, of no evidential value"
        write(pdf, pdf.l_margin, [demo], 5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _rows(receipt: Mapping[str, Any], context: ReceiptContext) -> list[tuple[str, str, str]]:
    person = receipt.get("person") or {}
    document = receipt.get("document") or {}
    rows = [
        ("Personne", "Person", f"{person.get('name', '')} ({person.get('external_id', '')})"),
        ("École", "School", str(receipt.get("school", ""))),
        (
            "Document",
            "Document",
            f"{document.get('title', '')} ({document.get('kind', '')}) — version {document.get('version', '')}, "
            f"langue / language {document.get('language', '')}, "
            f"en vigueur le / effective {document.get('effective_from', '')}",
        ),
        ("Empreinte SHA-256 du document", "Document SHA-256", str(document.get("sha256", ""))),
    ]
    if receipt.get("shown_at"):
        via = receipt.get("shown_via")
        shown = _moment(str(receipt["shown_at"]))
        if via:
            shown += f"\nvia : {SHOWN_VIA.get(str(via), str(via))}"
        rows.append(("Document présenté le", "Document shown at", shown))
    rows += [
        ("Prise de connaissance le", "Acknowledged at", _moment(str(receipt["acknowledged_at"]))),
        ("Source de l'heure", "Time source", _time_source(context)),
        ("Mode", "Method", METHODS.get(str(receipt.get("method")), str(receipt.get("method", "")))),
        (
            "Authentification",
            "Authentication",
            AUTHENTICATIONS.get(str(receipt.get("authentication")), str(receipt.get("authentication", ""))),
        ),
        ("Enregistré par", "Recorded by", str(receipt.get("recorded_by") or "")),
        ("Code de vérification", "Verification code", str(receipt.get("verification_code", ""))),
        ("Empreinte de l'enregistrement", "Record hash", str(receipt.get("record_hash", ""))),
        ("Empreinte précédente", "Previous hash", str(receipt.get("previous_hash", ""))),
        (
            "Position dans la chaîne",
            "Chain position",
            f"enregistrement n° {receipt.get('receipt_id')} ; {context.chain_count} enregistrements à l'émission "
            f"du reçu / record no. {receipt.get('receipt_id')}; {context.chain_count} records when issued",
        ),
    ]
    if receipt.get("personal_data_erased") or receipt.get("personal_data_erasure"):
        rows.append(
            (
                "Données personnelles",
                "Personal data",
                f"{receipt['personal_data_erasure']} ; empreintes vérifiables / the hashes remain verifiable"
                if receipt.get("personal_data_erasure")
                else "effacées ; les empreintes restent vérifiables / erased; the hashes remain verifiable",
            )
        )
    return rows


def _table(pdf: FPDF, receipt: Mapping[str, Any], context: ReceiptContext) -> None:
    """Label (French, then English in grey) and value rows, a rule between them."""
    line = 4.1
    value_x = pdf.l_margin + 54.0
    value_w = pdf.w - pdf.r_margin - value_x
    pdf.set_draw_color(200, 200, 200)
    for french, english, value in _rows(receipt, context):
        style(pdf, 8.8)
        lines = cut(pdf, value, value_w)
        height = max(2, len(lines)) * line + 1.6
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        pdf.line(pdf.l_margin, top, pdf.w - pdf.r_margin, top)
        pdf.set_y(top + 0.8)
        style(pdf, 8.3, grey=30)
        write(pdf, pdf.l_margin, [french], line)
        style(pdf, 8.3, grey=110)
        write(pdf, pdf.l_margin, [english], line)
        style(pdf, 8.8)
        pdf.set_y(top + 0.8)
        write(pdf, value_x, lines, line)
        pdf.set_y(top + height)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def _wording(pdf: FPDF, wording: str) -> None:
    style(pdf, 10)
    write(pdf, pdf.l_margin, ["Texte accepté / Wording accepted"], 5.5)
    style(pdf, 9.2)
    lines = cut(pdf, wording, pdf.epw - 4)
    pdf.set_fill_color(244, 244, 244)
    top, height = pdf.get_y(), len(lines) * 4.5 + 3
    if top + height <= pdf.h - pdf.b_margin:
        pdf.rect(pdf.l_margin, top, pdf.epw, height, style="F")
        pdf.set_y(top + 1.5)
        write(pdf, pdf.l_margin + 2, lines, 4.5)
        pdf.set_y(top + height)
    else:  # a long wording: line by line, across pages
        for line in lines:
            if pdf.get_y() + 4.5 > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.rect(pdf.l_margin, pdf.get_y(), pdf.epw, 4.5, style="F")
            write(pdf, pdf.l_margin + 2, [line], 4.5)
    pdf.ln(3)


def _verification_and_seal(pdf: FPDF, context: ReceiptContext) -> tuple[int, tuple[int, int, int, int]]:
    if pdf.get_y() + QR_SIZE + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    _qr(pdf, context.verify_url, pdf.l_margin, top, QR_SIZE)
    x = pdf.l_margin + QR_SIZE + 5
    width = pdf.w - pdf.r_margin - x
    pdf.set_y(top + 1)
    style(pdf, 10)
    write(pdf, x, ["Vérifier ce reçu / Verify this receipt"], 5)
    style(pdf, 8.5)
    pdf.set_text_color(0, 60, 150)
    write(pdf, x, cut(pdf, context.verify_url, width), 4.2, link=context.verify_url)
    pdf.set_text_color(0, 0, 0)
    seal_top = pdf.get_y() + 2
    pdf.set_y(seal_top + 1.5)
    write(pdf, x + 1.5, cut(pdf, _seal_text(context), SEAL_W - 3), 4.2)
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE) + 3)
    style(pdf, 7.5, grey=90)
    notice = (
        "Toute modification de ce fichier invalide le sceau électronique ; le détail du sceau se lit dans le "
        "panneau des signatures d'un lecteur PDF. / Any change to this file breaks the electronic seal; a PDF "
        "reader's signature panel shows the seal's details."
    )
    write(pdf, pdf.l_margin, cut(pdf, notice, pdf.epw), 3.6)
    pdf.set_text_color(0, 0, 0)
    x1, y1 = x * MM_TO_PT, (pdf.h - seal_top - SEAL_H) * MM_TO_PT
    box = (round(x1), round(y1), round(x1 + SEAL_W * MM_TO_PT), round(y1 + SEAL_H * MM_TO_PT))
    return pdf.page - 1, box


def _seal_text(context: ReceiptContext) -> str:
    if context.sealer is None:
        return (
            "NON SCELLÉ : govkit n'a pas de certificat de scellement configuré. / NOT SEALED: govkit has no "
            "sealing certificate configured."
        )
    stamp = (
        f"horodaté par / time-stamped by {context.tsa}"
        if context.tsa
        else "sans horodatage tiers / no third-party time-stamp"
    )
    return f"Scellé électroniquement par / Electronically sealed by:\n{context.sealer}\n{stamp}"


def _time_source(context: ReceiptContext) -> str:
    if context.tsa:
        return (
            "horloge de govkit pour l'enregistrement ; le sceau porte un jeton d'horodatage RFC 3161 de "
            f"{context.tsa} / govkit's clock for the record; the seal carries an RFC 3161 time-stamp "
            f"token from {context.tsa}"
        )
    return (
        "horloge de govkit (aucune autorité d'horodatage configurée) / govkit's own clock (no "
        "time-stamping authority configured)"
    )


def _moment(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    paris = moment.astimezone(PARIS)
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC\n{paris:%Y-%m-%d %H:%M:%S} heure de Paris / Paris time ({paris:%z})"


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` as vector rectangles (one per run of dark modules in a row), written
    as one path filled once."""
    # mask 0 instead of the best of eight: as readable, without scoring each (most of segno's time)
    matrix = segno.make(url, error="m", micro=False, mask=0).matrix
    border = 2
    module = size / (len(matrix) + 2 * border) * pdf.k
    left, top = x * pdf.k, (pdf.h - y) * pdf.k
    parts = ["q 0 g"]
    for row_index, row in enumerate(matrix):
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                x0 = left + (start + border) * module
                y0 = top - (row_index + border + 1) * module
                parts.append(f"{x0:.2f} {y0:.2f} {(column - start) * module:.2f} {module:.2f} re")
                start = None
    parts.append("f Q")
    pdf._out("\n".join(parts))
