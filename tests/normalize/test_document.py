"""One decode and one parse per page, shared by the normalizer and the integrity rules: sharing must
change nothing either of them derives, and the normalizer must leave the shared tree as parsed."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from crawler.crawl.pipelines import judge
from crawler.integrity import check
from crawler.model import Fetch
from crawler.normalize import Document, normalize, normalize_document
from tests.corpus import real_pages
from tests.helpers import FIXTURES, REFERENCE_PAGE

HOSTS = frozenset({"www.example.gov.cn"})
URL = "http://www.example.gov.cn/art/2022/9/14/art_1_1.html"
SAVED = sorted(FIXTURES.glob("*.html")) + sorted((FIXTURES / "integrity").glob("*.html"))


def _variants(body: bytes) -> list[bytes]:
    """The page, and the page with what takes the rules' own parse (control characters) or what a
    hostile page adds (a processing instruction, nesting past libxml2's default depth)."""
    text = body.decode("utf-8", "replace")
    at = max(text.find("<body"), 0)
    deep = "<div>" * 300 + "<p>bet365 备用网址 深处</p>" + "</div>" * 300
    return [
        body,
        (text[:at] + "\x01<p>\x07控制\x1f字符</p>" + text[at:]).encode(),
        ('<?xml version="1.0"?>' + text[:at] + "<?php echo 1; ?>" + text[at:] + deep).encode(),
    ]


@pytest.mark.parametrize("path", SAVED + real_pages(), ids=lambda p: Path(p).name)
def test_one_parse_derives_what_two_parses_derived(path):
    for body in _variants(Path(path).read_bytes()):
        doc = Document(body, {"Content-Type": "text/html"})
        parsed = etree.tostring(doc.tree) if doc.tree is not None else None
        release = normalize_document(doc, URL)
        assert release.to_dict() == normalize(body, URL, {"Content-Type": "text/html"}).to_dict()
        # the normalizer changed its own copy: the shared tree is still the page as parsed
        assert (etree.tostring(doc.tree) if doc.tree is not None else None) == parsed
        if release.is_release:
            shared = [f.to_dict() for f in check(doc, release, site_hosts=HOSTS)]
            assert shared == [f.to_dict() for f in check(body, release, site_hosts=HOSTS)]


def test_the_crawl_judges_a_page_once_parsed_as_it_judged_it_parsed_twice():
    body = REFERENCE_PAGE.read_bytes()
    fetch = Fetch(url=URL, site="s", outcome="ok", status=200, body=body, headers={})
    release, flags = judge(fetch, HOSTS)
    assert release is not None and release.to_dict() == normalize(body, URL).to_dict()
    assert [f.to_dict() for f in flags] == [f.to_dict() for f in check(body, release, site_hosts=HOSTS)]
    assert any(f.severity == "critical" for f in flags)  # the defaced reference page stays caught


def test_a_document_whose_tree_was_taken_parses_again():
    doc = Document(b"<html><body><p>\xe4\xb8\x80</p></body></html>")
    taken = doc.take_tree()
    assert taken is not None
    taken.find("body").clear()  # the taker's to change
    again = doc.tree
    assert again is not taken and again.findtext("body/p") == "一"
