"""What a file is, from its first bytes and (for zip containers) the names inside it."""

from __future__ import annotations

import io
import zipfile

from crawler.normalize.links import file_extension

#: magic numbers → type (the first that matches)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # legacy Office / WPS compound file
    (b"MZ", "exe"),
    (b"\x7fELF", "exe"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)

#: what each sniffed type may be called (extension → types that are no mismatch)
_FITS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "doc": frozenset({"doc", "ole", "docx", "wps"}),  # sites rename .docx to .doc and back
    "docx": frozenset({"docx", "doc", "ole"}),
    "wps": frozenset({"wps", "ole", "doc", "docx"}),
    "xls": frozenset({"xls", "ole", "xlsx", "et"}),
    "xlsx": frozenset({"xlsx", "xls", "ole"}),
    "et": frozenset({"xls", "ole", "xlsx", "et"}),
    "ppt": frozenset({"ppt", "ole", "pptx"}),
    "pptx": frozenset({"pptx", "ppt", "ole"}),
    "dps": frozenset({"ppt", "ole", "pptx"}),
    "ofd": frozenset({"ofd"}),
}
#: types never fine under a document's name
_DANGEROUS = frozenset({"exe", "html"})


def _ole_kind(data: bytes) -> str:
    """Word, Excel, PowerPoint or WPS inside a compound file, by its stream names (UTF-16)."""
    head = data[: 1 << 20]
    for name, kind in (
        ("WordDocument", "doc"),
        ("Workbook", "xls"),
        ("Book", "xls"),
        ("PowerPoint Document", "ppt"),
        ("WpsContent", "wps"),
    ):
        if name.encode("utf-16-le") in head:
            return kind
    return "ole"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def sniff(data: bytes) -> str:
    """The file's type from its bytes: ``pdf``, ``docx``, ``xlsx``, ``pptx``, ``ofd``, ``zip``,
    ``doc``, ``xls``, ``ppt``, ``wps``, ``ole``, ``html``, ``exe``, an image or archive type,
    ``text``, or ``unknown``."""
    head = data[:1024]
    for magic, kind in _MAGIC:
        if head.startswith(magic) or (kind == "pdf" and magic in head):
            return _ole_kind(data) if kind == "ole" else kind
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<meta")):
        return "html"
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text"
        except UnicodeDecodeError:
            return "text" if b"<html" not in lowered else "html"
    return "unknown"


def mismatch(url: str, kind: str) -> str | None:
    """Why a file's type does not fit its extension (``.pdf`` that is ``html``), or None."""
    ext = file_extension(url)
    if ext is None:
        return f"a {kind} file" if kind in _DANGEROUS else None
    fits = _FITS.get(ext)
    if kind in _DANGEROUS and kind not in (fits or ()):
        return f".{ext} is {kind}"
    if fits is not None and kind not in fits:
        return f".{ext} is {kind}"
    return None
