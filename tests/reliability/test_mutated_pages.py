"""Real pages, mutated the way networks and servers mangle them — cut off at any byte, tags torn
out, re-encoded and labelled wrongly, blown up to megabytes — go through ``normalize`` and the
integrity ``check`` without an exception and in bounded time (pytest-timeout, generous), and a
page whose bytes change only in encoding keeps its content hash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.integrity import check
from crawler.normalize import normalize
from tests.corpus import real_pages
from tests.helpers import FIXTURES, REFERENCE_PAGE, REFERENCE_URL

#: the reference page, the shared corpus's real pages when it is beside the clone, and our own pages
PAGES = sorted([REFERENCE_PAGE, *real_pages()] + sorted(FIXTURES.glob("*.html"))[:12])
RELEASES = [p for p in PAGES if not p.name.startswith("notrelease_")]
URL = REFERENCE_URL
HOSTS = {"www.qz.gov.cn", "qz.gov.cn"}
TAG_RE = re.compile(rb"<[^<>]{0,200}>")

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def load(i: int) -> bytes:
    return PAGES[i % len(PAGES)].read_bytes()


def judge(body: bytes, headers: dict[str, str] | None = None) -> None:
    release = normalize(body, URL, headers)
    assert release.kind in ("release", "not_release")
    assert release.kind == "release" or release.not_release_reason
    flags = check(body, release, previous=release if release.is_release else None, site_hosts=HOSTS)
    assert isinstance(flags, list)


@pytest.mark.timeout(600)
@FUZZ
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=1))
def test_truncated_at_any_byte(i: int, where: float) -> None:
    body = load(i)
    judge(body[: int(len(body) * where)])


@pytest.mark.timeout(600)
@FUZZ
@given(
    st.integers(min_value=0, max_value=10_000),
    st.lists(st.integers(min_value=0, max_value=10**6), max_size=40),
)
def test_random_tags_torn_out(i: int, picks: list[int]) -> None:
    body = load(i)
    tags = list(TAG_RE.finditer(body))
    if not tags:
        return
    drop = {tags[p % len(tags)].span() for p in picks}
    out, last = [], 0
    for start, end in sorted(drop):
        if start >= last:
            out.append(body[last:start])
            last = end
    out.append(body[last:])
    judge(b"".join(out))


@pytest.mark.timeout(600)
@FUZZ
@given(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["utf-8", "gbk", "gb18030", "big5", "iso-8859-1", None]),
    st.integers(min_value=0, max_value=10**6),
    st.binary(max_size=64),
)
def test_wrong_labels_and_spliced_bytes(i: int, label: str | None, at: int, junk: bytes) -> None:
    body = load(i)
    at %= len(body) + 1
    headers = {"Content-Type": f"text/html; charset={label}"} if label else {"Content-Type": "text/html"}
    judge(body[:at] + junk + body[at:], headers)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", RELEASES, ids=[p.name[:40] for p in RELEASES])
def test_encoding_swaps_keep_the_content_hash(path: Path) -> None:
    """The page as its site meant it, re-encoded as GBK and served with a UTF-8 label, with no label,
    or with the right one: the same release, the same hash (a wrong label is no news)."""
    body = path.read_bytes()
    original = normalize(body, URL)
    if not original.is_release:
        pytest.skip("not a release page")
    text = body.decode(original.encoding, errors="strict") if original.encoding else None
    if text is None:
        pytest.skip("undecodable")
    text = text.lstrip("\ufeff")
    try:
        gbk = text.encode("gb18030")
    except UnicodeEncodeError:
        pytest.skip("not encodable in GB18030")
    unlabelled = re.sub(r"<meta[^>]*charset[^>]*>", "", text, flags=re.I).encode("gb18030")
    for variant, headers in [
        (gbk, {"Content-Type": "text/html; charset=utf-8"}),
        (gbk, {"Content-Type": "text/html; charset=gbk"}),
        (unlabelled, {"Content-Type": "text/html"}),
        (unlabelled, None),
    ]:
        again = normalize(variant, URL, headers)
        assert again.content_hash == original.content_hash, (path.name, headers)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("megabytes", [1.8, 6.2])
def test_megabyte_real_pages(megabytes: float) -> None:
    """Real pages glued into one of a few MB (a CMS that repeats its body, a padded attack page)."""
    parts: list[bytes] = []
    while sum(map(len, parts)) < megabytes * 1_000_000:
        parts.append(load(len(parts)))
    body = b"".join(parts)
    assert len(body) > 1_000_000
    judge(body)
    judge(body, {"Content-Type": "text/html; charset=utf-8"})
