"""What the tests of the plan's records pages share: a small valid PDF, the session cookie, a page's
CSRF value, and posting a form as a signed-in person would."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.conftest import Api

SCHOOL = "imt-atlantique"
OTHER = "telecom-paris"


def pdf(text: str = "Charte signée") -> bytes:
    """A small well-formed PDF (one page, one line of text)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text.encode('latin-1', 'replace').decode('latin-1')}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"govkit_session={token}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


def post(
    api: Api, token: str, path: str, data: dict[str, Any], files: Any = None, page: str | None = None
) -> httpx.Response:
    """POST ``data`` (and ``files``) to ``path`` with the CSRF value of ``page`` (``path`` by default)."""
    shown = api.request("GET", page or path, headers=cookie(token))
    assert shown.status_code == 200, shown.text[:500]
    return api.request(
        "POST",
        path,
        headers=cookie(token),
        data={"csrf": csrf_of(shown.text), **data},
        files=files,
        follow_redirects=False,
    )


def said(response: httpx.Response) -> str:
    """A page's text as read (entities such as &#39; unescaped)."""
    return html.unescape(response.text)
