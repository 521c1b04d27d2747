"""reparse: a normalizer-version bump rewrites hashes and fields and makes no events."""

from __future__ import annotations

import re

from crawler.model import Release
from tests.records import BODY, INDEX_NO, ok, release


def normalizer(version: int):
    """A fake normalizer: reads the title and paragraphs back out of tests/records.page() HTML. Version 2
    folds full-width spaces (so pages that had them hash differently)."""

    def normalize(body: bytes, url: str, headers=None) -> Release:
        text = body.decode()
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        paragraphs = re.findall(r"<p>(.*?)</p>", text)
        if version >= 2:
            paragraphs = [p.replace("\u3000", "") for p in paragraphs]
        rel = release(url=url, title=title, paragraphs=paragraphs, normalizer_version=version)
        rel.content_hash = f"v{version}:" + str(hash((title, tuple(paragraphs))))
        return rel

    return normalize


def test_reparse_rewrites_hashes_without_events(store):
    v1 = normalizer(1)
    spaced = [BODY[0], "\u3000\u3000" + BODY[1], BODY[2]]
    ok(store, v1(b"<title>T</title>" + b"".join(f"<p>{p}</p>".encode() for p in spaced), release().url))
    ok(store, release(index_no="other", url="http://x/o", paragraphs=["无空格"]))
    events_before = store.db["events"].count
    hash_before = store.release(INDEX_NO)["content_hash"]

    stats = store.reparse(normalizer(2))

    assert stats["releases"] == 2 and stats["versions"] == 2 and stats["rehashed"] == 2
    assert store.db["events"].count == events_before
    rel = store.release(INDEX_NO)
    assert rel["content_hash"] != hash_before and rel["content_hash"].startswith("v2:")
    version = store.history(INDEX_NO)[0]
    assert version["normalizer_version"] == 2 and version["content_hash"] == rel["content_hash"]
    assert "\u3000" not in version["body"]
    # the next crawl, normalized by v2, sees nothing new
    page = b"<title>T</title>" + b"".join(f"<p>{p}</p>".encode() for p in spaced)
    assert ok(store, normalizer(2)(page, release().url)) == []


def test_versions_that_collapse_are_kept(store):
    v1 = normalizer(1)
    url = release().url
    ok(store, v1("<title>T</title><p>甲乙</p>".encode(), url))
    ok(store, v1("<title>T</title><p>甲\u3000乙</p>".encode(), url))
    assert store.db["versions"].count == 2
    store.reparse(normalizer(2))
    hashes = [v["content_hash"] for v in store.history(INDEX_NO)]
    assert len(hashes) == 2 and hashes[0] == hashes[1]
    assert store.release(INDEX_NO)["current_version"] == 2
    assert store.db["events"].count == 2  # new + the original changed; reparse added none


def test_reparse_skips_pages_the_new_normalizer_rejects(store):
    ok(store, release())

    def broken(body, url, headers=None):
        raise ValueError("cannot parse")

    stats = store.reparse(broken)
    assert stats["skipped"] == 1 and stats["rehashed"] == 0
