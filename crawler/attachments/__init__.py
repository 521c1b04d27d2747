"""Attachments (附件): which links of a release are its documents, what a fetched file is (sniffed
from its bytes), and the text inside it. Pure functions; the crawl fetches, the store keeps.

- ``select.document_links(release, scope)``: the document-type links of a release's attachment
  block and body on the site's hosts (and its ``file_hosts``), under the URL policy;
- ``sniff.sniff(data)``: the file's type from its bytes; ``sniff.mismatch(url, kind)``: a type its
  extension does not match (an ``.pdf`` that is HTML, an executable);
- ``extract.extract_text(data, kind)``: its text (pypdf, python-docx, openpyxl, xlrd) and how it
  read: ``ok``, ``scanned`` (a PDF without a text layer), ``empty``, ``unsupported``, ``error``.
"""

from __future__ import annotations

from crawler.attachments.extract import Extracted, extract_text
from crawler.attachments.select import DOCUMENT_EXTENSIONS, document_links
from crawler.attachments.sniff import mismatch, sniff

__all__ = ["DOCUMENT_EXTENSIONS", "Extracted", "document_links", "extract_text", "mismatch", "sniff"]
