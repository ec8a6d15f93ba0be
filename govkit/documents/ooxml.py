"""Small helpers on Office Open XML packages: namespaces, deterministic zips, parts."""

from __future__ import annotations

import io
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W_NS,
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
CLAUSE_TAG_PREFIX = "govkit:clause:"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIXED_ZIP_TIME = (2021, 1, 1, 0, 0, 0)


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def is_jinja_part(name: str) -> bool:
    """Parts where template tags may live: body, headers, footers, notes, core properties."""
    if name in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "docProps/core.xml"):
        return True
    leaf = name.rsplit("/", 1)[-1]
    return (
        name.startswith("word/")
        and name.count("/") == 1
        and leaf.startswith(("header", "footer"))
        and leaf.endswith(".xml")
    )


def rezip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip with fixed timestamps and the given order: same entries, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def read_entries(data: bytes) -> list[tuple[str, bytes]]:
    """Every entry of a package, in order (call only on guarded packages)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist() if not info.is_dir()]
