"""Whatever the bytes, normalize returns a Release whose kind says what the page is; it never raises
and never hangs."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize import normalize

from .conftest import FIXTURE_URL, REFERENCE_PAGE, REFERENCE_URL


@pytest.mark.parametrize("body", [b"", b"   \r\n\t ", b"\x00\x00\x00"])
def test_empty_bodies_are_empty(body: bytes) -> None:
    release = normalize(body, FIXTURE_URL)
    assert (release.kind, release.not_release_reason) == ("not_release", "empty")
    assert release.url == FIXTURE_URL
    assert release.content_hash is None


@pytest.mark.timeout(60)
@pytest.mark.parametrize("seed", range(8))
def test_binary_garbage_is_not_a_release(seed: int) -> None:
    body = random.Random(seed).randbytes(200_000)
    release = normalize(body, FIXTURE_URL)
    assert (release.kind, release.not_release_reason) == ("not_release", "unknown")


def test_a_png_served_as_html_is_not_a_release() -> None:
    body = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(3000)
    assert normalize(body, FIXTURE_URL).kind == "not_release"


@pytest.mark.timeout(60)
def test_a_pdf_served_as_html_is_not_a_release() -> None:
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n" + os.urandom(5000)
    assert normalize(body, FIXTURE_URL).kind == "not_release"


@pytest.mark.parametrize("fraction", [0.1, 0.35, 0.6, 0.9])
def test_truncated_reference_page_still_normalizes(fraction: float) -> None:
    whole = REFERENCE_PAGE.read_bytes()
    body = whole[: int(len(whole) * fraction)]
    release = normalize(body, REFERENCE_URL)
    assert release.kind in ("release", "not_release")
    if fraction >= 0.6:
        assert release.kind == "release"
        assert release.index_no == "11330800002618015K/2022-134528"
        assert release.paragraphs, "the paragraphs before the cut are kept"


def test_truncation_inside_a_multibyte_character_does_not_mojibake() -> None:
    whole = REFERENCE_PAGE.read_bytes()
    cut = whole.index("徐张艳".encode()) + 1  # in the middle of 徐
    release = normalize(whole[:cut], REFERENCE_URL)
    assert release.encoding == "utf-8"
    assert release.title == "“‘浙’十年·衢州”主题新闻发布会答问实录"


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_20_mb_page_finishes() -> None:
    paragraph = "<p>　　" + "衢州市推进数字化改革，" * 20 + "</p>\n"
    repeats = 20 * 1024 * 1024 // len(paragraph.encode())
    body = (
        '<html><head><meta charset="utf-8"><title>大页面</title></head><body><div id="zoom">'
        + paragraph * repeats
        + "</div></body></html>"
    ).encode()
    assert len(body) >= 20 * 1024 * 1024 * 0.95
    release = normalize(body, FIXTURE_URL)
    assert release.kind == "release"
    assert len(release.paragraphs) == repeats


@pytest.mark.timeout(60)
def test_100k_nested_divs_do_not_recurse_or_hang() -> None:
    body = (
        "<html><body>" + "<div>" * 100_000 + "深处的文字" + "</div>" * 100_000 + "</body></html>"
    ).encode()
    release = normalize(body, FIXTURE_URL)
    assert release.kind == "not_release"


@pytest.mark.timeout(60)
def test_deep_nesting_around_a_real_body_keeps_the_release() -> None:
    body = (
        '<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="深层嵌套"></head><body>'
        '<div id="zoom"><p>正文第一段。</p></div>'
        + "<span>" * 50_000
        + "x"
        + "</span>" * 50_000
        + "</body></html>"
    ).encode()
    release = normalize(body, FIXTURE_URL)
    assert release.kind == "release"
    assert release.paragraphs[0] == "正文第一段。"


@pytest.mark.parametrize(
    "body",
    [
        b"<html",
        b"<<<<>>>>",
        b"<?xml version='1.0' encoding='gbk'?><html><body><p>x</p></body></html>",
        b"<html><body><div id='zoom'>",
        b"<!--",
        b"<html><body>\xff\xfe\xfd</body></html>",
        "<html><body>\ufdd0\ufdd0<p>a</p></body></html>".encode(),
    ],
)
def test_malformed_markup_gets_a_kind(body: bytes) -> None:
    release = normalize(body, FIXTURE_URL)
    assert release.kind in ("release", "not_release")
    if release.kind == "not_release":
        assert release.not_release_reason in ("empty", "unknown")


HTML_TOKENS = st.sampled_from(
    [
        "<html>",
        "<body>",
        "</div>",
        "<div id='zoom'>",
        "<p>",
        "</p>",
        "<table><tr><td>",
        "索引号：",
        "发布机构",
        "<meta name='ContentStart'>",
        "<meta name='ContentEnd'>",
        "<!--",
        "-->",
        "&nbsp;",
        "\u3000",
        "\u200b",
        "◤某：",
        "问：",
        "<a href='x.pdf'>",
        "</a>",
        "<script>",
        "</script>",
        "2024-01-01",
        "<br>",
        "<li>",
        "正文",
        "<meta charset='gbk'>",
        "\x00",
        "<![CDATA[",
        "]]>",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    release = normalize(body, FIXTURE_URL)
    assert release.kind in ("release", "not_release")
    assert (release.kind == "not_release") == (release.not_release_reason is not None)


@settings(max_examples=150, deadline=None)
@given(st.lists(HTML_TOKENS | st.text(max_size=8), max_size=80))
def test_arbitrary_markup_never_raises(tokens: list[str]) -> None:
    release = normalize("".join(tokens).encode("utf-8", errors="replace"), FIXTURE_URL)
    assert release.kind in ("release", "not_release")
    if release.kind == "release":
        assert release.content_hash is not None
