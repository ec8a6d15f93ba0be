"""Small helpers on Office Open XML packages: namespaces, deterministic zips, parts."""

from __future__ import annotations

import copy
import hashlib
import io
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class PackedEntry:
    """An entry compressed once, to be copied as is into any number of zips (see ``rezip``)."""

    info: zipfile.ZipInfo
    record: bytes  # the local header and the compressed data, exactly as rezip writes them


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


_PACKED: OrderedDict[tuple[str, bytes], PackedEntry] = OrderedDict()
_PACKED_LOCK = threading.Lock()
_PACKED_SIZE = 256  # entries, a few kB each once compressed


def pack(name: str, data: bytes) -> PackedEntry:
    """Compress an entry once; ``rezip`` then writes the same bytes as if it compressed it itself.

    The entries templates share (styles, theme, settings…) are compressed once per process.
    """
    key = (name, hashlib.sha256(data).digest())
    with _PACKED_LOCK:
        found = _PACKED.get(key)
        if found is not None:
            _PACKED.move_to_end(key)
            return found
    found = _pack(name, data)
    with _PACKED_LOCK:
        _PACKED[key] = found
        while len(_PACKED) > _PACKED_SIZE:
            _PACKED.popitem(last=False)
    return found


def _pack(name: str, data: bytes) -> PackedEntry:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_zip_info(name), data, compresslevel=6)
        record = buffer.getvalue()  # before the central directory is written on closing
        info = archive.infolist()[0]
    return PackedEntry(info=info, record=record)


def rezip(entries: Iterable[tuple[str, bytes | PackedEntry]]) -> bytes:
    """A zip with fixed timestamps and the given order: same entries, same bytes.

    A packed entry (compressed once, beforehand) is copied as is: the zip is the same, only faster to write.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if isinstance(data, PackedEntry):
                info = copy.copy(data.info)
                info.header_offset = buffer.tell()
                buffer.write(data.record)
                archive.filelist.append(info)
                archive.NameToInfo[name] = info
                archive.start_dir = buffer.tell()  # where zipfile writes the next entry, then the directory
            else:
                archive.writestr(_zip_info(name), data, compresslevel=6)
    return buffer.getvalue()


def story_parts(names: Iterable[str]) -> list[str]:
    """The parts that hold clauses, in reading order: the body first, then headers, footers and notes."""
    parts = [n for n in names if is_jinja_part(n) and n != "docProps/core.xml"]
    return sorted(parts, key=lambda n: (n != "word/document.xml", n))


def read_some_entries(data: bytes, select: Callable[[str], bool]) -> tuple[list[str], dict[str, bytes]]:
    """The name of every entry, in order, and the content of the selected ones (only on guarded packages)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        return [info.filename for info in infos], {i.filename: archive.read(i) for i in infos if select(i.filename)}


def read_entries(data: bytes) -> list[tuple[str, bytes]]:
    """Every entry of a package, in order (call only on guarded packages)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist() if not info.is_dir()]
