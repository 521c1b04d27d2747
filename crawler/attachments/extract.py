"""The text inside an attachment, by its sniffed type, with maintained readers:

- PDF: pypdf (a PDF whose pages carry images and no text layer is ``scanned``, not empty);
- DOCX: python-docx (paragraphs, then table cells);
- XLSX: openpyxl (read-only, values only); legacy XLS: xlrd;
- legacy DOC, WPS, PPT, OFD and the rest: ``unsupported`` — stored and hashed, no text.

A reader that fails on hostile bytes gives ``error`` (with the exception's name), never raises. Text
is bounded (``MAX_CHARS``; PDFs read at most ``MAX_PAGES`` pages) so one file cannot fill the index.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

log = logging.getLogger("govwatch.attachments")
# pypdf logs every repair it makes of a broken file; the status says what came of it
logging.getLogger("pypdf").setLevel(logging.ERROR)

#: characters of text kept per file
MAX_CHARS = 2_000_000
#: PDF pages read per file
MAX_PAGES = 2000
#: spreadsheet cells read per file
MAX_CELLS = 500_000


@dataclass(frozen=True)
class Extracted:
    """``text`` (None when there is none) and how the file read: ``ok``, ``scanned``, ``empty``,
    ``unsupported`` or ``error:<Exception>``."""

    text: str | None
    status: str


def _bounded(parts: Iterator[str]) -> str:
    out: list[str] = []
    size = 0
    for part in parts:
        if not part:
            continue
        out.append(part)
        size += len(part) + 1
        if size >= MAX_CHARS:
            break
    return "\n".join(out)[:MAX_CHARS]


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts: list[str] = []
    images = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES:
            break
        texts.append((page.extract_text() or "").strip())
        if not texts[-1]:
            images += _has_images(page)
        if sum(len(t) for t in texts) >= MAX_CHARS:
            break
    text = _bounded(iter(texts)).strip()
    if text:
        return Extracted(text, "ok")
    return Extracted(None, "scanned" if images else "empty")


def _has_images(page: object) -> int:
    try:
        return 1 if list(getattr(page, "images", [])) else 0
    except Exception:  # an image the reader cannot decode is still an image
        return 1


def _docx(data: bytes) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))

    def parts() -> Iterator[str]:
        for paragraph in document.paragraphs:
            yield paragraph.text.strip()
        for table in document.tables:
            for row in table.rows:
                yield "\t".join(cell.text.strip() for cell in row.cells)

    text = _bounded(parts()).strip()
    return Extracted(text, "ok") if text else Extracted(None, "empty")


def _xlsx(data: bytes) -> Extracted:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)

    def parts() -> Iterator[str]:
        cells = 0
        for sheet in book.worksheets:
            yield str(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if v is not None and str(v).strip()]
                cells += len(row)
                if values:
                    yield "\t".join(values)
                if cells >= MAX_CELLS:
                    return

    try:
        text = _bounded(parts()).strip()
    finally:
        book.close()
    return Extracted(text, "ok") if text else Extracted(None, "empty")


def _xls(data: bytes) -> Extracted:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)

    def parts() -> Iterator[str]:
        cells = 0
        for sheet in book.sheets():
            yield sheet.name
            for r in range(sheet.nrows):
                values = [str(v) for v in sheet.row_values(r) if str(v).strip()]
                cells += sheet.ncols
                if values:
                    yield "\t".join(values)
                if cells >= MAX_CELLS:
                    return

    text = _bounded(parts()).strip()
    return Extracted(text, "ok") if text else Extracted(None, "empty")


_READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "xls": _xls}


def extract_text(data: bytes, kind: str) -> Extracted:
    """The text of a file of sniffed type ``kind`` (``crawler.attachments.sniff``)."""
    reader = _READERS.get(kind)
    if reader is None:
        return Extracted(None, "unsupported")
    try:
        return reader(data)
    except Exception as exc:  # hostile or broken files are normal input
        log.info("could not read the text of a %s attachment: %s: %s", kind, type(exc).__name__, exc)
        return Extracted(None, f"error:{type(exc).__name__}")
