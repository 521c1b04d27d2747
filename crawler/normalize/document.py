"""One fetched page, read once: its bytes, its text (decoded once) and its tree (parsed once).

The normalizer and the integrity rules both read the page; a :class:`Document` lets them share the
decoding and the parse::

    doc = Document(body, headers)
    release = normalize_document(doc, url)   # works on its own copy of the tree
    flags = check(doc, release, …)           # reads doc.tree, the page as parsed

``tree`` is the page as parsed and must not be changed: whoever edits a tree (the normalizer drops
scripts, boilerplate and rows as it reads) takes ``tree_to_change()``, a copy — or, when nothing else
will read the document, the parsed tree itself (``take_tree()``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cached_property

from lxml import etree

from .decode import decode_html
from .dom import parse


class Document:
    """A page's bytes and headers, or its text; decoded and parsed at most once each."""

    def __init__(
        self, body: bytes | None, headers: Mapping[str, str] | None = None, *, text: str | None = None
    ) -> None:
        self.body = body
        self.headers = headers
        if text is not None:
            self.__dict__["_decoded"] = (text, None)
        self._tree: etree._Element | None = None
        self._parsed = False

    @classmethod
    def of_text(cls, text: str) -> Document:
        """A page already decoded (its encoding unknown)."""
        return cls(None, text=text)

    @cached_property
    def _decoded(self) -> tuple[str, str | None]:
        body = self.body or b""
        try:
            return decode_html(body, self.headers)
        except (LookupError, UnicodeError, ValueError):  # a codec that chokes on hostile bytes
            return body.decode("utf-8", errors="replace"), "utf-8"

    @property
    def text(self) -> str:
        return self._decoded[0]

    @property
    def encoding(self) -> str | None:
        """The Python codec the bytes were read with (None for a document made from text)."""
        return self._decoded[1]

    @property
    def tree(self) -> etree._Element | None:
        """The page as parsed (None when nothing parseable is left). Read it; never change it."""
        if not self._parsed:
            self._tree = parse(self.text)
            self._parsed = True
        return self._tree

    def tree_to_change(self) -> etree._Element | None:
        """A copy of the tree, the caller's to change."""
        root = self.tree
        return copy.deepcopy(root) if root is not None else None

    def take_tree(self) -> etree._Element | None:
        """The parsed tree itself, the caller's to change: the document forgets it (a later ``tree``
        parses the text again)."""
        root = self.tree
        self._tree, self._parsed = None, False
        return root
