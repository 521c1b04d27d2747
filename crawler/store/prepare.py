"""Work the store does on a release page's text and bytes, done ahead by the judging worker.

Recording a new release or version makes the search bigrams of its title and body and compresses
its raw HTML: pure functions of the page, a few percent of a crawl process's time. The judging
worker (``crawler.crawl.judging``) makes them beside the page's judgement (:func:`prepare`); the crawl
process hands them to the store (:func:`remember`) and ``bigrams`` and ``compress`` take them instead
of computing them. Each is kept by the exact input it was made from, so a value taken is always the
one the store would have computed; one never taken (the page made no new version) is dropped among
the oldest past ``KEEP``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

from crawler.model import Release

K = TypeVar("K")
V = TypeVar("V")

#: values kept waiting for the store, per kind (pages judged but not yet recorded: a few dozen)
KEEP = 256


class Ahead(Generic[K, V]):
    """Values made ahead of time, by their input: ``take`` one once, or None."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._values: OrderedDict[K, V] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        self._values[key] = value
        while len(self._values) > self.keep:
            self._values.popitem(last=False)

    def take(self, key: K) -> V | None:
        return self._values.pop(key, None)


#: the search bigrams of a text, and the compressed raw HTML of a page
BIGRAMS: Ahead[str, str] = Ahead()
COMPRESSED: Ahead[bytes, bytes] = Ahead()


def prepare(release: Release, body: bytes) -> dict[str, Any]:
    """What the store will make of this judged page when it records it (in the judging worker)."""
    from crawler.store.codec import compress
    from crawler.store.search import bigrams

    texts = {text: bigrams(text) for text in (release.title, release.body_text) if text}
    return {"bigrams": texts, "compressed": compress(body)}


def remember(prepared: dict[str, Any] | None, body: bytes | None) -> None:
    """Keep what :func:`prepare` made for ``body`` until the store takes it."""
    if not prepared:
        return
    for text, value in (prepared.get("bigrams") or {}).items():
        BIGRAMS.put(text, value)
    if body and prepared.get("compressed"):
        COMPRESSED.put(body, prepared["compressed"])
