"""Bytes → text: BOM first, then the HTTP header, then <meta charset>, then detection; never Latin-1."""

from __future__ import annotations

from crawler.normalize import normalize
from crawler.normalize.decode import decode_html

from .conftest import FIXTURE_URL, FIXTURES

PAGE = (
    '<html><head><meta charset="{charset}"><meta name="ArticleTitle" content="朱镕基同志题词碑揭幕">'
    '</head><body><div id="zoom"><p>　　县领导出席仪式并讲话。</p></div></body></html>'
)


def test_gbk_page_and_its_utf8_twin_give_the_same_release() -> None:
    utf8 = normalize((FIXTURES / "twin_utf8.html").read_bytes(), FIXTURE_URL).to_dict()
    gbk = normalize((FIXTURES / "twin_gbk.html").read_bytes(), FIXTURE_URL).to_dict()
    assert utf8.pop("encoding") == "utf-8"
    assert gbk.pop("encoding") == "gb18030"
    assert gbk == utf8
    assert gbk["title"] == "朱镕基同志题词碑揭幕仪式举行"  # 镕 is GBK, not GB2312


def test_utf16_bom_wins_over_a_meta_claiming_gb2312() -> None:
    release = normalize((FIXTURES / "utf16_bom_meta_gb2312.html").read_bytes(), FIXTURE_URL)
    assert release.encoding == "utf-16-le"
    assert release.title == "市文化馆举办书画展"


def test_utf8_bom_wins_over_a_header_claiming_gbk() -> None:
    body = b"\xef\xbb\xbf" + PAGE.format(charset="gbk").encode("utf-8")
    text, encoding = decode_html(body, {"Content-Type": "text/html; charset=gbk"})
    assert encoding == "utf-8"
    assert "朱镕基" in text


def test_header_charset_beats_a_wrong_meta() -> None:
    body = PAGE.format(charset="utf-8").encode("gb18030")
    release = normalize(body, FIXTURE_URL, {"content-type": "text/html; charset=GB2312"})
    assert release.encoding == "gb18030"
    assert release.title == "朱镕基同志题词碑揭幕"


def test_unlabelled_gbk_is_detected_not_read_as_latin1() -> None:
    body = PAGE.replace('<meta charset="{charset}">', "").encode("gbk")
    release = normalize(body, FIXTURE_URL)
    assert release.encoding == "gb18030"
    assert release.paragraphs == ["县领导出席仪式并讲话。"]


def test_a_latin1_label_on_chinese_bytes_is_not_trusted() -> None:
    body = PAGE.format(charset="iso-8859-1").encode("utf-8")
    release = normalize(body, FIXTURE_URL, {"Content-Type": "text/html; charset=ISO-8859-1"})
    assert release.title == "朱镕基同志题词碑揭幕"
    assert not any("\u00c0" <= ch <= "\u00ff" for ch in release.title or "")
